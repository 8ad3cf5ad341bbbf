"""Reads for the trainer pool: who is in it, who delivered what, and each agency's
contribution against its commitment. Each runs a fixed number of queries.

Delivery is read from the sessions' trainers: a session counts once it has ended
and was not cancelled, and each of its trainers delivered the course's length
in days (a half-day course is 0.5), or their recorded share of it when they gave
part of the session (a quarter day of a full-day course is 0.25): `TRAINER_DAYS`,
the one expression every trainer-day figure sums. A trainer's days count for the
agency they belong to now; the log is about the people the agency gives, not where they were.
"""

import math
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import Case, Count, DateTimeField, F, IntegerField, Max, Q, Sum, Value, When
from django.db.models.functions import Coalesce
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from accounts.models import Agency, User
from accounts.roles import Role
from accounts.selectors import is_member_of, leads_of
from common.todo import TodoItem
from courses.models import Attendance, AttendanceRecord, Session, SessionStatus, SessionTrainer
from courses.selectors.delivered import delivered
from tna.models import TrainingYear
from tna.selectors import percent, rag

from .models import (
    CLOSED,
    IN_POOL,
    Assignment,
    AssignmentStatus,
    Membership,
    MembershipStatus,
    PoolPolicy,
    TrainerCommitment,
)

ZERO = Decimal("0")


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """From the start of `start` to the end of `end`, in local time."""
    tz = timezone.get_current_timezone()
    return datetime.combine(start, time.min, tz), datetime.combine(end + timedelta(days=1), time.min, tz)


def delivered_sessions(start: date, end: date):
    """Sessions that started in the period, have ended, and were not cancelled."""
    begin, finish = _bounds(start, end)
    return Session.objects.filter(delivered(), starts_at__gte=begin, starts_at__lt=finish)


# A trainer's days for one session: their share when one is recorded, else the course's length.
TRAINER_DAYS = Coalesce(F("share_days"), F("session__course__duration_days"))


def _delivery_rows(start: date, end: date, *, agency_id=None, person_id=None):
    rows = SessionTrainer.objects.filter(session__in=delivered_sessions(start, end))
    if agency_id is not None:
        rows = rows.filter(user__agency_id=agency_id)
    if person_id is not None:
        rows = rows.filter(user_id=person_id)
    return rows


@dataclass
class TrainerDelivery:
    person_id: int
    name: str
    agency: str
    sessions: int
    days: Decimal


def delivery_by_trainer(start: date, end: date, *, agency_id=None) -> list[TrainerDelivery]:
    """Sessions and days per trainer in the period. One query."""
    rows = (
        _delivery_rows(start, end, agency_id=agency_id)
        .values("user_id", "user__full_name", "user__agency__name")
        .annotate(sessions=Count("session_id"), days=Sum(TRAINER_DAYS))
        .order_by("-days", "user__full_name")
    )
    return [
        TrainerDelivery(
            r["user_id"], r["user__full_name"], r["user__agency__name"] or "No agency", r["sessions"], r["days"] or ZERO
        )
        for r in rows
    ]


def days_by_agency(start: date, end: date) -> dict[int | None, tuple[int, Decimal]]:
    """(sessions, days) delivered by each agency's trainers in the period. One query."""
    rows = (
        _delivery_rows(start, end)
        .values("user__agency_id")
        .annotate(sessions=Count("session_id"), days=Sum(TRAINER_DAYS))
    )
    return {r["user__agency_id"]: (r["sessions"], r["days"] or ZERO) for r in rows}


def trainers_by_agency(start: date, end: date) -> dict[int | None, int]:
    """How many different trainers of each agency delivered in the period. One query."""
    rows = _delivery_rows(start, end).values("user__agency_id").annotate(n=Count("user_id", distinct=True))
    return {r["user__agency_id"]: r["n"] for r in rows}


def free_places_earned(days: Decimal, per_day: Decimal) -> int:
    """A half day earns half a full day's places; the total is rounded down to whole places."""
    return math.floor(Decimal(days) * Decimal(per_day))


def _overlap_days(a_start: date, a_end: date, b_start: date, b_end: date) -> int:
    return max(0, (min(a_end, b_end) - max(a_start, b_start)).days + 1)


