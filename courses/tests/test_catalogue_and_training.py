"""The public catalogue, course pages, My training and the agency lead's summary."""

import csv
import io
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.factories import AgencyFactory, UserFactory, agency_lead, training_manager
from courses.factories import (
    AttendanceRecordFactory,
    BookingFactory,
    CourseFactory,
    LevelFactory,
    PathwayRuleFactory,
    SessionFactory,
)
from courses.models import Attendance, BookingStatus, DeliveryMode, SessionStatus
from courses.selectors.training_record import Status, in_date_until, requirements_for

pytestmark = pytest.mark.django_db


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_the_catalogue_is_public_and_shows_places_left(client):
    session = SessionFactory(course=CourseFactory(title="Recognising and Responding to Neglect"), capacity=10)
    for status in (
        BookingStatus.CONFIRMED,
        BookingStatus.AWAITING_APPROVAL,
        BookingStatus.OFFERED,
        BookingStatus.WAITLISTED,
        BookingStatus.CANCELLED,
    ):
        BookingFactory(session=session, status=status)
    page = client.get(reverse("courses:catalogue")).content.decode()
    assert "Recognising and Responding to Neglect" in page
    assert "7 places left" in page  # confirmed, awaiting approval and offered hold places; waiting and cancelled do not


def test_cancelled_and_started_sessions_are_not_listed_as_upcoming(client):
    course = CourseFactory(title="Contextual Safeguarding")
    SessionFactory(course=course, status=SessionStatus.CANCELLED)
    start = timezone.now() - timedelta(hours=1)
    SessionFactory(
        course=course, starts_at=start, ends_at=start + timedelta(hours=6), bookings_close_at=start - timedelta(days=1)
    )
    page = client.get(reverse("courses:course", args=[course.slug])).content.decode()
    assert "No dates are scheduled" in page


def test_inactive_courses_answer_404(client):
    course = CourseFactory(title="Retired course", active=False)
    assert client.get(reverse("courses:course", args=[course.slug])).status_code == 404


def test_the_catalogue_searches_titles_summaries_and_outcomes(client):
    CourseFactory(
        title="Domestic Abuse and its Impact on Children", learning_outcomes="Assess risk using the DASH checklist"
    )
    CourseFactory(title="Harmful Sexual Behaviour", learning_outcomes="Use the AIM3 assessment framework")
    page = client.get(reverse("courses:catalogue"), {"q": "dash"}).content.decode()
    assert "Domestic Abuse" in page and "Harmful Sexual Behaviour" not in page


def test_the_catalogue_filters_by_level_mode_dates_and_places(client, target_groups):
    level3 = LevelFactory(number=3)
    advanced = CourseFactory(
        title="Child Protection Conferences and Core Groups", level=level3, delivery_mode=DeliveryMode.FACE_TO_FACE
    )
    advanced.target_groups.add(target_groups[4])
    online = CourseFactory(title="Safeguarding Disabled Children", delivery_mode=DeliveryMode.VIRTUAL)
    full = SessionFactory(course=online, capacity=1, days_ahead=40)
    BookingFactory(session=full)
    SessionFactory(course=advanced, days_ahead=10)
    url = reverse("courses:catalogue")
    by_level = client.get(url, {"level": level3.pk}).content.decode()
    assert "Child Protection Conferences" in by_level and "Safeguarding Disabled Children" not in by_level
    by_mode = client.get(url, {"delivery_mode": "virtual"}).content.decode()
    assert "Safeguarding Disabled Children" in by_mode and "Child Protection Conferences" not in by_mode
    by_group = client.get(url, {"target_group": target_groups[4].pk}).content.decode()
    assert "Child Protection Conferences" in by_group and "Safeguarding Disabled Children" not in by_group
    soon = (timezone.localdate() + timedelta(days=20)).strftime("%d/%m/%Y")
    by_date = client.get(url, {"date_to": soon}).content.decode()
    assert "Child Protection Conferences" in by_date and "Safeguarding Disabled Children" not in by_date
    with_places = client.get(url, {"has_places": "true"}).content.decode()
    assert "Child Protection Conferences" in with_places and "Safeguarding Disabled Children" not in with_places


