from django.urls import path

from accounts.ratelimit import rate_limited

from . import views

app_name = "evaluation"

urlpatterns = [
    path("answer/<str:token>", rate_limited("evaluation-link")(views.answer), name="answer"),
    path("", views.index, name="index"),
    path("questionnaires/<int:pk>", views.questionnaire, name="questionnaire"),
    path("questions/<int:pk>/remove", views.remove_item, name="remove-item"),
    path("courses/<int:pk>/settings", views.course_settings, name="course-settings"),
    path("courses/<int:pk>/results", views.course_results, name="course-results"),
    path("sessions/<int:pk>/results", views.session_results, name="session-results"),
    path("sessions/<int:pk>/observations", views.observations, name="observations"),
    path("comments", views.comments, name="comments"),
    path("focus-groups", views.focus_groups, name="focus-groups"),
    path("issues", views.issues, name="issues"),
    path("issues/<int:pk>", views.issue, name="issue"),
]
