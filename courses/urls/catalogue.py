from django.urls import path

from ..views import catalogue

urlpatterns = [
    path("courses", catalogue.catalogue, name="catalogue"),
    path("courses/<slug:slug>", catalogue.course_page, name="course"),
    path("my-training", catalogue.my_training, name="my-training"),
    path("agency-training", catalogue.agency_training, name="agency-training"),
    path("agency-training/<int:pk>", catalogue.person_training, name="person-training"),
]
