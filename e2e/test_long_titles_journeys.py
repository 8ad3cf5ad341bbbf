"""A course title typed without spaces (a pasted reference, a long compound word) wraps instead of
widening every page it appears on."""

import pytest

from accounts.factories import training_manager
from courses.factories import BookingFactory, CourseFactory, SessionFactory

pytestmark = pytest.mark.django_db(transaction=True)

# 150 characters without a space: wider than the window at any font size, within the title's 200.
UNBROKEN = "SafeguardingChildrenAndYoungPeopleFromExploitation" * 3


def test_pages_with_a_long_unbroken_course_title_are_no_wider_than_the_window(visitor):
    course = CourseFactory(title=UNBROKEN)
    session = SessionFactory(course=course, days_ahead=10)
    booking = BookingFactory(session=session)
    training_manager(email="helen.carter@example.org")
    visitor.sign_in("helen.carter@example.org")
    pages = [
        "/courses",
        f"/courses/{course.slug}",
        f"/sessions/{session.pk}",
        "/manage/sessions",
        f"/manage/sessions/{session.pk}",
        f"/manage/sessions/{session.pk}/register",
        "/manage/courses",
        f"/bookings/{booking.pk}",
    ]
    too_wide = {}
    for path in pages:
        page = visitor.go(path)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 1100:
            too_wide[path] = width
    assert not too_wide, f"pages wider than the 1,100 px window: {too_wide}"
