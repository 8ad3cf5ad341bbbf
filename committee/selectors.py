"""Reads for the sub-committee's pages, papers and the annual report. Each runs a fixed number of
queries whatever the number of agencies, answers or requests."""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied
from django.db.models import Count, F, Q, Sum
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from accounts.models import Agency, User
from accounts.roles import Role
from common.todo import TodoItem
from courses.models import Session, SessionStatus
from courses.selectors.charges import charges_of_period
from evaluation.models import IssueChange, IssueStatus, PracticeIssue
from pool.selectors import days_by_agency
from tna.models import (
    AgencyContribution,
    ReturnAnswer,
    ReturnKind,
    ReturnQuestion,
    ReturnStatus,
    TnaCycle,
    TnaReturn,
    TrainingYear,
)
from tna.selectors import demand_against_supply, overview, year_bounds

from .models import (
    Action,
    ActionStatus,
    AdviceRequest,
    AttendanceStatus,
    AuditFindings,
    CommitteePaper,
    Decision,
    DeliveredBy,
    IncomeSource,
    Meeting,
    MeetingAttendance,
    Member,
    MemberRole,
    PlanChange,
    ProgrammePlan,
    Rating,
    Receipt,
    SessionDelivery,
    YearFinance,
)

RATING_ORDER = [Rating.RED, Rating.AMBER, Rating.GREEN]


def audit_rounds():
    """Every audit round, newest deadline first, with how many returns are submitted."""
    return TnaCycle.rounds.filter(kind=ReturnKind.AUDIT).annotate(
        submitted=Count("returns", filter=Q(returns__status="submitted")), agencies=Count("returns")
    )


def get_audit_round(pk: int) -> TnaCycle:
    cycle = TnaCycle.rounds.filter(kind=ReturnKind.AUDIT, pk=pk).first()
    if cycle is None:
        raise Http404("No such audit round")
    return cycle


def latest_open_round() -> TnaCycle | None:
    return TnaCycle.rounds.filter(kind=ReturnKind.AUDIT, opened_at__isnull=False).order_by("-deadline").first()


def get_audit_return_for_user(user, pk: int, *, write: bool = False) -> TnaReturn:
    """An agency's audit return: its lead and the training manager read and change it, Board members
    read it (403 to change); 404 for everyone else."""
    tna_return = (
        TnaReturn.every_kind.filter(kind=ReturnKind.AUDIT, pk=pk)
        .select_related("agency", "cycle", "submitted_by")
        .first()
    )
    if tna_return is None or not user.is_authenticated:
        raise Http404("No such return")
    own = user.is_agency_lead and user.agency_id == tna_return.agency_id
    if user.is_training_manager or own:
        return tna_return
    if user.is_board_member:
        if write:
            raise PermissionDenied
        return tna_return
    raise Http404("No such return")


def answers_of(tna_return: TnaReturn) -> list[ReturnAnswer]:
    """The return's answers in question order, each with its rating if it has one."""
    return list(tna_return.answers.select_related("question", "rating"))


@dataclass
class RoundRow:
    agency: object
    status: str
    tna_return: TnaReturn | None
    last_reminder: object
    ratings: Counter = field(default_factory=Counter)


def round_overview(cycle: TnaCycle) -> list[RoundRow]:
    """Each active agency's status in the round (the needs analysis's own overview) and how its
    answers were rated. Four queries."""
    counts: dict[int, Counter] = {}
    for return_id, rating in ReturnAnswer.objects.filter(tna_return__cycle=cycle, rating__isnull=False).values_list(
        "tna_return_id", "rating__rating"
    ):
        counts.setdefault(return_id, Counter())[rating] += 1
    return [
        RoundRow(
            agency=row.agency,
            status=row.status,
            tna_return=row.tna_return,
            last_reminder=row.last_reminder,
            ratings=counts.get(row.tna_return.pk, Counter()) if row.tna_return else Counter(),
        )
        for row in overview(cycle)
    ]


@dataclass
class AgencyAnswers:
    agency: object
    status: str
    answers: list


@dataclass
class AuditReport:
    cycle: TnaCycle
    findings: AuditFindings | None
    questions: list
    # per question: {rating: number of agencies}, in RATING_ORDER, plus "unrated"
    by_question: list
    agencies: list
    submitted: int
    asked: int


