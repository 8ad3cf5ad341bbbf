from django.urls import path

from ..views import manage, trainer_share

urlpatterns = [
    path("manage/sessions", manage.sessions, name="manage-sessions"),
    path("manage/sessions/new", manage.session_edit, name="manage-session-new"),
    path("manage/sessions/<int:pk>", manage.session_detail, name="manage-session"),
    path("manage/sessions/<int:pk>/edit", manage.session_edit, name="manage-session-edit"),
    path("manage/sessions/<int:copy_of>/copy", manage.session_edit, name="manage-session-copy"),
    path("manage/sessions/<int:pk>/cancel", manage.session_cancel, name="manage-session-cancel"),
    path(
        "manage/sessions/<int:pk>/trainers/<int:user_pk>/share",
        trainer_share.trainer_share,
        name="manage-trainer-share",
    ),
    path("manage/courses", manage.courses, name="manage-courses"),
    path("manage/courses/new", manage.course_edit, name="manage-course-new"),
    path("manage/courses/<int:pk>/edit", manage.course_edit, name="manage-course-edit"),
    path("manage/venues", manage.venues, name="manage-venues"),
    path("manage/venues/new", manage.venue_edit, name="manage-venue-new"),
    path("manage/venues/<int:pk>", manage.venue_detail, name="manage-venue"),
    path("manage/venues/<int:pk>/edit", manage.venue_edit, name="manage-venue-edit"),
    path("manage/venues/<int:venue_pk>/rooms/new", manage.room_edit, name="manage-room-new"),
    path("manage/venues/<int:venue_pk>/rooms/<int:pk>", manage.room_edit, name="manage-room-edit"),
    path("manage/pathway", manage.pathway, name="manage-pathway"),
    path("manage/pathway/<int:pk>/remove", manage.pathway_rule_delete, name="manage-pathway-remove"),
    path("manage/pathway/levels/new", manage.level_edit, name="manage-level-new"),
    path("manage/pathway/levels/<int:pk>", manage.level_edit, name="manage-level-edit"),
    path("manage/pathway/groups/new", manage.target_group_edit, name="manage-group-new"),
    path("manage/pathway/groups/<int:pk>", manage.target_group_edit, name="manage-group-edit"),
    path("manage/policy", manage.policy, name="manage-policy"),
]
