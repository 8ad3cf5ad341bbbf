"""The training needs analysis: returns, validation, locking, versions, reminders and attendance against need."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.urls import reverse

from accounts.factories import AgencyFactory, UserFactory, agency_lead, board_member, training_manager
from courses.factories import AttendanceRecordFactory, BookingFactory, CourseFactory, LevelFactory, SessionFactory
from courses.models import Attendance, BookingStatus
from tna import services
from tna.models import ReminderLog, ReturnStatus, TnaCycle, TrainingYear
from tna.selectors import attendance_against_need, overview, percent
from tna.services import TnaError

LONDON = ZoneInfo("Europe/London")
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def run_on_commit(immediate_on_commit):
    """Emails follow each service call at once."""


@pytest.fixture
def year():
    return TrainingYear.objects.create(
        name="2026-27", starts_on=date(2026, 4, 1), ends_on=date(2027, 3, 31), children_in_need=3400
    )


@pytest.fixture
def cycle(year):
    return TnaCycle.objects.create(
        year=year,
        opens_on=date(2026, 1, 5),
        deadline=date(2026, 2, 27),
        reminder_offsets=[-14, -3, 1, 7],
        escalate_after_days=14,
    )


@pytest.fixture
def police(target_groups):
    return AgencyFactory(name="Northshire Police", sector="police")


@pytest.fixture
def lead(police):
    return agency_lead(full_name="Priya Shah", email="priya.shah@example.org", agency=police)


@pytest.fixture
def course():
    return CourseFactory(title="Working Together to Safeguard Children", level=LevelFactory(number=2))


def complete(tna_return, actor, *, in_scope=10, trained=4, requested=6):
    services.save_staff_counts(
        actor=actor,
        tna_return=tna_return,
        counts={line.target_group_id: (5, 1) for line in tna_return.staff_counts.all()},
    )
    services.save_needs(
        actor=actor,
        tna_return=tna_return,
        needs={n.course_id: (in_scope, trained, requested) for n in tna_return.needs.all()},
    )
    services.save_single_agency(actor=actor, tna_return=tna_return, lines={}, evaluation="Post-course questionnaires")


def test_opening_the_cycle_emails_every_active_agencys_lead(cycle, lead, course):
    AgencyFactory(name="Northshire College", active=False)
    told = services.open_cycle(actor=training_manager(), cycle=cycle)
    assert told == 1
    assert mail.outbox[-1].to == ["priya.shah@example.org"]
    assert "/tna/returns/" in mail.outbox[-1].body
    with pytest.raises(TnaError, match="already open"):
        services.open_cycle(actor=training_manager(), cycle=cycle)


def test_trained_and_in_date_is_prefilled_from_attendance(cycle, police, course):
    person = UserFactory(agency=police)
    AttendanceRecordFactory(
        booking=BookingFactory(person=person, session=SessionFactory(course=course, days_ahead=-100))
    )
    tna_return = services.start_return(agency=police, cycle=cycle)
    need = tna_return.needs.get(course=course)
    assert need.trained_in_date == 1 and need.staff_in_scope == 1


def test_trained_and_in_date_cannot_exceed_staff_in_scope(cycle, lead, course):
    tna_return = services.start_return(agency=lead.agency, cycle=cycle)
    with pytest.raises(TnaError, match=r"already trained and in date \(9\) cannot be more than staff in scope \(5\)"):
        services.save_needs(actor=lead, tna_return=tna_return, needs={course.pk: (5, 9, 2)})


def test_negative_numbers_are_refused(cycle, lead, course):
    tna_return = services.start_return(agency=lead.agency, cycle=cycle)
    with pytest.raises(TnaError, match="cannot be negative"):
        services.save_needs(actor=lead, tna_return=tna_return, needs={course.pk: (-1, 0, 0)})


def test_more_places_than_staff_in_scope_is_a_warning_not_an_error(cycle, lead, course):
    tna_return = services.start_return(agency=lead.agency, cycle=cycle)
    result = services.save_needs(actor=lead, tna_return=tna_return, needs={course.pk: (5, 0, 8)})
    assert result.warnings == [f"{course.title}: you asked for 8 places for 5 staff in scope. Check this is right."]
    assert tna_return.needs.get().places_requested == 8


def test_a_percentage_above_100_is_refused(cycle, lead, course):
    tna_return = services.start_return(agency=lead.agency, cycle=cycle)
    line = tna_return.single_agency.get()  # the course's level
    with pytest.raises(TnaError, match="cannot be more than 100"):
        services.save_single_agency(
            actor=lead, tna_return=tna_return, lines={line.level_id: (3, 120)}, evaluation="Audit"
        )


def test_submitting_needs_every_section_the_declaration_and_totals_that_agree(cycle, lead, course):
    tna_return = services.start_return(agency=lead.agency, cycle=cycle)
    with pytest.raises(TnaError, match="Complete every section first"):
        services.submit_return(actor=lead, tna_return=tna_return, declaration=True)
    complete(tna_return, lead, in_scope=20, trained=5, requested=10)
    # Figures that no longer agree (written by another path) are still refused at submit.
    tna_return.needs.update(staff_in_scope=500)
    with pytest.raises(TnaError, match="500 staff in scope is more than the 48 staff and volunteers"):
        services.submit_return(actor=lead, tna_return=tna_return, declaration=True)
    tna_return.needs.update(staff_in_scope=20)
    with pytest.raises(TnaError, match="Confirm the declaration"):
        services.submit_return(actor=lead, tna_return=tna_return, declaration=False)
    services.submit_return(actor=lead, tna_return=tna_return, declaration=True)
    tna_return.refresh_from_db()
    assert tna_return.status == ReturnStatus.SUBMITTED and tna_return.submitted_by == lead


def test_staff_in_scope_must_fit_the_agency_s_total_when_either_section_is_saved(cycle, lead, course):
    tna_return = services.start_return(agency=lead.agency, cycle=cycle)
    complete(tna_return, lead)  # 48 staff and volunteers; 10 in scope
    with pytest.raises(TnaError, match="1,200 staff in scope is more than the 48 staff and volunteers") as refused:
        services.save_needs(actor=lead, tna_return=tna_return, needs={course.pk: (1200, 4, 6)})
    assert refused.value.field == f"scope_{course.pk}"  # shown next to the course's cell
    assert tna_return.needs.get().staff_in_scope == 10  # nothing saved
    with pytest.raises(TnaError, match="10 staff in scope is more than the 8 staff and volunteers"):
        services.save_staff_counts(
            actor=lead, tna_return=tna_return, counts={g.target_group_id: (1, 0) for g in tna_return.staff_counts.all()}
        )
    assert sum(line.staff for line in tna_return.staff_counts.all()) == 40


def test_submitting_emails_the_lead_a_receipt_with_a_copy_of_the_return(cycle, lead, course):
    tna_return = services.start_return(agency=lead.agency, cycle=cycle)
    complete(tna_return, lead, in_scope=12, trained=4, requested=6)
    mail.outbox.clear()
    services.submit_return(actor=lead, tna_return=tna_return, declaration=True, site_url="https://training.example.org")
    (receipt,) = mail.outbox
    assert receipt.to == [lead.email]
    assert receipt.subject == f"Receipt: training needs return for {cycle.year} submitted"
    assert f"{course.title}: 12; 4; 6" in receipt.body
    assert "5 staff, 1 volunteer\n" in receipt.body
    assert "Post-course questionnaires" in receipt.body
    assert f"https://training.example.org/tna/returns/{tna_return.pk}" in receipt.body


def test_a_submitted_return_is_locked_until_reopened_and_every_version_is_kept(cycle, lead, course):
    tna_return = services.start_return(agency=lead.agency, cycle=cycle)
    complete(tna_return, lead)
    services.submit_return(actor=lead, tna_return=tna_return, declaration=True)
    with pytest.raises(TnaError, match="locked"):
        services.save_needs(actor=lead, tna_return=tna_return, needs={course.pk: (10, 4, 9)})
    manager = training_manager()
    with pytest.raises(TnaError, match="Enter why"):
        services.reopen_return(actor=manager, tna_return=tna_return, reason="")
    with pytest.raises(TnaError, match="Only the training manager"):
        services.reopen_return(actor=lead, tna_return=tna_return, reason="I want to")
    services.reopen_return(actor=manager, tna_return=tna_return, reason="Add the new volunteers")
    assert "Add the new volunteers" in mail.outbox[-1].body
    services.save_needs(actor=lead, tna_return=tna_return, needs={course.pk: (10, 4, 9)})
    services.submit_return(actor=lead, tna_return=tna_return, declaration=True)
    versions = list(tna_return.versions.order_by("number"))
    assert [(v.number, v.action) for v in versions] == [(1, "submitted"), (2, "reopened"), (3, "submitted")]
    assert versions[1].reason == "Add the new volunteers" and versions[1].by == manager
    assert versions[2].changes == [f"Needs, {course.title}: [10, 4, 6] → [10, 4, 9]"]


def test_another_agencys_lead_gets_404_and_staff_get_404(client, cycle, lead):
    tna_return = services.start_return(agency=lead.agency, cycle=cycle)
    other = agency_lead(agency=AgencyFactory(name="Northshire College"))
    for person in (other, UserFactory()):
        client.force_login(person)
        assert client.get(reverse("tna:return", args=[tna_return.pk])).status_code == 404
        assert client.post(reverse("tna:section", args=[tna_return.pk, "staff"]), {}).status_code == 404


def test_bad_numbers_on_the_form_get_a_clear_message_and_change_nothing(client, cycle, lead, course):
    tna_return = services.start_return(agency=lead.agency, cycle=cycle)
    client.force_login(lead)
    data = {f"scope_{course.pk}": "ten", f"trained_{course.pk}": "2", f"requested_{course.pk}": "-1"}
    page = client.post(reverse("tna:section", args=[tna_return.pk, "needs"]), data).content.decode()
    assert "There is a problem" in page
    assert f"{course.title}, staff in scope: enter a whole number" in page
    assert f"{course.title}, places requested: cannot be negative" in page
    assert tna_return.needs.get().places_requested == 0


def frozen(day):
    return datetime(day.year, day.month, day.day, 10, 0, tzinfo=LONDON)


def test_reminders_go_only_to_agencies_without_a_submitted_return_and_only_once(cycle, lead, course):
    services.open_cycle(actor=training_manager(), cycle=cycle)
    done_lead = agency_lead(email="done@example.org", agency=AgencyFactory(name="Northshire College"))
    done = services.start_return(agency=done_lead.agency, cycle=cycle)
    complete(done, done_lead)
    services.submit_return(actor=done_lead, tna_return=done, declaration=True)
    mail.outbox.clear()

    assert services.send_tna_reminders(now=frozen(date(2026, 2, 1))) == 0  # before the first offset (-14)
    assert services.send_tna_reminders(now=frozen(date(2026, 2, 13))) == 1
    assert [m.to for m in mail.outbox] == [["priya.shah@example.org"]]
    assert services.send_tna_reminders(now=frozen(date(2026, 2, 13))) == 0  # safe to run twice
    services.send_tna_reminders(now=frozen(date(2026, 3, 1)))  # one day late
    assert "overdue" in mail.outbox[-1].subject.lower() or "was due" in mail.outbox[-1].body
    assert not any("done@example.org" in m.to for m in mail.outbox)
    assert set(ReminderLog.objects.filter(kind="reminder").values_list("offset_days", flat=True)) == {-14, 1}


def test_the_training_manager_is_told_who_has_not_returned_after_the_escalation_date(cycle, lead):
    manager = training_manager(email="helen.carter@example.org")
    services.open_cycle(actor=manager, cycle=cycle)
    mail.outbox.clear()
    services.send_tna_reminders(now=frozen(date(2026, 3, 13)))
    escalation = next(m for m in mail.outbox if m.to == ["helen.carter@example.org"])
    assert "Northshire Police" in escalation.body
    services.send_tna_reminders(now=frozen(date(2026, 3, 14)))
    assert sum(1 for m in mail.outbox if m.to == ["helen.carter@example.org"]) == 1


def test_the_overview_shows_each_agencys_status_against_the_deadline(cycle, lead):
    """The deadline is 27 February 2026: the day itself is not late, the day after is, whatever today is."""
    college = AgencyFactory(name="Northshire College")
    services.start_return(agency=college, cycle=cycle)
    school = agency_lead(agency=AgencyFactory(name="Riverside Academy Trust"))
    submitted = services.start_return(agency=school.agency, cycle=cycle)
    complete(submitted, school)
    services.submit_return(actor=school, tna_return=submitted, declaration=True)
    on_the_day = {r.agency.name: r.status for r in overview(cycle, today=date(2026, 2, 27))}
    assert on_the_day == {
        "Northshire College": "Not started",
        "Northshire Police": "Not started",
        "Riverside Academy Trust": "Submitted",
    }
    day_after = {r.agency.name: r.status for r in overview(cycle, today=date(2026, 2, 28))}
    assert day_after == {
        "Northshire College": "Late",
        "Northshire Police": "Late",
        "Riverside Academy Trust": "Submitted",
    }


def test_attendance_against_need_matches_a_hand_computed_example(year, cycle, course, target_groups):
    police = AgencyFactory(name="Northshire Police")
    school = AgencyFactory(name="Riverside Academy Trust")
    for agency, requested in ((police, 8), (school, 4)):
        lead = agency_lead(agency=agency)
        tna_return = services.start_return(agency=agency, cycle=cycle)
        complete(tna_return, lead, in_scope=20, trained=0, requested=requested)
        services.submit_return(actor=lead, tna_return=tna_return, declaration=True)
    start = datetime(2026, 6, 10, 9, 30, tzinfo=LONDON)
    session = SessionFactory(
        course=course, starts_at=start, ends_at=start + timedelta(hours=7), bookings_close_at=start - timedelta(days=2)
    )
    # Police: 5 booked, 4 attended (one left early), 1 no-show; plus a walk-in.
    # School: 2 booked, 1 attended, 1 cancelled.
    for outcome in (
        Attendance.ATTENDED,
        Attendance.ATTENDED,
        Attendance.ATTENDED,
        Attendance.PARTIAL,
        Attendance.NO_SHOW,
    ):
        AttendanceRecordFactory(
            booking=BookingFactory(session=session, person=UserFactory(agency=police)), outcome=outcome
        )
    walk_in = UserFactory(agency=police)
    AttendanceRecordFactory(booking=None, session=session, person=walk_in, agency=police, walk_in=True)
    AttendanceRecordFactory(booking=BookingFactory(session=session, person=UserFactory(agency=school)))
    BookingFactory(session=session, person=UserFactory(agency=school), status=BookingStatus.CANCELLED)
    outside = SessionFactory(course=course, days_ahead=400)  # next training year
    AttendanceRecordFactory(booking=BookingFactory(session=outside, person=UserFactory(agency=school)))

    rows = {r.label: r for r in attendance_against_need(year, by="agency")}
    police_row, school_row = rows["Northshire Police"], rows["Riverside Academy Trust"]
    assert (police_row.requested, police_row.booked, police_row.attended, police_row.no_shows) == (8, 5, 5, 1)
    assert police_row.met == 63 and police_row.status == "amber"  # 5 / 8 = 62.5%, rounded half up
    assert (school_row.requested, school_row.booked, school_row.attended, school_row.no_shows) == (4, 1, 1, 0)
    assert school_row.met == 25 and school_row.status == "red"
    by_course = attendance_against_need(year, by="course")
    assert [(r.label, r.requested, r.attended) for r in by_course] == [
        ("Working Together to Safeguard Children", 12, 6)
    ]
    assert percent(165, 200) == 83


def test_board_members_see_attendance_against_need_and_staff_do_not(client, year):
    client.force_login(board_member())
    assert client.get(reverse("tna:attendance", args=[year.pk])).status_code == 200
    client.force_login(UserFactory())
    assert client.get(reverse("tna:attendance", args=[year.pk])).status_code == 403


def test_the_training_manager_sets_up_a_year_and_bad_dates_are_refused(client):
    client.force_login(training_manager())
    data = {
        "name": "2027-28",
        "starts_on": "01/04/2027",
        "ends_on": "31/03/2028",
        "children_in_need": "3500",
        "central_costs": "50000",
        "opens_on": "01/11/2026",
        "deadline": "29/01/2027",
        "instructions": "",
        "reminder_offsets": "-14, -3, 1, 7",
        "escalate_after_days": "14",
    }
    page = client.post(
        reverse("tna:new"), {**data, "deadline": "01/10/2026", "reminder_offsets": "soon"}
    ).content.decode()
    assert "The deadline must be after the date the analysis opens" in page and "Enter whole numbers of days" in page
    assert not TrainingYear.objects.exists()
    client.post(reverse("tna:new"), data)
    cycle = TnaCycle.objects.get()
    assert cycle.reminder_offsets == [-14, -3, 1, 7] and cycle.year.children_in_need == 3500


def test_contributions_are_recorded_per_agency_and_refuse_negative_amounts(client, year, police):
    from tna.models import AgencyContribution

    client.force_login(training_manager())
    page = client.post(reverse("tna:contributions", args=[year.pk]), {f"agency_{police.pk}": "-5"}).content.decode()
    assert "Northshire Police: a contribution cannot be negative" in page
    client.post(reverse("tna:contributions", args=[year.pk]), {f"agency_{police.pk}": "7500"})
    assert AgencyContribution.objects.get(year=year, agency=police).amount == 7500


def test_the_menu_takes_board_members_to_the_year_in_progress(client, year):
    client.force_login(board_member())
    response = client.get(reverse("tna:attendance-latest"))
    assert response.status_code == 302 and response.url == reverse("tna:attendance", args=[year.pk])


def test_a_lead_may_type_1_200_as_a_whole_number(client, cycle, lead, course):
    tna_return = services.start_return(agency=lead.agency, cycle=cycle)
    client.force_login(lead)
    data = {f"staff_{line.target_group_id}": "1,200" for line in tna_return.staff_counts.all()}
    data.update({f"volunteers_{line.target_group_id}": "0" for line in tna_return.staff_counts.all()})
    response = client.post(reverse("tna:section", args=[tna_return.pk, "staff"]), data)
    assert response.status_code == 302
    assert {line.staff for line in tna_return.staff_counts.all()} == {1200}


def test_need_met_leaves_out_attendance_on_courses_the_agency_requested_no_places_for(
    year, cycle, course, police, lead
):
    """The police asked for 8 places on Working Together and none on the annual conference. 4 officers
    attended Working Together and 3 the conference: 7 attended, of whom 3 on a course not requested, so
    need met is 4 / 8 = 50%, not 7 / 8 = 88%. By course, the conference shows its 3 with no need met."""
    conference = CourseFactory(title="Annual Safeguarding Conference", level=course.level)
    tna_return = services.start_return(agency=police, cycle=cycle)
    services.save_staff_counts(
        actor=lead,
        tna_return=tna_return,
        counts={line.target_group_id: (5, 1) for line in tna_return.staff_counts.all()},
    )
    services.save_needs(
        actor=lead,
        tna_return=tna_return,
        needs={n.course_id: (20, 0, 8 if n.course_id == course.pk else 0) for n in tna_return.needs.all()},
    )
    services.save_single_agency(actor=lead, tna_return=tna_return, lines={}, evaluation="Post-course questionnaires")
    services.submit_return(actor=lead, tna_return=tna_return, declaration=True)
    start = datetime(2026, 6, 10, 9, 30, tzinfo=LONDON)
    for taught, delegates in ((course, 4), (conference, 3)):
        session = SessionFactory(course=taught, starts_at=start, ends_at=start + timedelta(hours=7))
        for _ in range(delegates):
            AttendanceRecordFactory(booking=BookingFactory(session=session, person=UserFactory(agency=police)))

    police_row = attendance_against_need(year, by="agency")[0]
    assert (police_row.requested, police_row.attended, police_row.attended_unrequested) == (8, 7, 3)
    assert police_row.met == 50
    by_course = {r.label: r for r in attendance_against_need(year, by="course")}
    assert (by_course["Annual Safeguarding Conference"].attended, by_course["Annual Safeguarding Conference"].met) == (
        3,
        None,
    )
    assert by_course["Working Together to Safeguard Children"].met == 50
    level = attendance_against_need(year, by="level")[0]
    assert (level.attended, level.attended_unrequested, level.met) == (7, 3, 50)