def audit_report(cycle: TnaCycle) -> AuditReport:
    """Everything the round's report to the Board says: the findings, how each question was rated
    across agencies, and each submitted agency's answers with their ratings and comments."""
    questions = list(ReturnQuestion.objects.filter(cycle=cycle))
    rows = overview(cycle)
    answers: dict[int, list] = {}
    for answer in (
        ReturnAnswer.objects.filter(tna_return__cycle=cycle, tna_return__status="submitted")
        .select_related("question", "rating")
        .order_by("question__number")
    ):
        answers.setdefault(answer.tna_return_id, []).append(answer)
    tally = {q.pk: Counter() for q in questions}
    for lines in answers.values():
        for answer in lines:
            rating = getattr(answer, "rating", None)
            tally[answer.question_id][rating.rating if rating else "unrated"] += 1
    return AuditReport(
        cycle=cycle,
        findings=AuditFindings.objects.filter(cycle=cycle).first(),
        questions=questions,
        by_question=[(q, [tally[q.pk][r] for r in RATING_ORDER] + [tally[q.pk]["unrated"]]) for q in questions],
        agencies=[
            AgencyAnswers(agency=row.agency, status=row.status, answers=answers.get(row.tna_return.pk, []))
            for row in rows
            if row.tna_return is not None
        ],
        submitted=len(answers),
        asked=len(rows),
    )


def papers_of(cycle: TnaCycle):
    return CommitteePaper.objects.filter(cycle=cycle).select_related("requested_by")


def get_paper_for_user(user, pk: int) -> CommitteePaper:
    """Papers are the sub-committee's and the Board's: the training manager and Board members; 404 otherwise."""
    paper = CommitteePaper.objects.select_related("cycle", "requested_by").filter(pk=pk).first()
    if paper is None or not user.has_perm("committee.read"):
        raise Http404("No such paper")
    return paper


def advice_for_user(user):
    """The training manager sees every request; a lead their own agency's."""
    requests = AdviceRequest.objects.select_related("agency", "asked_by", "answered_by")
    if user.is_training_manager:
        return requests
    if user.is_agency_lead and user.agency_id:
        return requests.filter(agency_id=user.agency_id)
    return requests.none()


def get_advice_request(pk: int) -> AdviceRequest:
    request = AdviceRequest.objects.select_related("agency", "asked_by").filter(pk=pk).first()
    if request is None:
        raise Http404("No such request")
    return request


@dataclass(frozen=True)
class AdviceCounts:
    asked: int
    answered: int

    @property
    def waiting(self) -> int:
        return self.asked - self.answered


def advice_counts(*, starts_on=None, ends_on=None) -> AdviceCounts:
    """Requests for advice asked (in the period, if one is given) and how many are answered. One query."""
    requests = AdviceRequest.objects.all()
    if starts_on is not None:
        requests = requests.filter(asked_at__date__gte=starts_on)
    if ends_on is not None:
        requests = requests.filter(asked_at__date__lte=ends_on)
    figures = requests.aggregate(asked=Count("pk"), answered=Count("pk", filter=Q(answered_at__isnull=False)))
    return AdviceCounts(asked=figures["asked"], answered=figures["answered"])


# --- Members, meetings, decisions and actions ------------------------------------------------------


def members(*, current_only=False):
    seats = Member.objects.select_related("person", "agency")
    return seats.filter(left_on__isnull=True) if current_only else seats


def seated_agencies(on) -> list:
    """The agencies with a member or deputy on the sub-committee on that day, by name."""
    seats = Member.objects.filter(role__in=[MemberRole.MEMBER, MemberRole.DEPUTY], joined_on__lte=on).filter(
        Q(left_on__isnull=True) | Q(left_on__gte=on)
    )
    return list(Agency.objects.filter(pk__in=seats.values("agency_id")).order_by("name"))


def meetings():
    return Meeting.objects.annotate(
        decision_count=Count("decisions", distinct=True), action_count=Count("actions", distinct=True)
    )


def get_meeting(pk: int) -> Meeting:
    meeting = Meeting.objects.filter(pk=pk).first()
    if meeting is None:
        raise Http404("No such meeting")
    return meeting


