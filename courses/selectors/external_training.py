"""Reads for training done elsewhere, scoped to what the asking person may see."""

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.urls import reverse

from common.todo import TodoItem

from ..models import ExternalTraining, ExternalTrainingStatus
from ..services.pathway import may_confirm


def external_training_visible_to(user):
    """The person's own records; an agency lead's staff's; every record for the training manager."""
    records = ExternalTraining.objects.select_related("person__agency", "level", "decided_by")
    if user.is_training_manager:
        return records
    scope = Q(person=user)
    if user.is_agency_lead:
        scope |= Q(person__agency_id=user.agency_id)
    return records.filter(scope)


def _waiting(user):
    """The records waiting for this user to confirm (see `waiting_for`), None when they confirm none."""
    if not (user.is_training_manager or user.is_agency_lead):
        return None
    waiting = external_training_visible_to(user).filter(status=ExternalTrainingStatus.WAITING).exclude(person=user)
    if not user.is_training_manager:
        waiting = waiting.filter(person__agency_id=user.agency_id)
    return waiting


def waiting_for(user) -> list[ExternalTraining]:
    """Records waiting for this user to confirm: their agency's staff's for a lead; every one for
    the training manager (who confirms for people with no agency or no lead). One query."""
    waiting = _waiting(user)
    return [] if waiting is None else list(waiting.order_by("recorded_at", "pk"))


def how_many_wait_for(user) -> int:
    """How many records `waiting_for` lists, counted in the database (the pages that link to the list
    need only the number). One query, none for a user who confirms none."""
    waiting = _waiting(user)
    return 0 if waiting is None else waiting.select_related(None).count()


def get_external_training_for_user(user, pk: int, *, write: bool = False) -> ExternalTraining:
    """One record, or 404 outside the user's scope; 403 for the person's own record on a write."""
    record = external_training_visible_to(user).filter(pk=pk).first()
    if record is None:
        raise Http404("No such record")
    if write and not may_confirm(user, record):
        raise PermissionDenied
    return record


def training_elsewhere_todo(user) -> list[TodoItem]:
    """The to-do entry of an agency lead or the training manager: training done elsewhere waiting
    for them to confirm. One query."""
    if not (user.is_training_manager or user.is_agency_lead):
        return []
    return [
        TodoItem(
            count=how_many_wait_for(user),
            singular="record of training done elsewhere to confirm",
            plural="records of training done elsewhere to confirm",
            url=reverse("courses:external-training"),
        )
    ]
