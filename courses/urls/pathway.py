from django.urls import path

from ..views import pathway

urlpatterns = [
    path("my-training/training-elsewhere", pathway.record, name="external-training-new"),
    path("agency-training/training-elsewhere", pathway.waiting, name="external-training"),
    path("agency-training/training-elsewhere/<int:pk>", pathway.decide, name="external-training-decide"),
    path(
        "agency-training/training-elsewhere/<int:pk>/certificate",
        pathway.certificate,
        name="external-training-certificate",
    ),
]