def actions_in_view(user):
    """Every action for the training manager and Board members; a person's own otherwise."""
    actions = Action.objects.select_related("owner", "agency", "meeting")
    if user.has_perm("committee.read"):
        return actions
    return actions.filter(owner=user)


def get_action_for_user(user, pk: int) -> Action:
    """An action: its owner and the training manager may close it; 404 for anyone else."""
    action = Action.objects.select_related("owner", "meeting").filter(pk=pk).first()
    if action is None or not (user.is_training_manager or action.owner_id == user.pk):
        raise Http404("No such action")
    return action


def todo_for(user, *, today: date | None = None) -> list[TodoItem]:
    """The sub-committee's entries on a person's to-do list: their overdue actions (marked overdue)
    and their other open actions; for an agency lead, their agency's audit returns not yet submitted
    in open rounds (late ones marked overdue). One query, two for a lead."""
    if not user.is_authenticated:
        return []
    today = today or timezone.localdate()
    figures = Action.objects.filter(owner=user, status=ActionStatus.OPEN).aggregate(
        overdue=Count("pk", filter=Q(due_on__lt=today)), open=Count("pk", filter=Q(due_on__gte=today))
    )
    url = reverse("committee:actions")
    items = [
        TodoItem(
            figures["overdue"], "overdue sub-committee action", "overdue sub-committee actions", url, overdue=True
        ),
        TodoItem(figures["open"], "sub-committee action to do", "sub-committee actions to do", url),
    ]
    if user.is_agency_lead and user.agency_id:
        waiting = (
            TnaReturn.every_kind.filter(kind=ReturnKind.AUDIT, agency_id=user.agency_id, cycle__opened_at__isnull=False)
            .exclude(status=ReturnStatus.SUBMITTED)
            .aggregate(
                late=Count("pk", filter=Q(cycle__deadline__lt=today)),
                due=Count("pk", filter=Q(cycle__deadline__gte=today)),
            )
        )
        audit = reverse("committee:my-audit")
        items += [
            TodoItem(waiting["late"], "late training audit return", "late training audit returns", audit, overdue=True),
            TodoItem(waiting["due"], "training audit return to send", "training audit returns to send", audit),
        ]
    return items


@dataclass(frozen=True)
class AgencyAttendance:
    agency: Agency
    attended: int
    meetings: int

    @property
    def text(self) -> str:
        return f"{self.attended} of {self.meetings} meetings"


def meetings_held(*, starts_on: date, ends_on: date) -> int:
    """How many times the sub-committee met in the period. One query."""
    return Meeting.objects.filter(held_on__gte=starts_on, held_on__lte=ends_on).count()


def agency_attendance(*, starts_on: date, ends_on: date) -> list[AgencyAttendance]:
    """Each agency's attendance at the sub-committee in the period, as annual reports put it ("3 of
    4 meetings"): of the meetings held while it had a member or deputy, how many it attended. An
    agency that sent apologies did not attend. Three queries."""
    held = list(Meeting.objects.filter(held_on__gte=starts_on, held_on__lte=ends_on).values_list("pk", "held_on"))
    seats = list(
        Member.objects.filter(role__in=[MemberRole.MEMBER, MemberRole.DEPUTY], joined_on__lte=ends_on)
        .filter(Q(left_on__isnull=True) | Q(left_on__gte=starts_on))
        .select_related("agency")
    )
    attended = set(
        MeetingAttendance.objects.filter(
            meeting_id__in=[pk for pk, _ in held], status=AttendanceStatus.ATTENDED
        ).values_list("meeting_id", "agency_id")
    )
    rows = {}
    for pk, on in held:
        for seat in seats:
            if seat.joined_on <= on and (seat.left_on is None or seat.left_on >= on):
                rows.setdefault(seat.agency_id, [seat.agency, set(), set()])
                rows[seat.agency_id][1].add(pk)
                if (pk, seat.agency_id) in attended:
                    rows[seat.agency_id][2].add(pk)
    return sorted(
        (AgencyAttendance(agency=a, attended=len(went), meetings=len(due)) for a, due, went in rows.values()),
        key=lambda row: row.agency.name,
    )