def test_a_badly_written_date_filter_says_so(client):
    page = client.get(reverse("courses:catalogue"), {"date_from": "31/02/2027"}).content.decode()
    assert "There is a problem" in page and "Enter the date as DD/MM/YYYY" in page


def test_the_catalogue_runs_the_same_number_of_queries_for_1_and_100_courses(client):
    url = reverse("courses:catalogue")
    SessionFactory(course=CourseFactory(title="Course 0"))
    one = count_queries(client, url)
    for n in range(1, 100):
        SessionFactory(course=CourseFactory(title=f"Course {n}"))
    busy = CourseFactory(title="Course 100")
    for n in range(5):
        SessionFactory(course=busy, days_ahead=10 + n, venue=None)
    assert count_queries(client, url) == one
    # The first page of 20: each course's next dates, at most three, and a link to all of them.
    page = client.get(url, {"q": "Course 100"}).content.decode()
    assert page.count(", online: 20 places left</li>") == 3
    assert f'href="{reverse("courses:course", args=[busy.slug])}">All 5 dates' in page


@pytest.mark.parametrize(
    "asked, shown",
    [(None, 1), ("1", 1), ("2", 2), ("abc", 1), ("0", 2), ("9", 2), ("2.5", 1)],
)
def test_the_catalogue_pages_25_courses_in_twenties(client, asked, shown):
    for n in range(25):
        CourseFactory(title=f"Course {n:02d}")
    page = client.get(reverse("courses:catalogue"), {"page": asked} if asked else {}).content.decode()
    assert "25 courses" in page
    titles = re.findall(r">Course (\d\d)</a></h2>", page)
    assert titles == [f"{n:02d}" for n in (range(20) if shown == 1 else range(20, 25))]
    assert f'aria-current="page">{shown}</a>' in page


def test_a_course_page_runs_the_same_number_of_queries_for_1_and_30_sessions(client):
    course = CourseFactory(title="Neglect")
    course.prerequisites.add(CourseFactory(title="Basic awareness"))
    SessionFactory(course=course)
    url = reverse("courses:course", args=[course.slug])
    one = count_queries(client, url)
    for n in range(29):
        BookingFactory(session=SessionFactory(course=course, days_ahead=10 + n, capacity=1))
    assert count_queries(client, url) == one
    page = client.get(url).content.decode()
    assert page.count('data-label="When"') == 30 and page.count("Join waiting list") == 29
    assert "Basic awareness" in page


def test_the_session_list_runs_the_same_number_of_queries_for_1_and_100_sessions(client):
    client.force_login(training_manager())
    url = reverse("courses:manage-sessions")
    course = CourseFactory()
    BookingFactory(session=SessionFactory(course=course))
    one = count_queries(client, url)
    for n in range(99):
        BookingFactory(session=SessionFactory(course=course, days_ahead=10 + n))
    assert count_queries(client, url) == one
    # The manager sees how many sessions the filters find, and a page of 50 of them, each with its bookings.
    page = client.get(url).content.decode()
    assert "100 sessions" in page and page.count('data-label="Course"') == 50
    assert page.count('data-label="Booked">1</td>') == 50


def test_the_session_list_sorts_by_places_booked_and_exports_every_session_with_its_counts(client):
    client.force_login(training_manager())
    url = reverse("courses:manage-sessions")
    course = CourseFactory(title="Neglect")
    full, empty, one = (SessionFactory(course=course, days_ahead=days) for days in (10, 20, 30))
    for _ in range(3):
        BookingFactory(session=full)
    BookingFactory(session=full, status=BookingStatus.WAITLISTED)
    BookingFactory(session=full, status=BookingStatus.CANCELLED)
    BookingFactory(session=one)

    def booked(query):
        page = client.get(url + query).content.decode()
        return [cell.split("<")[0] for cell in page.split('data-label="Booked">')[1:]]

    assert booked("?sort=-taken") == ["3", "1", "0"]
    assert booked("?sort=taken") == ["0", "1", "3"]
    assert 'data-label="Waiting">1</td>' in client.get(url).content.decode()
    header, *rows = csv.reader(io.StringIO(client.get(url + "?export=csv").content.decode()))
    counts = sorted((row[header.index("Booked")], row[header.index("Waiting")]) for row in rows)
    assert counts == [("0", "0"), ("1", "0"), ("3", "1")]


