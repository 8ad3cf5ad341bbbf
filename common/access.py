"""View decorators: sign-in first, then a permission, else 403."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied


def permission_required(perm: str):
    """Anonymous visitors are sent to sign in; signed-in people without `perm` get 403.

    Object-level checks happen in the view through the `get_<thing>_for_user`
    lookups, which answer 404 for objects outside the user's scope.
    """

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(request, *args, **kwargs):
            if not request.user.has_perm(perm):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
