"""The register, the charges list and an agency's training served from the page cache between writes
(common/pagecache.py): a change shows on the next view, and nobody gets a page built for someone else."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.factories import AgencyFactory, UserFactory, agency_lead, trainer
from accounts.factories import training_manager as make_training_manager
from accounts.services import move_person_to_agency
from conftest import SIGNED_IN_QUERIES, served_twice, signed_in
from courses.factories import AttendanceRecordFactory, BookingFactory, LevelFactory, SessionFactory
from courses.models import Attendance, ExternalTraining, ExternalTrainingStatus
from courses.services.charges import raise_register_charge, waive_charge
from courses.services.register import record_attendance

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_cache_on")]


@pytest.fixture
def manager():
    return make_training_manager(full_name="Helen Carter")


# --- A session's register ----------------------------------------------------------------------


def marked(page: str, booking, outcome: str) -> bool:
    """Whether the register shows `booking` marked with `outcome`."""
    radio = re.search(rf'<input[^>]*name="b{booking.pk}"[^>]*value="{outcome}"[^>]*>', page)
    return "checked" in radio.group(0)


def csrf_token(page: str) -> str:
    """The page's one CSRF token, in the register's forms and the sign-out form alike."""
    [token] = set(re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', page))
    assert "<!--" not in token
    return token


def test_the_register_is_served_again_unchanged_and_shows_a_mark_at_once(today_session):
    delivering = trainer(full_name="Grace Okafor")
    today_session.trainers.add(delivering)
    booking = BookingFactory(session=today_session, person=UserFactory(full_name="Aisha Khan"))
    client = signed_in(delivering)
    url = reverse("courses:register", args=[today_session.pk])
    page = served_twice(client, url)
    assert "Aisha Khan" in page and not marked(page, booking, "attended")
    record_attendance(actor=delivering, session=today_session, outcomes={booking.pk: Attendance.ATTENDED})
    assert marked(served_twice(client, url), booking, "attended")


def test_the_register_served_from_the_cache_saves_with_the_readers_own_csrf_token(today_session):
    delivering = trainer(full_name="Grace Okafor")
    today_session.trainers.add(delivering)
    booking = BookingFactory(session=today_session)
    url = reverse("courses:register", args=[today_session.pk])
    # As a browser checks it: the token in the cached page must be this reader's own.
    laptop, phone = signed_in(delivering, enforce_csrf_checks=True), signed_in(delivering, enforce_csrf_checks=True)
    built = laptop.get(url).content.decode()
    with CaptureQueriesContext(connection) as queries:
        page = phone.get(url).content.decode()
    assert len(queries) <= SIGNED_IN_QUERIES  # the page the laptop built
    assert page.replace(csrf_token(page), "") == built.replace(csrf_token(built), "")
    token = csrf_token(page)
    response = phone.post(url, {"csrfmiddlewaretoken": token, "save": "1", f"b{booking.pk}": "attended"})
    assert response.status_code == 302
    assert marked(phone.get(url).content.decode(), booking, "attended")


def test_a_trainer_not_delivering_the_session_still_gets_404_once_the_register_is_cached(today_session, manager):
    delivering = trainer(full_name="Grace Okafor")
    today_session.trainers.add(delivering)
    BookingFactory(session=today_session, person=UserFactory(full_name="Aisha Khan"))
    url = reverse("courses:register", args=[today_session.pk])
    # Signing in is a write: everyone has signed in before anyone looks.
    theirs, someone_else, staff, managers = (
        signed_in(delivering),
        signed_in(trainer(full_name="Someone Else")),
        signed_in(UserFactory()),
        signed_in(manager),
    )
    assert "Aisha Khan" in served_twice(theirs, url)
    assert someone_else.get(url).status_code == 404
    assert staff.get(url).status_code == 404
    assert "Back to the session" in served_twice(managers, url)  # the training manager's own page
    assert "Back to the session" not in theirs.get(url).content.decode()


def test_a_trainer_assigned_or_taken_off_a_session_finds_its_register_opened_or_closed_to_them(today_session):
    delivering, colleague = trainer(full_name="Grace Okafor"), trainer(full_name="Tom Fletcher")
    today_session.trainers.add(delivering)
    url = reverse("courses:register", args=[today_session.pk])
    theirs, colleagues = signed_in(delivering), signed_in(colleague)
    served_twice(theirs, url)
    assert colleagues.get(url).status_code == 404
    today_session.trainers.add(colleague)
    today_session.trainers.remove(delivering)
    assert colleagues.get(url).status_code == 200
    assert theirs.get(url).status_code == 404


# --- The charges list --------------------------------------------------------------------------


def no_show_charge(agency, name: str):
    record = AttendanceRecordFactory(
        booking=BookingFactory(
            person=UserFactory(full_name=name, agency=agency), session=SessionFactory(days_ahead=-3)
        ),
        outcome=Attendance.NO_SHOW,
    )
    return raise_register_charge(record=record)


def test_a_waived_charge_shows_on_the_next_view_of_the_charges(nursery, manager):
    charge = no_show_charge(nursery, "Sam Wilde")
    client = signed_in(manager)
    url = reverse("courses:charges")
    page = served_twice(client, url)
    assert "Sam Wilde" in page and "Off sick with a doctor&#x27;s note" not in page and "Waive<span" in page
    waive_charge(actor=manager, charge=charge, reason="Off sick with a doctor's note")
    page = served_twice(client, url)
    assert "Off sick with a doctor&#x27;s note" in page and "Waive<span" not in page


def test_each_agency_lead_sees_only_their_own_agencys_charges_from_the_cache(nursery):
    no_show_charge(nursery, "Sam Wilde")
    college = AgencyFactory(name="Northshire College", contributing=False, category=nursery.category)
    no_show_charge(college, "Ben Brown")
    # Signing in is a write: everyone has signed in before anyone looks.
    nursery_lead, college_lead, staff = (
        signed_in(agency_lead(agency=nursery)),
        signed_in(agency_lead(agency=college)),
        signed_in(UserFactory(agency=nursery)),
    )
    nursery_page = served_twice(nursery_lead, reverse("courses:charges"))
    college_page = served_twice(college_lead, reverse("courses:charges"))
    assert "Sam Wilde" in nursery_page and "Ben Brown" not in nursery_page
    assert "Ben Brown" in college_page and "Sam Wilde" not in college_page
    assert staff.get(reverse("courses:charges")).status_code == 403


# --- An agency's training ----------------------------------------------------------------------


def test_someone_moved_into_an_agency_shows_on_the_next_view_of_its_training(manager, target_groups):
    police = AgencyFactory(name="Northshire Police")
    UserFactory(full_name="Aisha Khan", agency=police, target_group=target_groups[3])
    newcomer = UserFactory(full_name="Tom Fletcher", agency=AgencyFactory(), target_group=target_groups[3])
    client = signed_in(manager)
    url = reverse("courses:agency-training") + f"?agency={police.pk}"
    page = served_twice(client, url)
    assert "Aisha Khan" in page and "Tom Fletcher" not in page
    move_person_to_agency(actor=manager, person=newcomer, agency=police)
    assert "Tom Fletcher" in served_twice(client, url)


def test_a_lead_still_sees_their_own_agency_whichever_agency_the_cached_page_was_for(manager, target_groups):
    police, school = AgencyFactory(name="Northshire Police"), AgencyFactory(name="Riverside Academy Trust")
    UserFactory(full_name="Aisha Khan", agency=police, target_group=target_groups[3])
    UserFactory(full_name="Ben Brown", agency=school, target_group=target_groups[3])
    url = reverse("courses:agency-training") + f"?agency={police.pk}"
    # Signing in is a write: everyone has signed in before anyone looks.
    managers, police_lead, school_lead, staff = (
        signed_in(manager),
        signed_in(agency_lead(agency=police)),
        signed_in(agency_lead(agency=school)),
        signed_in(UserFactory(agency=police)),
    )
    assert "Aisha Khan" in served_twice(managers, url)
    assert "Aisha Khan" in served_twice(police_lead, url)
    schools_page = served_twice(school_lead, url)  # a lead's own agency, whichever is asked for
    assert "Ben Brown" in schools_page and "Aisha Khan" not in schools_page
    assert staff.get(url).status_code == 403


def test_two_leads_of_one_agency_each_see_the_training_elsewhere_they_have_to_confirm(target_groups):
    police = AgencyFactory(name="Northshire Police")
    priya, sam = agency_lead(agency=police), agency_lead(agency=police)
    # Priya's own record waits for another lead: Sam confirms it; Priya cannot confirm her own.
    ExternalTraining.objects.create(
        person=priya,
        level=LevelFactory(number=2),
        title="Early help e-learning",
        provider="Northshire County Council",
        completed_on=timezone.localdate() - timedelta(days=5),
        status=ExternalTrainingStatus.WAITING,
    )
    url = reverse("courses:agency-training")
    # Signing in is a write: both have signed in before either looks.
    sams, priyas = signed_in(sam), signed_in(priya)
    assert "1 record of training done elsewhere to confirm" in served_twice(sams, url)
    assert "training done elsewhere to confirm" not in served_twice(priyas, url)
