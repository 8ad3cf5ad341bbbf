from django.contrib.auth.backends import ModelBackend

from .models import normalise_email


class EmailBackend(ModelBackend):
    """Sign in by email address, whatever case it is typed in."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        email = kwargs.get("email", username)
        if email is None:
            return None
        return super().authenticate(request, username=normalise_email(email), password=password)


def axes_username(request, credentials=None) -> str:
    """The email the sign-in was for, normalised, so failures for "Tom@x" and "tom@x" count together."""
    raw = (credentials or {}).get("username") or (credentials or {}).get("email")
    if raw is None and request is not None:
        raw = request.POST.get("username", "")
    return normalise_email(raw or "")
