"""Everything the service holds about a person, gathered from every app (accounts/privacy.py)."""

import pytest
from django.urls import reverse

from accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_person_downloads_everything_the_service_holds_about_them(client, django_capture_on_commit_callbacks):
    import json

    from courses.factories import AttendanceRecordFactory, BookingFactory, CourseFactory, SessionFactory

    person = UserFactory(full_name="Aisha Khan", email="aisha.khan@example.org")
    other = UserFactory(full_name="Ben Brown")
    AttendanceRecordFactory(
        booking=BookingFactory(
            person=person, session=SessionFactory(course=CourseFactory(title="Contextual Safeguarding"), days_ahead=-5)
        )
    )
    BookingFactory(person=other)
    from accounts.mail import queue_email

    queue_email(
        to=person.email,
        subject="Booking confirmed: Contextual Safeguarding",
        template="verify_email",
        context={"person": person, "link": "x", "days": 3},
    )
    client.force_login(person)
    response = client.get(reverse("accounts:my-data"))
    assert response["Content-Disposition"] == 'attachment; filename="my-data.json"'
    data = json.loads(response.content)
    assert data["accounts"]["account"]["email"] == "aisha.khan@example.org"
    assert [b["course"] for b in data["courses"]["bookings"]] == ["Contextual Safeguarding"]
    assert data["courses"]["attendance"][0]["attendance"] == "Attended"
    assert [e["subject"] for e in data["accounts"]["emails_sent_to_you"]] == [
        "Booking confirmed: Contextual Safeguarding"
    ]
    assert "Ben Brown" not in response.content.decode()