def get_member(pk: int) -> Member:
    member = Member.objects.select_related("person", "agency").filter(pk=pk).first()
    if member is None:
        raise Http404("No such member")
    return member


def possible_owners():
    """Who may own an action: the sub-committee's current members and the training managers."""
    seated = Member.objects.filter(left_on__isnull=True).values("person_id")
    return (
        User.objects.filter(is_active=True)
        .filter(Q(pk__in=seated) | Q(groups__name=Role.TRAINING_MANAGER))
        .distinct()
        .order_by("full_name")
    )


# --- Practice issues at the audit and evaluation committee ----------------------------------------


def practice_issues():
    """Every practice issue with what became of it at the committee, newest first."""
    return PracticeIssue.objects.select_related("raised_by", "hearing__meeting", "hearing__owner_agency").order_by(
        "-raised_at"
    )


def get_issue(pk: int) -> PracticeIssue:
    issue = practice_issues().filter(pk=pk).first()
    if issue is None:
        raise Http404("No such issue")
    return issue


@dataclass
class IssuesPaper:
    since: date
    today: date
    new: list
    overdue: list
    closed: list


def issues_paper(*, since: date, today: date | None = None) -> IssuesPaper:
    """The committee's paper: issues raised since `since` (whatever their status now), agreed actions
    past their due date and not closed, and issues closed since `since`. Two queries."""
    today = today or timezone.localdate()
    issues = list(practice_issues().filter(raised_at__date__lte=today))
    closed_on = dict(
        IssueChange.objects.filter(status=IssueStatus.CLOSED, changed_at__date__gte=since, changed_at__date__lte=today)
        .order_by("changed_at")
        .values_list("issue_id", "changed_at")
    )

    def due(issue):
        hearing = getattr(issue, "hearing", None)
        return hearing and hearing.due_on

    return IssuesPaper(
        since=since,
        today=today,
        new=[i for i in issues if timezone.localtime(i.raised_at).date() >= since],
        overdue=[i for i in issues if i.status == IssueStatus.AGREED and due(i) and due(i) < today],
        closed=[(i, closed_on[i.pk]) for i in issues if i.status == IssueStatus.CLOSED and i.pk in closed_on],
    )


@dataclass(frozen=True)
class IssueCounts:
    raised: int
    agreed: int
    closed: int
    issues: list


def issue_counts(*, starts_on: date, ends_on: date) -> IssueCounts:
    """The annual report's line on practice issues in the period: how many were raised, for how many
    the committee agreed an action, how many were closed (each counted in the period in which it
    happened, by the issue's history), and the issues raised. Two queries."""
    moved = IssueChange.objects.filter(changed_at__date__gte=starts_on, changed_at__date__lte=ends_on)
    figures = moved.aggregate(
        agreed=Count("issue", filter=Q(status=IssueStatus.AGREED), distinct=True),
        closed=Count("issue", filter=Q(status=IssueStatus.CLOSED), distinct=True),
    )
    raised = list(
        practice_issues().filter(raised_at__date__gte=starts_on, raised_at__date__lte=ends_on).order_by("raised_at")
    )
    return IssueCounts(raised=len(raised), agreed=figures["agreed"], closed=figures["closed"], issues=raised)


def issues_papers():
    return CommitteePaper.objects.filter(kind="issues").select_related("requested_by")


# --- The programme plan ---------------------------------------------------------------------------


@dataclass
class PlanRow:
    course: object
    requested: int
    planned: int
    changes: list


@dataclass
class ProgrammePlanView:
    year: TrainingYear
    rows: list
    approval: object  # ProgrammePlan or None

    @property
    def total_requested(self) -> int:
        return sum(r.requested for r in self.rows)

    @property
    def total_planned(self) -> int:
        return sum(r.planned for r in self.rows)