def commitment_for_period(start: date, end: date, *, years: list | None = None) -> dict[int, Decimal]:
    """Each agency's agreed days for the period: the share of each training year's commitment
    that falls in it, by calendar days (a whole year gives the whole commitment). Two queries, one
    when given every training year (`years`)."""
    if years is not None:
        years = [y for y in years if y.starts_on <= end and y.ends_on >= start]
    else:
        years = list(TrainingYear.objects.filter(starts_on__lte=end, ends_on__gte=start))
    totals: dict[int, Decimal] = {}
    shares = {
        y.pk: Decimal(_overlap_days(start, end, y.starts_on, y.ends_on)) / Decimal((y.ends_on - y.starts_on).days + 1)
        for y in years
    }
    for commitment in TrainerCommitment.objects.filter(year__in=years):
        totals[commitment.agency_id] = (
            totals.get(commitment.agency_id, ZERO) + commitment.agreed_days * shares[commitment.year_id]
        )
    return {agency_id: value.quantize(Decimal("0.1")) for agency_id, value in totals.items()}


@dataclass
class AgencyContribution:
    agency: Agency
    committed_days: Decimal | None
    sessions: int
    delivered_days: Decimal
    places_earned: int
    places_used: int
    trainers: int = 0

    @property
    def percent_delivered(self) -> int | None:
        return percent(self.delivered_days, self.committed_days)

    @property
    def rag(self) -> str:
        return rag(self.percent_delivered)

    @property
    def days_outstanding(self) -> Decimal:
        if self.committed_days is None:
            return ZERO
        return max(ZERO, self.committed_days - self.delivered_days)

    @property
    def places_balance(self) -> int:
        return self.places_earned - self.places_used


def places_used_by_agency(start: date, end: date) -> dict[int, int]:
    """Delegate places each agency's staff took on chargeable courses in the period: every
    register line (attended, left early, did not attend, walk-in), since each used a place. One query."""
    begin, finish = _bounds(start, end)
    rows = (
        AttendanceRecord.objects.filter(
            session__starts_at__gte=begin,
            session__starts_at__lt=finish,
            session__course__charge_exempt=False,
            agency__isnull=False,
        )
        .exclude(session__status=SessionStatus.CANCELLED)
        .filter(outcome__in=[Attendance.ATTENDED, Attendance.PARTIAL, Attendance.NO_SHOW])
        .order_by()  # the model's ordering (by the person's name) would join every person for nothing
        .values("agency_id")
        # Lines counted, not their ids read: the register's index by session holds all this needs.
        .annotate(n=Count("*"))
    )
    return {r["agency_id"]: r["n"] for r in rows}


def agency_contributions(start: date, end: date, *, agency_id=None) -> list[AgencyContribution]:
    """Each agency's trainer days against its commitment, and the free places they earned
    against the places its staff used. Agencies with neither a commitment nor any delivery
    are left out. Six queries."""
    policy = PoolPolicy.current()
    delivered = days_by_agency(start, end)
    committed = commitment_for_period(start, end)
    used = places_used_by_agency(start, end)
    trainer_counts = dict(
        Membership.objects.filter(status=MembershipStatus.ACTIVE, person__agency__isnull=False)
        .values_list("person__agency_id")
        .annotate(n=Count("pk"))
    )
    agencies = Agency.objects.filter(Q(pk__in=list(committed)) | Q(pk__in=[k for k in delivered if k])).order_by("name")
    if agency_id is not None:
        agencies = Agency.objects.filter(pk=agency_id)
    result = []
    for agency in agencies:
        sessions, days = delivered.get(agency.pk, (0, ZERO))
        result.append(
            AgencyContribution(
                agency=agency,
                committed_days=committed.get(agency.pk),
                sessions=sessions,
                delivered_days=days,
                places_earned=free_places_earned(days, policy.free_places_per_day),
                places_used=used.get(agency.pk, 0),
                trainers=trainer_counts.get(agency.pk, 0),
            )
        )
    return result


@dataclass
class ContributionTotals:
    committed_days: Decimal = ZERO
    delivered_days: Decimal = ZERO
    sessions: int = 0
    places_earned: int = 0
    places_used: int = 0
    rows: list = field(default_factory=list)

    @property
    def percent_delivered(self):
        return percent(self.delivered_days, self.committed_days)


def totals(rows: list[AgencyContribution]) -> ContributionTotals:
    t = ContributionTotals(rows=rows)
    for row in rows:
        t.committed_days += row.committed_days or ZERO
        t.delivered_days += row.delivered_days
        t.sessions += row.sessions
        t.places_earned += row.places_earned
        t.places_used += row.places_used
    return t


