from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from accounts.factories import UserFactory

from .models import Membership, MembershipCriterion, MembershipStatus, StatusChange, TrainerCommitment


class MembershipCriterionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MembershipCriterion
        django_get_or_create = ("text",)

    text = factory.Sequence(lambda n: f"Criterion {n}")
    position = factory.Sequence(lambda n: n)


class MembershipFactory(factory.django.DjangoModelFactory):
    """A pool membership with its history: one status change per step up to `status`."""

    class Meta:
        model = Membership
        django_get_or_create = ("person",)
        skip_postgeneration_save = True

    person = factory.SubFactory(UserFactory)
    status = MembershipStatus.APPLIED
    experience = "Twelve years in children's social care, the last four as a team manager in the front door service."
    specialisms = "Neglect; child protection conferences; working with parents who do not engage."
    facilitation_experience = (
        "Runs the team's reflective supervision groups and co-delivered the county's neglect toolkit briefings."
    )

    @factory.post_generation
    def courses(self, create, extracted, **kwargs):
        if create and extracted:
            self.courses.set(extracted)

    @factory.post_generation
    def history(self, create, extracted, **kwargs):
        if not create or self.history.exists():
            return
        path = {
            MembershipStatus.APPLIED: [MembershipStatus.APPLIED],
            MembershipStatus.ENDORSED: [MembershipStatus.APPLIED, MembershipStatus.ENDORSED],
            MembershipStatus.NOT_ENDORSED: [MembershipStatus.APPLIED, MembershipStatus.NOT_ENDORSED],
            MembershipStatus.ACCEPTED: [MembershipStatus.APPLIED, MembershipStatus.ENDORSED, MembershipStatus.ACCEPTED],
            MembershipStatus.DECLINED: [MembershipStatus.APPLIED, MembershipStatus.ENDORSED, MembershipStatus.DECLINED],
            MembershipStatus.ACTIVE: [
                MembershipStatus.APPLIED,
                MembershipStatus.ENDORSED,
                MembershipStatus.ACCEPTED,
                MembershipStatus.ACTIVE,
            ],
            MembershipStatus.LAPSED: [
                MembershipStatus.APPLIED,
                MembershipStatus.ENDORSED,
                MembershipStatus.ACCEPTED,
                MembershipStatus.ACTIVE,
                MembershipStatus.LAPSED,
            ],
            MembershipStatus.LEFT: [
                MembershipStatus.APPLIED,
                MembershipStatus.ENDORSED,
                MembershipStatus.ACCEPTED,
                MembershipStatus.ACTIVE,
                MembershipStatus.LEFT,
            ],
        }[self.status]
        start = self.applied_at
        step = (
            (self.status_changed_at - start) / max(1, len(path) - 1) if self.status_changed_at > start else timedelta(0)
        )
        for i, status in enumerate(path):
            StatusChange.objects.create(membership=self, status=status, changed_at=start + step * i)


def active_member(person=None, *, trained_days_ago=200, courses=None, **kwargs) -> Membership:
    """An active pool member holding the trainer role, trained `trained_days_ago` days ago."""
    from accounts.roles import Role
    from accounts.services import role_group

    person = person or UserFactory()
    person.groups.add(role_group(Role.TRAINER))
    now = timezone.now()
    return MembershipFactory(
        person=person,
        status=MembershipStatus.ACTIVE,
        trained_on=(now - timedelta(days=trained_days_ago)).date(),
        applied_at=now - timedelta(days=trained_days_ago + 60),
        status_changed_at=now - timedelta(days=trained_days_ago),
        courses=courses or [],
        **kwargs,
    )


class TrainerCommitmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TrainerCommitment
        django_get_or_create = ("year", "agency")

    agreed_days = Decimal("3")