# --- The pathway and My training ---------------------------------------------------------


@pytest.fixture
def pathway(target_groups):
    level2 = LevelFactory(number=2)
    level3 = LevelFactory(number=3)
    PathwayRuleFactory(target_group=target_groups[3], level=level2, refresh_months=36)
    PathwayRuleFactory(target_group=target_groups[4], level=level3, refresh_months=24)
    return level2, level3


def attended(person, course, days_ago, outcome=Attendance.ATTENDED, walk_in=False):
    session = SessionFactory(course=course, days_ahead=-days_ago)
    if walk_in:
        return AttendanceRecordFactory(
            booking=None, session=session, person=person, agency=person.agency, outcome=outcome, walk_in=True
        )
    return AttendanceRecordFactory(booking=BookingFactory(session=session, person=person), outcome=outcome)


def test_training_done_30_months_ago_is_in_date_on_a_36_month_refresher_and_overdue_on_24(pathway, target_groups):
    level2, level3 = pathway
    practitioner = UserFactory(target_group=target_groups[3])
    dsl = UserFactory(target_group=target_groups[4])
    attended(
        practitioner, CourseFactory(title="Working Together to Safeguard Children", level=level2), days_ago=30 * 30
    )
    attended(dsl, CourseFactory(title="Child Protection Conferences and Core Groups", level=level3), days_ago=30 * 30)
    records = requirements_for([practitioner, dsl])
    assert records[practitioner.pk][0].status == Status.IN_DATE
    assert records[dsl.pk][0].status == Status.OVERDUE


def test_training_expiring_within_three_months_is_due_soon(pathway, target_groups):
    level2, _ = pathway
    person = UserFactory(target_group=target_groups[3])
    attended(person, CourseFactory(title="Recognising and Responding to Neglect", level=level2), days_ago=36 * 30 - 20)
    assert requirements_for([person])[person.pk][0].status == Status.DUE_SOON


def test_a_walk_in_counts_as_done_and_a_no_show_does_not(pathway, target_groups):
    level2, _ = pathway
    course = CourseFactory(title="Working Together to Safeguard Children", level=level2)
    walked_in, absent = UserFactory(target_group=target_groups[3]), UserFactory(target_group=target_groups[3])
    attended(walked_in, course, days_ago=10, walk_in=True)
    attended(absent, course, days_ago=10, outcome=Attendance.NO_SHOW)
    records = requirements_for([walked_in, absent])
    assert records[walked_in.pk][0].status == Status.IN_DATE
    assert records[absent.pk][0].status == Status.NOT_DONE


def test_a_named_course_rule_needs_that_course(target_groups):
    from courses.models import PathwayRule

    named = CourseFactory(title="Learning from Child Safeguarding Practice Reviews", level=LevelFactory(number=4))
    PathwayRule.objects.create(target_group=target_groups[7], course=named, refresh_months=36)
    manager = UserFactory(target_group=target_groups[7])
    attended(manager, CourseFactory(title="Harmful Sexual Behaviour", level=LevelFactory(number=4)), days_ago=10)
    assert requirements_for([manager])[manager.pk][0].status == Status.NOT_DONE
    attended(manager, named, days_ago=5)
    assert requirements_for([manager])[manager.pk][0].status == Status.IN_DATE