def delivery_record(person) -> list[dict]:
    """Days and sessions the person delivered in each training year, latest year first. Two queries."""
    years = list(TrainingYear.objects.order_by("-starts_on"))
    if not years:
        return []
    delivered = list(
        _delivery_rows(years[-1].starts_on, years[0].ends_on, person_id=person.pk)
        .select_related("session__course")
        .annotate(days=TRAINER_DAYS)
        .order_by("session__starts_at")
    )
    for d in delivered:
        d.session.share_days = d.share_days  # the part they gave, when not the whole session
    rows = []
    for year in years:
        in_year = [
            d for d in delivered if year.starts_on <= timezone.localtime(d.session.starts_at).date() <= year.ends_on
        ]
        if in_year:
            rows.append({"year": year, "sessions": [d.session for d in in_year], "days": sum(d.days for d in in_year)})
    return rows


# --- Who decides an application ----------------------------------------------------------------


def _agency_leads():
    return User.objects.filter(is_active=True, groups__name=str(Role.AGENCY_LEAD), agency__isnull=False)


def agency_leads(agency_id) -> list[User]:
    """An agency's active leads: they are asked to endorse its staff's applications."""
    return leads_of(agency_id)


def agencies_with_leads() -> set[int]:
    """The agencies that have an active lead to endorse applications. One query."""
    return set(_agency_leads().values_list("agency_id", flat=True))


def awaits_endorsement(membership: Membership, *, led: set[int] | None = None) -> bool:
    """Applied, and the applicant's agency has a lead to endorse it. `led` (from
    `agencies_with_leads`) spares a query per membership on a list."""
    agency_id = membership.person.agency_id
    has_lead = agency_id in led if led is not None else bool(agency_leads(agency_id))
    return membership.status == MembershipStatus.APPLIED and has_lead


def awaits_review(membership: Membership, *, led: set[int] | None = None) -> bool:
    """Waiting for the training manager: endorsed applications, and those from people whose
    agency has no lead to endorse them."""
    return membership.status == MembershipStatus.ENDORSED or (
        membership.status == MembershipStatus.APPLIED and not awaits_endorsement(membership, led=led)
    )


def is_endorser(user, membership: Membership) -> bool:
    """The applicant's own agency lead: the only person who endorses the application."""
    return bool(user.is_agency_lead and is_member_of(membership.person, user.agency_id))


def may_endorse(user, membership: Membership) -> bool:
    return is_endorser(user, membership) and membership.status == MembershipStatus.APPLIED


@dataclass
class ApplicationsWaiting:
    to_endorse: list[Membership]
    to_review: list[Membership]
    awaiting_lead: list[Membership]


def applications_waiting_for(user) -> ApplicationsWaiting:
    """Applications waiting for `user`: endorsement (their agency's staff, for a lead) and the
    decision (for the training manager), by the same rules as `endorse` and `review`. Two queries."""
    waiting = list(
        Membership.objects.filter(status__in=[MembershipStatus.APPLIED, MembershipStatus.ENDORSED])
        .select_related("person__agency", "endorsed_by")
        .order_by("applied_at")
    )
    to_endorse = [m for m in waiting if may_endorse(user, m)]
    to_review, awaiting_lead = [], []
    if user.is_training_manager:
        led = agencies_with_leads()
        to_review = [m for m in waiting if awaits_review(m, led=led)]
        awaiting_lead = [m for m in waiting if awaits_endorsement(m, led=led)]
    return ApplicationsWaiting(to_endorse, to_review, awaiting_lead)


# The statuses the training manager may move a member to by hand, and from which.
MANUAL_STATUS_CHANGES = {
    MembershipStatus.LAPSED: (MembershipStatus.ACTIVE,),
    MembershipStatus.LEFT: (MembershipStatus.ACCEPTED, MembershipStatus.ACTIVE, MembershipStatus.LAPSED),
    MembershipStatus.ACTIVE: (MembershipStatus.LAPSED,),
}


def status_changes_open_to(membership: Membership) -> list[str]:
    """The statuses the training manager may move this member to by hand."""
    return [to for to, sources in MANUAL_STATUS_CHANGES.items() if membership.status in sources]


