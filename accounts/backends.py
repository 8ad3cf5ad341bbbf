from django.contrib.auth.backends import ModelBackend

from common.pagecache import remembered

from .models import normalise_email


class EmailBackend(ModelBackend):
    """Sign in by email address, whatever case it is typed in."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        email = kwargs.get("email", username)
        if email is None:
            return None
        return super().authenticate(request, username=normalise_email(email), password=password)

    def get_user(self, user_id):
        # Every signed-in request needs the person and their roles: kept in memory until the
        # next write anywhere (a password, role or deactivation change is a write), so a page
        # from the cache costs no query for them. The session's hash is still checked each time.
        def load():
            user = super(EmailBackend, self).get_user(user_id)
            if user is not None:
                user.role_names  # noqa: B018  (computed now, so it is remembered with the person)
            return user

        return remembered(f"person:{user_id}", load)

    def get_all_permissions(self, user_obj, obj=None):
        # The service's permissions are rules (accounts/predicates.py); Django's model permissions
        # only open parts of the admin site, which needs is_staff. Everyone else would pay two
        # queries a page for a set that is always empty.
        if not user_obj.is_staff:
            return set()
        return super().get_all_permissions(user_obj, obj)


def axes_username(request, credentials=None) -> str:
    """The email the sign-in was for, normalised, so failures for "Tom@x" and "tom@x" count together."""
    raw = (credentials or {}).get("username") or (credentials or {}).get("email")
    if raw is None and request is not None:
        raw = request.POST.get("username", "")
    return normalise_email(raw or "")
