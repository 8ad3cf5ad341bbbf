"""Markup in a delegate's name on the register: the trainer's saved register is what the trainer ticked.

A person once set their name to carry a hidden field named after a colleague's booking; the register
printed it as markup and the trainer's save recorded the colleague as Did not attend.
"""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.factories import AgencyFactory, UserFactory, trainer
from courses.factories import BookingFactory, CourseFactory, SessionFactory
from courses.models import Attendance, AttendanceRecord

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_name_with_markup_on_the_register_does_not_change_what_the_trainer_saves(visitor):
    health = AgencyFactory(name="Northshire Community Health NHS Trust", sector="health")
    start = timezone.now() - timedelta(hours=2)
    session = SessionFactory(
        course=CourseFactory(title="Working Together to Safeguard Children"),
        starts_at=start,
        ends_at=start + timedelta(hours=6),
        bookings_close_at=start - timedelta(days=2),
    )
    delivering = trainer(full_name="Priya Shah", email="priya.shah@example.org", agency=health)
    session.trainers.add(delivering)
    olivia = BookingFactory(session=session, person=UserFactory(full_name="Olivia Grant", agency=health))
    sam = UserFactory(full_name="Sam Newman", email="sam.newman@example.org", agency=health)
    BookingFactory(session=session, person=sam)
    hostile_name = f'Sam Newman<input type="hidden" name="b{olivia.pk}" value="no_show">'

    # Sam types the markup into his own name on his profile.
    page = visitor.sign_in("sam.newman@example.org")
    visitor.go("/account/profile/edit")
    page.get_by_label("Full name").fill(hostile_name)
    page.get_by_role("button", name="Save changes").click()
    visitor.check()
    sam.refresh_from_db()
    assert sam.full_name == hostile_name
    page.get_by_role("button", name="Sign out").click()

    page = visitor.sign_in("priya.shah@example.org")
    visitor.go(f"/manage/sessions/{session.pk}/register")
    # The name is shown as the person typed it, not obeyed.
    expect(page.get_by_role("group", name=re.compile("Sam Newman<input"))).to_be_visible()
    assert page.locator(f'input[type="hidden"][name="b{olivia.pk}"]').count() == 0
    attended = page.get_by_label("Attended", exact=True)
    assert attended.count() == 2
    for n in range(attended.count()):
        attended.nth(n).check()
    page.get_by_role("button", name="Save register").click()
    visitor.check()

    saved = {r.booking.person.full_name: r.outcome for r in AttendanceRecord.objects.select_related("booking__person")}
    assert saved == {"Olivia Grant": Attendance.ATTENDED, sam.full_name: Attendance.ATTENDED}
