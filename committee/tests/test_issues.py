"""Practice issues at the audit and evaluation committee: each goes to a meeting, gets an agreed action with
its owner agency and due date, and an outcome when closed; the committee's paper lists what is new, what is
overdue and what closed; the annual report's line counts them."""

import subprocess
from datetime import date, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.factories import AgencyFactory, board_member, training_manager
from committee import selectors, services
from committee.models import CommitteePaper, PaperStatus
from committee.services import CommitteeError
from evaluation.models import IssueChange, IssueStatus, PracticeIssue
from evaluation.services import raise_issue

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def run_on_commit(immediate_on_commit):
    """The worker's tasks follow each service call at once."""


@pytest.fixture
def manager():
    return training_manager(full_name="Helen Carter", agency=None)


@pytest.fixture
def police(db):
    return AgencyFactory(name="Northshire Police", sector="police")


def at(day: date):
    return timezone.make_aware(datetime(day.year, day.month, day.day, 10, 0))


def dated(issue, raised: date, **steps):
    """Put the issue's history on the days given (raised, and each status it reached)."""
    PracticeIssue.objects.filter(pk=issue.pk).update(raised_at=at(raised))
    IssueChange.objects.filter(issue=issue, status=IssueStatus.RAISED).update(changed_at=at(raised))
    for status, day in steps.items():
        IssueChange.objects.filter(issue=issue, status=status).update(changed_at=at(day))


def through(manager, police, title, *, to, meeting):
    issue = raise_issue(actor=manager, title=title, description="Heard in the neglect course")
    if to in ("taken", "agreed", "closed"):
        services.take_issue_to_meeting(actor=manager, issue=issue, meeting=meeting)
    if to in ("agreed", "closed"):
        services.agree_issue_action(
            actor=manager, issue=issue, action="Brief the front desk", owner_agency=police, due_on=date(2026, 8, 1)
        )
    if to == "closed":
        services.close_issue(actor=manager, issue=issue, outcome="All front-desk staff briefed.")
    return issue


def test_an_issue_goes_to_a_meeting_gets_an_action_and_is_closed_with_its_outcome(manager, police):
    meeting = services.create_meeting(actor=manager, held_on=date(2026, 6, 10), agenda="Practice issues")
    issue = raise_issue(actor=manager, title="Referral thresholds unclear", description="Raised by six delegates")
    with pytest.raises(CommitteeError, match="Take the issue to a meeting"):
        services.agree_issue_action(
            actor=manager, issue=issue, action="Publish guidance", owner_agency=police, due_on=date(2026, 8, 1)
        )
    services.take_issue_to_meeting(actor=manager, issue=issue, meeting=meeting)
    with pytest.raises(CommitteeError, match="cannot be due before the meeting"):
        services.agree_issue_action(
            actor=manager, issue=issue, action="Publish guidance", owner_agency=police, due_on=date(2026, 6, 1)
        )
    services.agree_issue_action(
        actor=manager, issue=issue, action="Publish guidance", owner_agency=police, due_on=date(2026, 8, 1)
    )
    services.close_issue(actor=manager, issue=issue, outcome="Guidance published on 20 July")
    issue.refresh_from_db()
    assert issue.status == IssueStatus.CLOSED
    assert (issue.hearing.meeting, issue.hearing.owner_agency, issue.hearing.outcome) == (
        meeting,
        police,
        "Guidance published on 20 July",
    )
    assert list(issue.history.values_list("status", flat=True)) == ["raised", "taken", "agreed", "closed"]


