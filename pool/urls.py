from django.urls import path

from accounts.ratelimit import rate_limited

from . import views

app_name = "pool"

urlpatterns = [
    path("", views.index, name="index"),
    path("mine", views.mine, name="mine"),
    path("apply", views.apply, name="apply"),
    path("leave", views.leave, name="leave"),
    path("assignments/<int:pk>", views.respond, name="respond"),
    path("assignments/<int:pk>/withdraw", views.withdraw, name="withdraw"),
    path("answer/<str:token>", rate_limited("assignment-link")(views.respond_link), name="respond-link"),
    path("applications", views.applications, name="applications"),
    path("members", views.members, name="members"),
    path("members/<int:pk>", views.member, name="member"),
    path("members/<int:pk>/endorse", views.endorse, name="endorse"),
    path("members/<int:pk>/review", views.review, name="review"),
    path("members/<int:pk>/status", views.change_status, name="status"),
    path("criteria", views.criteria, name="criteria"),
    path("criteria/new", views.criterion_edit, name="criterion-new"),
    path("criteria/<int:pk>", views.criterion_edit, name="criterion-edit"),
    path("rules", views.policy, name="policy"),
    path("commitments", views.commitments, name="commitments"),
    path("commitments/<int:year_pk>/edit", views.commitments_edit, name="commitments-edit"),
    path("agencies/<int:pk>", views.agency, name="agency"),
    path("our-agency", views.my_agency, name="my-agency"),
    path("delivery", views.delivery, name="delivery"),
    path("sessions/<int:pk>/trainers", views.session_trainers, name="session-trainers"),
]
