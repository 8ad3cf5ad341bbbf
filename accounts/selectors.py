"""Reads for people and agencies, scoped to what the asking user may see."""

from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404

from .models import Agency, AuditEntry, Sector, User


def people_visible_to(user: User) -> QuerySet[User]:
    """Everyone for the training manager; an agency lead's own agency; nobody else."""
    people = User.objects.select_related("agency", "target_group").prefetch_related(
        Prefetch("groups", queryset=Group.objects.only("id", "name"))
    )
    if user.is_training_manager:
        return people
    if user.is_agency_lead:
        return people.filter(agency_id=user.agency_id)
    return people.none()


def get_person_for_user(user: User, pk: int, *, write: bool = False) -> User:
    """One person, or 404 if outside the user's scope; 403 if they may look but not change."""
    person = people_visible_to(user).filter(pk=pk).first()
    if person is None:
        raise Http404("No such person")
    if write and not user.has_perm("accounts.manage_person", person):
        raise PermissionDenied
    return person


def agencies_visible_to(user: User) -> QuerySet[Agency]:
    agencies = Agency.objects.select_related("category").annotate(
        people_count=Count("people", filter=Q(people__is_active=True))
    )
    if user.is_training_manager:
        return agencies
    if user.is_agency_lead:
        return agencies.filter(pk=user.agency_id)
    return agencies.none()


def get_agency_for_user(user: User, pk: int, *, write: bool = False) -> Agency:
    agency = agencies_visible_to(user).filter(pk=pk).first()
    if agency is None:
        raise Http404("No such agency")
    if write and not user.has_perm("accounts.manage_agencies"):
        raise PermissionDenied
    return agency


def history_of(obj, *, limit: int = 50) -> QuerySet[AuditEntry]:
    return AuditEntry.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk)).select_related("actor")[
        :limit
    ]


def partnership_overview() -> dict:
    """Aggregates for the home page of managers and Board members: no personal data."""
    by_sector = dict(
        Agency.objects.filter(active=True).values("sector").annotate(n=Count("id")).values_list("sector", "n")
    )
    people = User.objects.aggregate(
        active=Count("id", filter=Q(is_active=True)),
        unverified=Count("id", filter=Q(email_verified_at__isnull=True, deactivated_at__isnull=True)),
        unmapped=Count("id", filter=Q(agency__isnull=True, deactivated_at__isnull=True) & ~Q(unlisted_organisation="")),
    )
    return {
        "agencies_by_sector": [(label, by_sector[value]) for value, label in Sector.choices if value in by_sector],
        "agency_count": sum(by_sector.values()),
        "people_count": people["active"],
        "unverified_count": people["unverified"],
        "unmapped_count": people["unmapped"],
    }