def test_the_annual_report_line_counts_what_happened_in_the_year(manager, police):
    """Year 1 April 2026 to 31 March 2027.
    A: raised 20 Mar 2026 (before), action agreed 10 May, closed 1 Sep -> agreed and closed in the year.
    B: raised 1 Jun 2026, agreed 1 Jul, still open -> raised and agreed.
    C: raised 1 Feb 2027, not yet taken -> raised.
    D: raised 5 May 2026, agreed 10 Jun, closed 10 Apr 2027 (after) -> raised and agreed.
    So 3 raised (B, C, D), 3 actions agreed (A, B, D), 1 closed (A)."""
    meeting = services.create_meeting(actor=manager, held_on=date(2026, 5, 1), agenda="")
    a = through(manager, police, "A: thresholds", to="closed", meeting=meeting)
    b = through(manager, police, "B: information sharing", to="agreed", meeting=meeting)
    c = through(manager, police, "C: escalation", to="raised", meeting=meeting)
    d = through(manager, police, "D: neglect tool", to="closed", meeting=meeting)
    dated(a, date(2026, 3, 20), taken=date(2026, 5, 1), agreed=date(2026, 5, 10), closed=date(2026, 9, 1))
    dated(b, date(2026, 6, 1), taken=date(2026, 6, 10), agreed=date(2026, 7, 1))
    dated(c, date(2027, 2, 1))
    dated(d, date(2026, 5, 5), taken=date(2026, 6, 10), agreed=date(2026, 6, 10), closed=date(2027, 4, 10))
    counts = selectors.issue_counts(starts_on=date(2026, 4, 1), ends_on=date(2027, 3, 31))
    assert (counts.raised, counts.agreed, counts.closed) == (3, 3, 1)
    assert [i.title for i in counts.issues] == ["D: neglect tool", "B: information sharing", "C: escalation"]


def test_the_committees_paper_lists_new_overdue_and_closed_and_is_built_by_the_worker(
    manager, police, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    today = timezone.localdate()
    meeting = services.create_meeting(actor=manager, held_on=today - timedelta(days=200), agenda="")
    old_open = through(manager, police, "Front desks do not know the referral route", to="agreed", meeting=meeting)
    dated(old_open, today - timedelta(days=200))  # raised long ago; its action was due on 1 August 2026
    old_closed = through(manager, police, "Neglect tool not used", to="closed", meeting=meeting)
    dated(old_closed, today - timedelta(days=200), closed=today - timedelta(days=10))
    through(manager, police, "Health visitors unsure about consent", to="raised", meeting=meeting)
    since = today - timedelta(days=30)
    paper_figures = selectors.issues_paper(since=since)
    assert [i.title for i in paper_figures.new] == ["Health visitors unsure about consent"]
    assert [i.title for i in paper_figures.overdue] == ["Front desks do not know the referral route"]
    assert [i.title for i, _ in paper_figures.closed] == ["Neglect tool not used"]

    paper = services.request_issues_paper(actor=manager, since=since)
    paper.refresh_from_db()
    assert paper.status == PaperStatus.DONE
    text = " ".join(
        subprocess.run(["pdftotext", "-", "-"], input=paper.file.read(), capture_output=True, check=True)
        .stdout.decode()
        .split()
    )
    assert "1 new, 1 overdue, 1 closed" in text
    assert "Health visitors unsure about consent" in text
    assert "Brief the front desk Northshire Police 1 Aug 2026" in text
    assert "Outcome: All front-desk staff briefed." in text


def test_board_members_read_practice_issues_but_cannot_move_them(manager, police, client):
    meeting = services.create_meeting(actor=manager, held_on=date(2026, 6, 10), agenda="")
    issue = raise_issue(actor=manager, title="Referral thresholds unclear", description="Raised by six delegates")
    client.force_login(board_member(full_name="Ruth Evans"))
    assert "Referral thresholds unclear" in client.get(reverse("committee:issues")).content.decode()
    page = client.get(reverse("committee:issue", args=[issue.pk])).content.decode()
    assert "Raised by six delegates" in page and "Take it to the meeting" not in page
    assert client.post(reverse("committee:issue", args=[issue.pk]), {"meeting": meeting.pk}).status_code == 403
    assert client.post(reverse("committee:issues"), {"since": "01/01/2026"}).status_code == 403
    issue.refresh_from_db()
    assert issue.status == IssueStatus.RAISED and not CommitteePaper.objects.exists()
