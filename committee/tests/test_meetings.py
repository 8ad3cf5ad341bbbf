"""Members, meetings, decisions and actions: the training manager keeps the minutes, Board members read
them, an action's owner closes it, and each agency's attendance is counted as annual reports put it."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.factories import AgencyFactory, UserFactory, agency_lead, board_member, training_manager
from committee import selectors, services
from committee.models import Action, ActionStatus, AttendanceStatus, Decision, Meeting, MemberRole
from committee.services import CommitteeError

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager():
    return training_manager(full_name="Helen Carter", agency=None)


@pytest.fixture
def agencies(target_groups):
    return {
        "police": AgencyFactory(name="Northshire Police", sector="police"),
        "health": AgencyFactory(name="Northshire Community Health NHS Trust", sector="health"),
        "school": AgencyFactory(name="Riverside Academy Trust", sector="education"),
    }


def seat(manager, agency, name, joined, role=MemberRole.MEMBER):
    person = UserFactory(full_name=name, agency=agency)
    return services.add_member(actor=manager, person=person, role=role, joined_on=joined)


def test_agency_attendance_counts_the_meetings_held_while_the_agency_had_a_seat(manager, agencies):
    """Year 1 April 2026 to 31 March 2027; four meetings in it (10 Jun, 9 Sep, 9 Dec, 10 Mar) and one
    either side. Police sits all year (member and deputy: one seat for counting): attended Jun, Sep,
    Mar, apologies in Dec: 3 of 4. Health joins 1 Sep: attended Sep and Dec, absent in Mar: 2 of 3.
    The school leaves 30 Sep: attended Jun, apologies in Sep: 1 of 2 (its Dec attendance, after it
    left, does not count)."""
    police, health, school = agencies["police"], agencies["health"], agencies["school"]
    seat(manager, police, "Dan Price", date(2025, 1, 6))
    seat(manager, police, "Amy Lowe", date(2025, 1, 6), role=MemberRole.DEPUTY)
    seat(manager, health, "Marcus Bell", date(2026, 9, 1))
    school_seat = seat(manager, school, "Ruth Evans", date(2025, 1, 6))
    services.member_left(actor=manager, member=school_seat, left_on=date(2026, 9, 30))
    held = {}
    for day in (
        date(2026, 3, 11),
        date(2026, 6, 10),
        date(2026, 9, 9),
        date(2026, 12, 9),
        date(2027, 3, 10),
        date(2027, 4, 14),
    ):
        held[day] = services.create_meeting(actor=manager, held_on=day, agenda="")
    A, P, X = AttendanceStatus.ATTENDED, AttendanceStatus.APOLOGIES, AttendanceStatus.ABSENT
    record = {
        date(2026, 3, 11): {police: A},
        date(2026, 6, 10): {police: A, school: A},
        date(2026, 9, 9): {police: A, health: A, school: P},
        date(2026, 12, 9): {police: P, health: A, school: A},
        date(2027, 3, 10): {police: A, health: X},
        date(2027, 4, 14): {police: A, health: A},
    }
    for day, marks in record.items():
        services.record_attendance(actor=manager, meeting=held[day], attendance={a: (s, "") for a, s in marks.items()})
    rows = selectors.agency_attendance(starts_on=date(2026, 4, 1), ends_on=date(2027, 3, 31))
    assert [(r.agency.name, r.text) for r in rows] == [
        ("Northshire Community Health NHS Trust", "2 of 3 meetings"),
        ("Northshire Police", "3 of 4 meetings"),
        ("Riverside Academy Trust", "1 of 2 meetings"),
    ]


def test_overdue_actions_are_on_their_owners_to_do_list_and_the_owner_closes_them(manager, agencies, client):
    owner = agency_lead(full_name="Priya Shah", agency=agencies["police"])
    services.add_member(actor=manager, person=owner, role=MemberRole.MEMBER, joined_on=date(2026, 1, 5))
    today = timezone.localdate()
    meeting = services.create_meeting(actor=manager, held_on=today - timedelta(days=60), agenda="Programme")
    late = services.add_action(
        actor=manager,
        meeting=meeting,
        text="Send the police's induction figures",
        owner=owner,
        due_on=today - timedelta(days=1),
    )
    services.add_action(
        actor=manager,
        meeting=meeting,
        text="Name a trainer for the neglect course",
        owner=owner,
        due_on=today + timedelta(days=20),
    )
    assert late.agency == agencies["police"]
    items = selectors.todo_for(owner)
    assert [(i.text, i.overdue) for i in items if i.count] == [
        ("1 overdue sub-committee action", True),
        ("1 sub-committee action to do", False),
    ]
    someone_else = agency_lead(full_name="Marcus Bell", agency=agencies["health"])
    client.force_login(someone_else)
    assert client.get(reverse("committee:action-close", args=[late.pk])).status_code == 404
    with pytest.raises(CommitteeError, match="Only the action's owner"):
        services.close_action(actor=someone_else, action=late)
    client.force_login(owner)
    response = client.post(reverse("committee:action-close", args=[late.pk]), {"outcome": "Sent on 3 March"})
    assert response.status_code == 302
    late.refresh_from_db()
    assert (late.status, late.outcome, late.closed_by) == (ActionStatus.DONE, "Sent on 3 March", owner)
    assert [i.text for i in selectors.todo_for(owner) if i.count] == ["1 sub-committee action to do"]


def test_board_members_read_the_minutes_but_cannot_change_them(manager, agencies, client):
    owner = agency_lead(full_name="Priya Shah", agency=agencies["police"])
    meeting = services.create_meeting(actor=manager, held_on=date(2026, 6, 10), agenda="Programme 2027-28")
    services.add_decision(actor=manager, meeting=meeting, text="Programme 2027-28 approved")
    action = services.add_action(
        actor=manager, meeting=meeting, text="Circulate the programme", owner=owner, due_on=date(2026, 7, 1)
    )
    services.add_paper(actor=manager, meeting=meeting, title="Training needs return", path="/tna/")
    client.force_login(board_member(full_name="Ruth Evans"))
    page = client.get(reverse("committee:meeting", args=[meeting.pk])).content.decode()
    assert "Programme 2027-28 approved" in page and "Circulate the programme" in page and 'href="/tna/"' in page
    assert "Add a decision" not in page
    assert "Circulate the programme" in client.get(reverse("committee:actions")).content.decode()
    for name, args, data in [
        ("committee:meeting-new", [], {"held_on": "01/09/2026"}),
        ("committee:meeting-decision", [meeting.pk], {"text": "Board's decision"}),
        ("committee:meeting-action", [meeting.pk], {"text": "Board's action"}),
        ("committee:meeting-attendance", [meeting.pk], {}),
        ("committee:meeting-paper", [meeting.pk], {"title": "x", "path": "/"}),
        ("committee:member-new", [], {"email": "x@example.org"}),
    ]:
        assert client.post(reverse(name, args=args), data).status_code == 403, name
    assert client.post(reverse("committee:action-close", args=[action.pk]), {}).status_code == 404
    assert (Meeting.objects.count(), Decision.objects.count(), Action.objects.get().status) == (1, 1, "open")


def test_a_paper_is_a_page_of_this_service(manager, settings):
    settings.SITE_URL = "https://training.example.org"
    meeting = services.create_meeting(actor=manager, held_on=date(2026, 6, 10), agenda="")
    with pytest.raises(CommitteeError, match="not another site"):
        services.add_paper(actor=manager, meeting=meeting, title="Elsewhere", path="//evil.example.com/tna/")
    with pytest.raises(CommitteeError, match="not another site"):
        services.add_paper(actor=manager, meeting=meeting, title="Elsewhere", path="https://evil.example.com/")
    with pytest.raises(CommitteeError, match="no page at that address"):
        services.add_paper(actor=manager, meeting=meeting, title="Nowhere", path="/no-such-page/here")
    paper = services.add_paper(
        actor=manager, meeting=meeting, title="Attendance", path="https://training.example.org/tna/attendance"
    )
    assert paper.path == "/tna/attendance"


def test_the_training_manager_records_a_meeting_on_the_pages(manager, agencies, client):
    seat(manager, agencies["police"], "Dan Price", date(2025, 1, 6))
    client.force_login(manager)
    response = client.post(reverse("committee:meeting-new"), {"held_on": "10/06/2026", "agenda": "Programme"})
    meeting = Meeting.objects.get()
    assert response["Location"] == reverse("committee:meeting", args=[meeting.pk])
    again = client.post(reverse("committee:meeting-new"), {"held_on": "10/06/2026"})
    assert "There is already a meeting on this date" in again.content.decode()
    police = agencies["police"]
    missing = client.post(reverse("committee:meeting-attendance", args=[meeting.pk]), {})
    assert "Northshire Police: choose attended, apologies or did not attend" in missing.content.decode()
    client.post(
        reverse("committee:meeting-attendance", args=[meeting.pk]),
        {f"status_{police.pk}": "attended", f"who_{police.pk}": "Dan Price"},
    )
    assert meeting.attendance.get().represented_by == "Dan Price"
