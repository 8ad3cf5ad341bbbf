"""Data protection: how long each kind of personal data is kept, and erasure requests.

Each rule says what it removes, after how long (the training manager sets the period), and
finds what is due. A daily beat task applies every rule; the retention page shows a dry run.
Apps add rules from their own `retention.py` (a `RULES` list), found in the order of
INSTALLED_APPS, so `accounts` never imports the apps that depend on it.

What is never removed: attendance records and certificates (the evidence that people were
trained, which agencies and inspectors rely on), and charges (financial records). They stay
linked to the person's name; the person's contact details go.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from common.errors import DomainError
from common.registry import app_modules

from .audit import log_action
from .models import AuditEntry, OutgoingEmail, RetentionSetting, User

UNITS = {"days": 1, "months": 30.44, "years": 365.25}


@dataclass(frozen=True)
class RetentionRule:
    key: str
    label: str
    explanation: str
    unit: str  # days, months or years
    default: int
    due: Callable  # cutoff datetime -> queryset of what would go
    apply: Callable  # queryset -> number removed
    describe: Callable = str  # one item, for the dry run

    def period(self, settings_by_key: dict) -> int:
        return settings_by_key.get(self.key, self.default)

    def cutoff(self, period: int, now=None):
        return (now or timezone.now()) - timedelta(days=round(period * UNITS[self.unit]))


def anonymise_contact_details(person: User) -> None:
    """Remove what identifies or reaches the person, keep the name and agency on their record."""
    person.email = f"removed-{person.pk}@removed.invalid"
    person.job_title = person.line_manager_name = person.line_manager_email = person.unlisted_organisation = ""
    person.set_unusable_password()
    person.is_active = False
    person.deactivated_at = person.deactivated_at or timezone.now()
    person.anonymised_at = timezone.now()
    person.save()
    person.groups.clear()
    for hook in _app_hooks("erase_person"):
        hook(person)


def _inactive_people(cutoff):
    return (
        User.objects.filter(anonymised_at__isnull=True, is_superuser=False, date_joined__lt=cutoff)
        .filter(Q(last_login__lt=cutoff) | Q(last_login__isnull=True))
        .annotate(last_booked=Max("bookings__created_at"))
        .filter(Q(last_booked__lt=cutoff) | Q(last_booked__isnull=True))
        .exclude(groups__name__in=["Training manager"])
    )


def _anonymise_all(queryset) -> int:
    n = 0
    for person in queryset:
        with transaction.atomic():
            anonymise_contact_details(person)
            log_action(
                actor=None, action="anonymised by retention rule", obj=person, changes={"rule": "inactive accounts"}
            )
            n += 1
    return n


def _delete(queryset) -> int:
    return queryset.delete()[0]


def _unconfirmed(cutoff):
    return User.objects.filter(
        email_verified_at__isnull=True,
        last_login__isnull=True,
        date_joined__lt=cutoff,
        bookings__isnull=True,
        attendance__isnull=True,
        anonymised_at__isnull=True,
        is_superuser=False,
    )


ACCOUNTS_RULES = [
    RetentionRule(
        "inactive-accounts",
        "Contact details of inactive accounts",
        "People who have not signed in or booked for this long: their email, job title and line manager are removed "
        "and the account closed. Their name stays on their attendance records and certificates.",
        "years",
        6,
        _inactive_people,
        _anonymise_all,
        lambda p: f"{p.full_name} (joined {p.date_joined:%-d %b %Y})",
    ),
    RetentionRule(
        "unconfirmed-sign-ups",
        "Sign-ups never confirmed",
        "Accounts whose email address was never confirmed and that have no bookings or attendance are deleted.",
        "days",
        30,
        _unconfirmed,
        _delete,
        lambda p: f"{p.email} (signed up {p.date_joined:%-d %b %Y})",
    ),
    RetentionRule(
        "sent-emails",
        "Copies of emails sent",
        "The service's copy of each email it sent (the text can include names and bookings) is deleted.",
        "months",
        12,
        lambda cutoff: OutgoingEmail.objects.filter(sent_at__lt=cutoff),
        _delete,
        lambda e: f"“{e.subject}” sent {e.sent_at:%-d %b %Y}",
    ),
    RetentionRule(
        "audit-trail",
        "Audit trail entries",
        "Entries in the audit trail (who changed what) older than this are deleted.",
        "years",
        7,
        lambda cutoff: AuditEntry.objects.filter(created_at__lt=cutoff),
        _delete,
        lambda a: f"{a.created_at:%-d %b %Y}: {a.action} {a.object_repr}",
    ),
]


def _app_hooks(name: str) -> list:
    return [getattr(module, name) for module in app_modules("retention") if hasattr(module, name)]


def rules() -> list[RetentionRule]:
    return ACCOUNTS_RULES + [rule for module in app_modules("retention") for rule in getattr(module, "RULES", [])]


def periods() -> dict[str, int]:
    return dict(RetentionSetting.objects.values_list("key", "period"))


@dataclass
class DryRun:
    rule: RetentionRule
    period: int
    count: int
    examples: list[str]


def dry_run(now=None) -> list[DryRun]:
    """What each rule would remove now, without removing anything."""
    chosen = periods()
    result = []
    for rule in rules():
        period = rule.period(chosen)
        due = rule.due(rule.cutoff(period, now))
        result.append(DryRun(rule, period, due.count(), [rule.describe(item) for item in due[:5]]))
    return result


def apply_retention(now=None) -> dict[str, int]:
    """Apply every rule. Safe to run twice: what was removed is not found again."""
    chosen = periods()
    done = {}
    for rule in rules():
        due = rule.due(rule.cutoff(rule.period(chosen), now))
        done[rule.key] = rule.apply(due)
    return done


class ErasureError(DomainError):
    pass


@transaction.atomic
def save_periods(*, actor: User, values: dict[str, int]) -> None:
    if not actor.is_training_manager:
        raise ErasureError("Only the training manager can change how long data is kept.")
    defaults = {rule.key: rule.default for rule in rules()}
    current = periods()
    for key, period in values.items():
        if key not in defaults:
            continue
        previous = current.get(key, defaults[key])
        if previous == period:
            continue
        setting, _ = RetentionSetting.objects.update_or_create(
            key=key, defaults={"period": period, "updated_by": actor, "updated_at": timezone.now()}
        )
        log_action(
            actor=actor,
            action="changed retention period",
            obj=setting,
            changes={"kind of data": key, "from": previous, "to": period},
        )


@transaction.atomic
def erase_person(*, actor: User, person: User, reference: str) -> User:
    """Handle an erasure request: contact details, sign-in, roles and emails go; the name stays on
    attendance evidence, certificates and charges, which the partnership must keep."""
    if not actor.is_training_manager:
        raise ErasureError("Only the training manager can handle erasure requests.")
    if person.pk == actor.pk:
        raise ErasureError("You cannot erase your own account: ask another training manager.")
    if person.anonymised_at:
        raise ErasureError(f"{person.full_name}'s details were already removed on {person.anonymised_at:%-d %B %Y}.")
    reference = reference.strip()
    if not reference:
        raise ErasureError("Enter the request's reference or date, so the decision can be traced.", field="reference")
    old_email = person.email
    OutgoingEmail.objects.filter(to__icontains=old_email).delete()
    anonymise_contact_details(person)
    log_action(actor=actor, action="erased personal details", obj=person, changes={"request": reference})
    return person
