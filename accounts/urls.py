from django.urls import path

from . import two_step, views
from .ratelimit import rate_limited

app_name = "accounts"

urlpatterns = [
    path("sign-up", rate_limited("sign-up")(views.sign_up), name="sign-up"),
    path("sign-up/check-your-email", views.check_email, name="check-email"),
    path("verify/resend", rate_limited("resend-verification")(views.resend_verification), name="resend-verification"),
    path("verify/<str:token>", rate_limited("verification-link")(views.verify_email), name="verify-email"),
    path("sign-in", rate_limited("sign-in")(views.SignInView.as_view()), name="sign-in"),
    path("sign-in/code", rate_limited("two-step")(two_step.sign_in_code), name="sign-in-code"),
    path("two-step", two_step.setup, name="two-step"),
    path("sign-out", views.SignOutView.as_view(), name="sign-out"),
    path("signed-out", views.signed_out, name="signed-out"),
    path("password-reset", rate_limited("password-reset")(views.PasswordResetView.as_view()), name="password-reset"),
    path("password-reset/sent", views.PasswordResetSentView.as_view(), name="password-reset-sent"),
    path(
        "password-reset/<uidb64>/<token>",
        rate_limited("password-reset-link")(views.PasswordResetConfirmView.as_view()),
        name="password_reset_confirm",
    ),
    path("password", views.PasswordChangeView.as_view(), name="password-change"),
    path("profile", views.profile, name="profile"),
    path("profile/edit", views.edit_profile, name="edit-profile"),
    path("profile/my-data.json", views.my_data, name="my-data"),
]
