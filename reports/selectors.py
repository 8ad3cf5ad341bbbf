"""Who may read which report runs.

One definition of which kinds of report each person may read, used by the request form, the
request service, the lists of runs (dashboard and "Reports"), the run's page and the download:

- the training manager: every run;
- a Board member: the kinds that name nobody (the annual report, an agency's training report, a
  course evaluation report and the monitoring report: figures only, groups too small to be anonymous
  left out);
- an agency lead: their own agency's training report and charges statements;
- nobody else: no run.

A charges statement lists people by name with their courses and fees, so it is for the training
manager and the agency's own lead only, whoever asked for it. A person sees a run they asked for
only while they could still ask for it (a lead who moves agency loses the lead role, and with it
their old agency's runs). Outside this scope a run answers 404, so its existence does not leak.
"""

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.urls import reverse

from common.todo import TodoItem

from .models import ReportKind, ReportRun, RunStatus

# Reports that show figures only: safe for the Board.
BOARD_KINDS = (ReportKind.ANNUAL, ReportKind.AGENCY, ReportKind.COURSE, ReportKind.MONITORING)
# Reports about one agency, for that agency's lead.
AGENCY_LEAD_KINDS = (ReportKind.AGENCY, ReportKind.CHARGES)


def report_kinds_for(user) -> list[str]:
    """The kinds of report this person may read and ask for, in the order the form offers them."""
    if not user.is_authenticated:
        return []
    if user.is_training_manager:
        return list(ReportKind.values)
    kinds = set(BOARD_KINDS) if user.is_board_member else set()
    if user.is_agency_lead:
        kinds |= set(AGENCY_LEAD_KINDS)
    return [kind for kind in ReportKind.values if kind in kinds]


def may_read_report(user, *, kind: str, agency_id: int | None) -> bool:
    """Whether the person may read (or ask for) a report of this kind about this agency."""
    if not user.is_authenticated:
        return False
    if user.is_training_manager:
        return True
    if user.is_board_member and kind in BOARD_KINDS:
        return True
    return user.is_agency_lead and kind in AGENCY_LEAD_KINDS and agency_id is not None and agency_id == user.agency_id


def report_runs_visible_to(user) -> QuerySet[ReportRun]:
    """The runs the person may see, newest first: the same rule as `may_read_report`, as a query."""
    runs = ReportRun.objects.select_related("requested_by", "agency")
    if not user.is_authenticated:
        return runs.none()
    if user.is_training_manager:
        return runs
    scope = Q(pk__in=[])
    if user.is_board_member:
        scope |= Q(kind__in=BOARD_KINDS)
    if user.is_agency_lead:
        scope |= Q(kind__in=AGENCY_LEAD_KINDS, agency_id=user.agency_id)
    return runs.filter(scope)


def get_report_run_for_user(user, pk: int) -> ReportRun:
    """One run for its page or its download; 404 outside the person's scope."""
    run = report_runs_visible_to(user).filter(pk=pk).first()
    if run is None:
        raise Http404("No such report")
    return run


def todo_for(user) -> list[TodoItem]:
    """For the training manager, reports whose build failed and that nobody has asked for again
    since (a later run with the same title, built or being built, settles it). One query."""
    if not user.is_training_manager:
        return []
    asked_again = ReportRun.objects.filter(title=OuterRef("title"), requested_at__gt=OuterRef("requested_at")).exclude(
        status=RunStatus.FAILED
    )
    failed = ReportRun.objects.filter(status=RunStatus.FAILED).exclude(Exists(asked_again))
    return [
        TodoItem(
            count=failed.count(),
            singular="report failed to build: ask for it again",
            plural="reports failed to build: ask for them again",
            url=reverse("reports:runs"),
        )
    ]
