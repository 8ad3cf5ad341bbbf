"""Training done elsewhere: recorded by the person, confirmed by their agency lead.

A Level 1 e-learning module or an agency's own induction counts towards the pathway only once
someone who can vouch for it has seen the evidence: the person's agency lead, or, for someone
with no confirmed agency, the training manager. Nobody confirms their own. The rules that say
what counts, and for how long, are in `selectors.training_record`.
"""

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.audit import log_action
from accounts.mail import queue_email
from accounts.models import User
from accounts.selectors import is_member_of, leads_of, training_managers
from common.errors import DomainError

from ..models import ExternalTraining, ExternalTrainingStatus, Level


class PathwayError(DomainError):
    pass


def may_confirm(actor: User, record: ExternalTraining) -> bool:
    """The person's agency lead, or the training manager; never the person themselves."""
    if actor.pk == record.person_id:
        return False
    if actor.is_training_manager:
        return True
    return actor.is_agency_lead and is_member_of(record.person, actor.agency_id)


def confirmers_of(person: User) -> list[str]:
    """Who is asked to confirm a person's training done elsewhere: their agency's leads, else the
    training managers."""
    leads = [lead.email for lead in leads_of(person.agency_id) if lead.pk != person.pk]
    return leads or [m.email for m in training_managers() if m.pk != person.pk]


@transaction.atomic
def record_external_training(
    *,
    actor: User,
    person: User,
    level: Level,
    title: str,
    provider: str,
    completed_on,
    certificate=None,
    site_url: str = "",
) -> ExternalTraining:
    """Record training `person` did elsewhere, waiting for confirmation (or confirmed at once when
    recorded by someone who may confirm it, such as an import by the training manager)."""
    if completed_on > timezone.localdate():
        raise PathwayError("The date you completed it must be today or in the past", field="completed_on")
    if not title.strip():
        raise PathwayError("Enter the name of the course or module", field="title")
    if not provider.strip():
        raise PathwayError("Enter who provided the training", field="provider")
    record = ExternalTraining(
        person=person,
        level=level,
        title=title.strip(),
        provider=provider.strip(),
        completed_on=completed_on,
        recorded_by=actor,
    )
    if certificate:
        record.certificate = certificate
    if actor.pk != person.pk and may_confirm(actor, record):
        record.status = ExternalTrainingStatus.CONFIRMED
        record.decided_at = timezone.now()
        record.decided_by = actor
    try:
        with transaction.atomic():
            record.save()
    except IntegrityError as exc:
        raise PathwayError(
            f"{'You have' if actor.pk == person.pk else f'{person} has'} already recorded this training.",
            field="title",
        ) from exc
    log_action(
        actor=actor,
        action="recorded training done elsewhere",
        obj=record,
        changes={"level": str(level), "provider": record.provider, "status": record.status},
    )
    if record.status == ExternalTrainingStatus.WAITING:
        link = (site_url or "") + reverse("courses:external-training-decide", args=[record.pk])
        for to in confirmers_of(person):
            queue_email(
                to=to,
                subject=f"Please confirm training {person} did elsewhere",
                template="external_training_recorded",
                context={"person": person, "record": record, "link": link},
            )
    return record


@transaction.atomic
def decide_external_training(
    *, actor: User, record: ExternalTraining, confirm: bool, reason: str = ""
) -> ExternalTraining:
    """The person's agency lead (or the training manager) confirms the training, so it counts
    towards the pathway, or declines it with a reason the person sees."""
    record = ExternalTraining.objects.select_for_update(of=("self",)).select_related("person").get(pk=record.pk)
    if not may_confirm(actor, record):
        raise PathwayError("Only the person's agency lead or the training manager can confirm this training.")
    if record.status != ExternalTrainingStatus.WAITING:
        raise PathwayError(f"This training has already been dealt with: {record.get_status_display().lower()}.")
    if not confirm and not reason.strip():
        raise PathwayError("Enter why it is not accepted", field="reason")
    record.status = ExternalTrainingStatus.CONFIRMED if confirm else ExternalTrainingStatus.DECLINED
    record.decided_at = timezone.now()
    record.decided_by = actor
    record.decline_reason = "" if confirm else reason.strip()
    record.save(update_fields=["status", "decided_at", "decided_by", "decline_reason"])
    log_action(
        actor=actor,
        action="confirmed training done elsewhere" if confirm else "declined training done elsewhere",
        obj=record,
        changes={"reason": record.decline_reason} if not confirm else {},
    )
    queue_email(
        to=record.person.email,
        subject=f"{'Confirmed' if confirm else 'Not accepted'}: {record.title}",
        template="external_training_decided",
        context={"person": record.person, "record": record, "confirmed": confirm, "decided_by": actor},
    )
    return record
