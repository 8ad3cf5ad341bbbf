from django.urls import path

from . import data_protection, two_step, views

app_name = "manage"

urlpatterns = [
    path("people", views.people, name="people"),
    path("people/<int:pk>", views.person, name="person"),
    path("people/<int:pk>/roles", views.person_roles, name="person-roles"),
    path("people/<int:pk>/agency", views.person_agency, name="person-agency"),
    path("people/<int:pk>/deactivate", views.person_deactivate, name="person-deactivate"),
    path("people/<int:pk>/reactivate", views.person_reactivate, name="person-reactivate"),
    path("people/<int:pk>/two-step-off", two_step.turn_off_for, name="person-two-step-off"),
    path("people/<int:pk>/erase", data_protection.erase, name="person-erase"),
    path("people/claims", views.agency_claims, name="agency-claims"),
    path("people/claims/<int:pk>", views.agency_claim, name="agency-claim"),
    path("audit", views.audit, name="audit"),
    path("retention", data_protection.retention_page, name="retention"),
    path("agencies", views.agencies, name="agencies"),
    path("agencies/new", views.agency_edit, name="agency-new"),
    path("agencies/<int:pk>", views.agency, name="agency"),
    path("agencies/<int:pk>/edit", views.agency_edit, name="agency-edit"),
    path("partnership", views.partnership_edit, name="partnership"),
]
