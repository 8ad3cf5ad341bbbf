from django.urls import path

from ..views import charges

urlpatterns = [
    path("manage/charges", charges.charges, name="charges"),
    path("manage/charges/<int:pk>/waive", charges.waive, name="charge-waive"),
    path("certificates/check", charges.verify_certificate, name="verify-certificate"),
    path("certificates/<str:code>.pdf", charges.certificate, name="certificate"),
]