def test_my_training_shows_requirements_bookings_and_certificates(client, pathway, target_groups):
    from courses.certificates import issue_certificate

    level2, _ = pathway
    person = UserFactory(target_group=target_groups[3])
    record = attended(person, CourseFactory(title="Working Together to Safeguard Children", level=level2), days_ago=40)
    certificate = issue_certificate(record=record)
    BookingFactory(person=person, session=SessionFactory(course=CourseFactory(title="Contextual Safeguarding")))
    client.force_login(person)
    page = client.get(reverse("courses:my-training")).content.decode()
    assert "Level 2: Inter-agency foundation" in page and "In date" in page
    assert "Contextual Safeguarding" in page and "Confirmed" in page
    assert reverse("courses:certificate", args=[certificate.code]) in page


def test_my_training_runs_the_same_number_of_queries_for_1_and_100_records(client, pathway, target_groups):
    level2, _ = pathway
    person = UserFactory(target_group=target_groups[3])
    course = CourseFactory(title="Working Together to Safeguard Children", level=level2)
    attended(person, course, days_ago=400)
    client.force_login(person)
    one = count_queries(client, reverse("courses:my-training"))
    for n in range(99):
        attended(person, course, days_ago=401 + n)
    assert count_queries(client, reverse("courses:my-training")) == one


def test_my_training_counts_confirmed_training_done_elsewhere_and_lists_all_of_it(client, pathway, target_groups):
    """The training done elsewhere is read once for the list and for the requirements: only the confirmed
    record meets the requirement, every record is listed, and more records read no more queries."""
    from courses.models import ExternalTraining, ExternalTrainingStatus

    level2, _ = pathway
    person = UserFactory(target_group=target_groups[3])
    client.force_login(person)
    url = reverse("courses:my-training")

    def done_elsewhere(title, status, days_ago):
        ExternalTraining.objects.create(
            person=person,
            level=level2,
            title=title,
            provider="Northshire County Council",
            completed_on=timezone.localdate() - timedelta(days=days_ago),
            status=status,
        )

    done_elsewhere("Neglect module", ExternalTrainingStatus.CONFIRMED, days_ago=30)
    one = count_queries(client, url)
    done_elsewhere("Early help e-learning", ExternalTrainingStatus.WAITING, days_ago=5)
    for n in range(5):
        done_elsewhere(f"Refresher {n}", ExternalTrainingStatus.DECLINED, days_ago=10 + n)
    assert count_queries(client, url) == one
    page = client.get(url).content.decode()
    # The latest record is waiting for the lead: the confirmed one still meets the requirement.
    assert "Neglect module (Northshire County Council) (done elsewhere)" in page and "In date" in page
    assert "Early help e-learning, Northshire County Council" in page and "Refresher 4" in page


def test_the_agency_lead_sees_red_amber_green_for_their_own_agency_only(client, pathway, target_groups):
    level2, _ = pathway
    police = AgencyFactory(name="Northshire Police")
    lead = agency_lead(agency=police, target_group=target_groups[3])
    trained = UserFactory(full_name="Aisha Khan", agency=police, target_group=target_groups[3])
    UserFactory(full_name="Ben Brown", agency=police, target_group=target_groups[3])
    outsider = UserFactory(full_name="Tom Fletcher", target_group=target_groups[3])
    attended(trained, CourseFactory(title="Working Together to Safeguard Children", level=level2), days_ago=20)
    client.force_login(lead)
    page = client.get(reverse("courses:agency-training")).content.decode()
    assert "Aisha Khan" in page and "Ben Brown" in page and "Tom Fletcher" not in page
    red = client.get(reverse("courses:agency-training"), {"status": "red"}).content.decode()
    assert "Ben Brown" in red and "Aisha Khan" not in red
    assert client.get(reverse("courses:person-training", args=[trained.pk])).status_code == 200
    assert client.get(reverse("courses:person-training", args=[outsider.pk])).status_code == 404