def assignment_candidates() -> list[User]:
    """People the training manager may ask to deliver a session: anyone with a pool membership
    that is not closed (left, declined, not endorsed), active members first. One query."""
    people = list(
        User.objects.filter(is_active=True, pool_membership__isnull=False)
        .exclude(pool_membership__status__in=CLOSED)
        .select_related("agency", "pool_membership")
        .annotate(
            active_first=Case(
                When(pool_membership__status=MembershipStatus.ACTIVE, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("active_first", "full_name")
    )
    for person in people:
        membership = person.pool_membership
        person.pool_status_label = "" if membership.is_active else membership.get_status_display().lower()
    return people


# --- Lookups in the user's scope (404 outside it) ----------------------------------------------


def get_membership_for_user(user, pk: int) -> Membership:
    """The training manager sees every membership; an agency lead those of their agency's staff."""
    membership = Membership.objects.select_related("person__agency", "endorsed_by", "reviewed_by").filter(pk=pk).first()
    if membership is None:
        raise Http404("No such pool member")
    if user.is_training_manager:
        return membership
    if user.is_agency_lead and user.agency_id and membership.person.agency_id == user.agency_id:
        return membership
    raise Http404("No such pool member")


def get_agency_for_user(user, pk: int) -> Agency:
    agency = Agency.objects.filter(pk=pk).first()
    if agency is None or not (user.is_training_manager or (user.is_agency_lead and user.agency_id == agency.pk)):
        raise Http404("No such agency")
    return agency


def get_assignment_for_trainer(user, pk: int) -> Assignment:
    assignment = Assignment.objects.select_related("session__course").filter(pk=pk, trainer=user).first()
    if assignment is None:
        raise Http404("No such assignment")
    return assignment


def directory():
    """The pool directory's rows, with what the table shows joined in (the sessions each member
    delivered come from `delivered_to_date`)."""
    return Membership.objects.select_related("person__agency").prefetch_related("courses")


@dataclass(frozen=True)
class DeliveredToDate:
    sessions: int = 0
    last: datetime | None = None  # the end of the last session delivered


NOTHING_DELIVERED = DeliveredToDate()


def delivered_to_date(person_ids=None) -> dict[int, DeliveredToDate]:
    """The sessions each trainer has delivered to date, and the end of their last, for the people given
    (every trainer when None). One query, counted per trainer: the sessions are read once, not once for
    every session a trainer gave."""
    rows = SessionTrainer.objects.filter(delivered("session__"))
    if person_ids is not None:
        rows = rows.filter(user_id__in=person_ids)
    rows = rows.values("user_id").annotate(sessions=Count("pk"), last=Max("session__ends_at")).order_by()
    return {row["user_id"]: DeliveredToDate(row["sessions"], row["last"]) for row in rows}


def ordered_by_delivery(memberships, figure: str, *, descending: bool):
    """Members ordered by a figure of `delivered_to_date` ("sessions" or "last"), nothing delivered
    counting as none (no sessions, no last date); members with the same figure by name."""
    figures = delivered_to_date()
    output = IntegerField() if figure == "sessions" else DateTimeField()
    by_person = Case(
        *(When(person_id=pk, then=Value(getattr(f, figure))) for pk, f in figures.items()),
        default=Value(getattr(NOTHING_DELIVERED, figure)),
        output_field=output,
    )
    return memberships.annotate(delivery_order=by_person).order_by(
        "-delivery_order" if descending else "delivery_order", "person__full_name"
    )


def pool_members_of(agency_id: int) -> list[Membership]:
    """An agency's members in the pool or on their way in, each with when they last delivered."""
    members = list(
        directory().filter(
            person__agency_id=agency_id, status__in=[*IN_POOL, MembershipStatus.APPLIED, MembershipStatus.ENDORSED]
        )
    )
    figures = delivered_to_date([m.person_id for m in members])
    for member in members:
        member.last_delivered = figures.get(member.person_id, NOTHING_DELIVERED).last
    return members


def open_assignments_for(person):
    return (
        Assignment.objects.filter(trainer=person, status=AssignmentStatus.INVITED)
        .exclude(session__status=SessionStatus.CANCELLED)
        .select_related("session__course", "session__venue")
    )


def todo_for(user) -> list[TodoItem]:
    """Pool applications waiting for the person (endorsement by their lead, the decision by the
    training manager) and a trainer's assignments to answer. A fixed number of queries."""
    items = []
    if user.is_training_manager or user.is_agency_lead:
        waiting = applications_waiting_for(user)
        url = reverse("pool:applications")
        items.append(
            TodoItem(
                count=len(waiting.to_endorse),
                singular="trainer pool application to endorse",
                plural="trainer pool applications to endorse",
                url=url,
            )
        )
        items.append(
            TodoItem(
                count=len(waiting.to_review),
                singular="trainer pool application to review",
                plural="trainer pool applications to review",
                url=url,
            )
        )
    # Anyone may be asked to deliver a session (an accepted applicant before their role is granted).
    items.append(
        TodoItem(
            count=open_assignments_for(user).count(),
            singular="session you have been asked to deliver: accept or decline",
            plural="sessions you have been asked to deliver: accept or decline",
            url=reverse("pool:mine"),
        )
    )
    return items
