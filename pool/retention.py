"""What the pool removes when a person's details are erased (see accounts/retention.py)."""

from django.utils import timezone

from .models import Membership, MembershipStatus, StatusChange


def erase_person(person) -> None:
    """The application's free text describes the person's career: it goes. The fact that they
    were a member, and what they delivered, stays with the sessions."""
    membership = Membership.objects.filter(person=person).first()
    if membership is None:
        return
    removed = "Removed at the person's request or under the retention rules."
    membership.experience = membership.specialisms = membership.facilitation_experience = removed
    membership.endorsement_note = membership.review_reason = ""
    if membership.status != MembershipStatus.LEFT:
        membership.status = MembershipStatus.LEFT
        membership.status_changed_at = timezone.now()
        StatusChange.objects.create(
            membership=membership, status=MembershipStatus.LEFT, reason="Personal details removed."
        )
    membership.save()