def programme_plan(year: TrainingYear) -> ProgrammePlanView:
    """The year's programme, course by course: places requested in the needs analysis's submitted
    returns and places planned (its sessions' capacity), from the needs analysis's own figures, with
    the changes evaluation led to and the decision that approved it. A fixed number of queries."""
    cycle = TnaCycle.objects.filter(year=year).select_related("year").first()
    demand = {d.course.pk: d for d in demand_against_supply(cycle)} if cycle else {}
    changes: dict[int, list] = {}
    courses = {d.course.pk: d.course for d in demand.values()}
    for change in PlanChange.objects.filter(year=year).select_related("course__level"):
        changes.setdefault(change.course_id, []).append(change)
        courses.setdefault(change.course_id, change.course)
    rows = [
        PlanRow(
            course=course,
            requested=demand[pk].requested if pk in demand else 0,
            planned=demand[pk].offered if pk in demand else 0,
            changes=changes.get(pk, []),
        )
        for pk, course in sorted(courses.items(), key=lambda item: (item[1].level.number, item[1].title))
    ]
    approval = ProgrammePlan.objects.filter(year=year).select_related("decision__meeting", "recorded_by").first()
    return ProgrammePlanView(year=year, rows=rows, approval=approval)


def changes_from_evaluation(year: TrainingYear) -> list:
    """For the annual report: which changes to the year's programme evaluation led to."""
    return list(PlanChange.objects.filter(year=year).select_related("course"))


def get_year(pk: int) -> TrainingYear:
    year = TrainingYear.objects.filter(pk=pk).first()
    if year is None:
        raise Http404("No such training year")
    return year


def decisions_for_approval():
    return Decision.objects.select_related("meeting").order_by("-decided_on", "-pk")


def training_years():
    return TrainingYear.objects.order_by("-starts_on")


# --- Money ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MoneyLine:
    label: str
    year: Decimal | None
    to_date: Decimal | None


@dataclass
class MoneyStatement:
    """The year's income against its spending, for the whole year and for the year to date.

    Rules, in one place: contributions agreed are the year's agreed sums (tna's contributions);
    contributions, grants and other income are what was received (year to date: received by the day);
    charges due are the year's charges as every total counts them (courses' `charges_of_period`: by the
    session's date, cancelled ones left out) less those waived (year to date: sessions started by the
    day); of them, those on an invoice and those on an invoice marked paid are shown beside.
    Central costs are the year's budget, spread evenly over its days for the year to date; session
    costs are the four costs of every session not cancelled; commissioned training is what
    commissioned providers cost. Trainer days in kind are the days pool trainers delivered, at the
    sub-committee's rate. Income counts contributions received, charges due, grants and other."""

    year: TrainingYear
    to_date: date
    income: list
    spending: list
    day_rate: Decimal
    trainer_days: MoneyLine
    in_kind: MoneyLine

    def _total(self, lines, attribute) -> Decimal:
        return sum((getattr(line, attribute) or ZERO for line in lines if line.label in self.counted), ZERO)

    counted = (
        "Agencies' contributions received",
        "Charges due (raised, less waived)",
        "Grants",
        "Other income",
        "Central costs",
        "Session costs",
        "Commissioned training",
    )

    @property
    def income_total(self) -> MoneyLine:
        return MoneyLine("Total income", self._total(self.income, "year"), self._total(self.income, "to_date"))

    @property
    def spending_total(self) -> MoneyLine:
        return MoneyLine("Total spending", self._total(self.spending, "year"), self._total(self.spending, "to_date"))

    @property
    def income_footer(self) -> list:
        return [self.income_total]

    @property
    def spending_footer(self) -> list:
        return [self.spending_total, self.balance]

    @property
    def balance(self) -> MoneyLine:
        return MoneyLine(
            "Income less spending",
            self.income_total.year - self.spending_total.year,
            self.income_total.to_date - self.spending_total.to_date,
        )


ZERO = Decimal("0.00")
PENNY = Decimal("0.01")


def _money(value) -> Decimal:
    return Decimal(value or 0).quantize(PENNY, rounding=ROUND_HALF_UP)


