from django.urls import path

from accounts.ratelimit import rate_limited

from ..views import charges

urlpatterns = [
    path("manage/charges", charges.charges, name="charges"),
    path("manage/charges/<int:pk>/waive", charges.waive, name="charge-waive"),
    path(
        "certificates/check", rate_limited("certificate-check")(charges.verify_certificate), name="verify-certificate"
    ),
    path("certificates/<str:code>.pdf", charges.certificate, name="certificate"),
]
