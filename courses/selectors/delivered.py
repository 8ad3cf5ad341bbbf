"""What "delivered" means, for every figure that counts sessions run: the reports, the trainer pool's
days and the evaluation results all ask this one rule."""

from django.db.models import Q
from django.utils import timezone

from ..models import SessionStatus


def delivered(prefix: str = "", *, now=None) -> Q:
    """A session delivered: it has ended and was not cancelled. `prefix` reaches the session from a
    related model ("session__")."""
    return Q(**{f"{prefix}ends_at__lte": now or timezone.now()}) & ~Q(**{f"{prefix}status": SessionStatus.CANCELLED})