def money_statement(year: TrainingYear, *, today: date | None = None) -> MoneyStatement:
    """The year's money (see `MoneyStatement` for the rules). A fixed number of queries."""
    today = today or timezone.localdate()
    to_date = min(max(today, year.starts_on - timedelta(days=1)), year.ends_on)
    begin, finish = year_bounds(year)
    cut = datetime.combine(to_date + timedelta(days=1), time.min, timezone.get_current_timezone())

    def both(queryset, field, started):
        """The sum for the year, and for what started by the end of the year to date."""
        figures = queryset.aggregate(year=Sum(field), to_date=Sum(field, filter=Q(**{f"{started}__lt": cut})))
        return _money(figures["year"]), _money(figures["to_date"])

    agreed = _money(AgencyContribution.objects.filter(year=year).aggregate(n=Sum("amount"))["n"])
    receipts = {
        row["source"]: (_money(row["year"]), _money(row["to_date"]))
        for row in Receipt.objects.filter(year=year)
        .values("source")
        .annotate(year=Sum("amount"), to_date=Sum("amount", filter=Q(received_on__lte=to_date)))
    }
    due = charges_of_period(year.starts_on, year.ends_on).filter(waived_at__isnull=True)
    charges = both(due, "amount", "session__starts_at")
    invoiced = both(due.filter(invoice__isnull=False), "amount", "session__starts_at")
    paid = both(due.filter(invoice__paid_at__isnull=False), "amount", "session__starts_at")
    sessions = Session.objects.filter(starts_at__gte=begin, starts_at__lt=finish).exclude(
        status=SessionStatus.CANCELLED
    )
    cost = F("venue_cost") + F("trainer_fees") + F("catering_cost") + F("materials_cost")
    session_costs = both(sessions, cost, "starts_at")
    commissioned = both(
        SessionDelivery.objects.filter(delivered_by=DeliveredBy.COMMISSIONED, session__in=sessions),
        "cost",
        "session__starts_at",
    )
    days_in_year = (year.ends_on - year.starts_on).days + 1
    elapsed = max((to_date - year.starts_on).days + 1, 0)
    central = (_money(year.central_costs), _money(year.central_costs * elapsed / days_in_year))
    finance = YearFinance.objects.filter(year=year).first()
    rate = finance.trainer_day_rate if finance else ZERO
    days_year = sum((d for _, d in days_by_agency(year.starts_on, year.ends_on).values()), Decimal(0))
    days_to_date = (
        sum((d for _, d in days_by_agency(year.starts_on, to_date).values()), Decimal(0))
        if to_date >= year.starts_on
        else Decimal(0)
    )
    return MoneyStatement(
        year=year,
        to_date=to_date,
        income=[
            MoneyLine("Agencies' contributions agreed", agreed, None),
            MoneyLine("Agencies' contributions received", *receipts.get(IncomeSource.CONTRIBUTION, (ZERO, ZERO))),
            MoneyLine("Charges due (raised, less waived)", *charges),
            MoneyLine("of which invoiced", *invoiced),
            MoneyLine("of which paid", *paid),
            MoneyLine("Grants", *receipts.get(IncomeSource.GRANT, (ZERO, ZERO))),
            MoneyLine("Other income", *receipts.get(IncomeSource.OTHER, (ZERO, ZERO))),
        ],
        spending=[
            MoneyLine("Central costs", *central),
            MoneyLine("Session costs", *session_costs),
            MoneyLine("Commissioned training", *commissioned),
        ],
        day_rate=rate,
        trainer_days=MoneyLine("Trainer days given in kind", days_year, days_to_date),
        in_kind=MoneyLine("Value of trainer days in kind", _money(days_year * rate), _money(days_to_date * rate)),
    )


def sessions_and_delivery(year: TrainingYear):
    """The year's sessions (not cancelled) with who delivered them, for the page that records it."""
    begin, finish = year_bounds(year)
    return (
        Session.objects.filter(starts_at__gte=begin, starts_at__lt=finish)
        .exclude(status=SessionStatus.CANCELLED)
        .select_related("course", "delivery")
        .prefetch_related("trainers")
        .order_by("starts_at")
    )


def get_session(pk: int) -> Session:
    session = Session.objects.select_related("course").filter(pk=pk).first()
    if session is None:
        raise Http404("No such session")
    return session


def receipts_of(year: TrainingYear):
    return Receipt.objects.filter(year=year).select_related("agency")


def year_of(session: Session) -> TrainingYear | None:
    day = timezone.localtime(session.starts_at).date()
    return TrainingYear.objects.filter(starts_on__lte=day, ends_on__gte=day).first()
