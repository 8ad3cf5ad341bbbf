"""Figures the programme pages share have one definition: the default booking cut-off and the
sessions a trainer delivers."""

from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.factories import trainer, training_manager
from courses.factories import CourseFactory, SessionFactory, VenueFactory
from courses.selectors.booking import sessions_a_trainer_delivers
from courses.services.programme import booking_cut_off

from .test_manage_programme import session_post

pytestmark = pytest.mark.django_db


def _local(text: str) -> datetime:
    return timezone.make_aware(datetime.strptime(text, "%d/%m/%Y %H:%M"))


@pytest.mark.parametrize(
    ("first", "cut_off"),
    [
        # A Wednesday session: Tuesday and Monday are the two working days before.
        ("13/01/2027 09:30", "11/01/2027 17:00"),
        # A Monday session: the weekend is not working days, so the Thursday before.
        ("18/01/2027 13:00", "14/01/2027 17:00"),
        # Tuesday 29 December 2026: Monday 28th (Boxing Day's substitute), Christmas Day and
        # the weekend are not working days; Thursday 24th and Wednesday 23rd are.
        ("29/12/2026 10:00", "23/12/2026 17:00"),
    ],
)
def test_the_default_cut_off_is_five_pm_two_working_days_before_the_first_date(first, cut_off):
    assert booking_cut_off(first_starts_at=_local(first)) == _local(cut_off)


def test_a_cut_off_date_without_a_time_closes_at_five_pm():
    chosen = _local("08/01/2027 00:00").date()
    assert booking_cut_off(first_starts_at=_local("13/01/2027 09:30"), close_date=chosen) == _local("08/01/2027 17:00")


def test_the_session_form_states_the_default_and_the_page_applies_it(client):
    client.force_login(training_manager())
    page = client.get(reverse("courses:manage-session-new")).content.decode()
    assert "Leave empty for 17:00, 2 working days before the first date." in page
    course, venue = CourseFactory(title="Safeguarding Adolescents"), VenueFactory()
    client.post(reverse("courses:manage-session-new"), session_post(course, venue))
    session = course.sessions.get()
    close = timezone.localtime(session.bookings_close_at)
    assert f"{close:%H:%M}" == "17:00" and close.weekday() < 5
    assert session.bookings_close_at == booking_cut_off(first_starts_at=session.starts_at)


def test_sessions_a_trainer_delivers_reach_back_about_three_months(client):
    person = trainer(full_name="Priya Shah")
    now = timezone.now()

    def delivered(days_ago, **kwargs):
        start = now - timedelta(days=days_ago)
        return SessionFactory(
            course=CourseFactory(title=f"Session {days_ago} days ago"),
            starts_at=start,
            ends_at=start + timedelta(hours=6),
            bookings_close_at=start - timedelta(days=2),
            trainers=[person],
            **kwargs,
        )

    upcoming = SessionFactory(course=CourseFactory(title="Neglect"), trainers=[person])
    recent = delivered(70)  # within three months: its register is still in reach
    delivered(100)  # too long ago
    delivered(10, status="cancelled")
    SessionFactory(course=CourseFactory(title="Someone else's session"))
    assert sessions_a_trainer_delivers(person) == [recent, upcoming]