def test_namesakes_in_an_agencys_summary_keep_one_order(client, target_groups):
    # Two nurses called Sarah Jones, the later account entered first: the summary lists them by their
    # id, whichever way the names are sorted, not in the order the database happens to hold them.
    hospital = AgencyFactory(name="Northshire Hospitals NHS Trust")
    group = target_groups[2]
    UserFactory(pk=90_002, full_name="Sarah Jones", job_title="Ward sister", agency=hospital, target_group=group)
    UserFactory(pk=90_001, full_name="Sarah Jones", job_title="Staff nurse", agency=hospital, target_group=group)
    client.force_login(agency_lead(agency=hospital, target_group=target_groups[3]))
    for sort in ("full_name", "-full_name"):
        page = client.get(reverse("courses:agency-training"), {"sort": sort}).content.decode()
        assert page.index("Staff nurse") < page.index("Ward sister"), sort


def test_staff_cannot_see_an_agencys_training(client):
    client.force_login(UserFactory())
    assert client.get(reverse("courses:agency-training")).status_code == 403


def test_the_agency_summary_runs_the_same_queries_for_one_trained_person_and_many(client, pathway, target_groups):
    """People with register lines, in a group the pathway sets rules for and in one it does not: the
    page reads the same queries for one and for thirty, and shows each person's group and status."""
    level2, _ = pathway
    course = CourseFactory(title="Working Together to Safeguard Children", level=level2)
    police = AgencyFactory(name="Northshire Police")
    lead = agency_lead(agency=police, target_group=target_groups[1])
    client.force_login(lead)
    url = reverse("courses:agency-training")
    attended(UserFactory(full_name="Aisha Khan", agency=police, target_group=target_groups[3]), course, days_ago=20)
    one = count_queries(client, url)
    for n in range(29):
        person = UserFactory(agency=police, target_group=target_groups[3 if n % 2 else 1])
        attended(person, course, days_ago=20 + n)
        attended(person, course, days_ago=800 + n)
    assert count_queries(client, url) == one
    page = client.get(url).content.decode()
    done = timezone.localdate() - timedelta(days=20)
    expires = in_date_until(done, 36)  # the group's 36-month refresher
    assert "Aisha Khan" in page and "Group 3" in page and "Group 1" in page
    assert f"Level 2: Inter-agency foundation: In date (expires {expires:%-d %b %Y})" in page
    assert "None set for this group" in page


def test_the_agency_summary_runs_the_same_number_of_queries_for_1_and_100_people(client, pathway, target_groups):
    police = AgencyFactory(name="Northshire Police")
    lead = agency_lead(agency=police, target_group=target_groups[3])
    client.force_login(lead)
    url = reverse("courses:agency-training")
    one = count_queries(client, url)
    UserFactory.create_batch(99, agency=police, target_group=target_groups[3])
    assert count_queries(client, url) == one


def test_the_agency_summary_sorts_its_people_as_django_tables2_sorts_a_list():
    """The summary sorts by reading each person's value once; django-tables2 compares them through its
    accessors. Both give one order for every column either way, ties (and people with no staff group)
    included."""
    from types import SimpleNamespace

    import django_tables2 as tables

    from courses.tables_training import AgencyTrainingTable

    class AsDjangoTables2Sorts(AgencyTrainingTable):
        def __init__(self, people, **kwargs):
            tables.Table.__init__(self, list(people), **kwargs)

    people = [
        SimpleNamespace(pk=pk, full_name=name, job_title=job, target_group_number=group, rag=rag, requirements=[])
        for pk, (name, job, group, rag) in enumerate(
            [
                ("Sarah Jones", "Ward sister", 3, "red"),
                ("Aisha Khan", "", None, "green"),
                ("Sarah Jones", "Staff nurse", 3, "amber"),
                ("Ben Brown", "Ward sister", 1, "red"),
                ("Zoe Adams", "", None, "amber"),
                ("Ben Brown", "Health visitor", 6, "green"),
            ]
        )
    ]
    for column in ("full_name", "job_title", "target_group", "rag"):
        for sort in (column, f"-{column}", f"{column},-full_name"):
            ours = AgencyTrainingTable(people, order_by=sort)
            theirs = AsDjangoTables2Sorts(people, order_by=sort)
            assert [row.record.pk for row in ours.rows] == [row.record.pk for row in theirs.rows], sort
