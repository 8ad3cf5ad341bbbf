"""Retention rules (dry run, then applied, safe twice) and erasure requests."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts import retention
from accounts.factories import AgencyFactory, UserFactory, training_manager
from accounts.models import AuditEntry, OutgoingEmail, User
from courses.factories import AttendanceRecordFactory, SessionFactory
from pool.factories import MembershipFactory
from pool.models import MembershipStatus

pytestmark = pytest.mark.django_db


def years_ago(n):
    return timezone.now() - timedelta(days=round(365.25 * n))


def test_inactive_accounts_lose_their_contact_details_but_keep_their_attendance(target_groups):
    agency = AgencyFactory(name="Northshire Police")
    old = UserFactory(
        full_name="Aisha Khan",
        email="aisha.khan@example.org",
        job_title="PC",
        agency=agency,
        line_manager_email="sgt@example.org",
        date_joined=years_ago(8),
    )
    User.objects.filter(pk=old.pk).update(last_login=years_ago(7))
    record = AttendanceRecordFactory(
        session=SessionFactory(days_ahead=-7 * 365), person=old, agency=agency, booking=None
    )
    recent = UserFactory(date_joined=years_ago(8))
    User.objects.filter(pk=recent.pk).update(last_login=years_ago(1))

    preview = {item.rule.key: item for item in retention.dry_run()}
    assert preview["inactive-accounts"].count == 1
    assert "Aisha Khan" in preview["inactive-accounts"].examples[0]
    assert User.objects.get(pk=old.pk).email == "aisha.khan@example.org"  # a dry run removes nothing

    assert retention.apply_retention()["inactive-accounts"] == 1
    old.refresh_from_db()
    assert old.email == f"removed-{old.pk}@removed.invalid" and old.job_title == "" and old.line_manager_email == ""
    assert not old.is_active and not old.has_usable_password() and old.anonymised_at
    assert old.full_name == "Aisha Khan"
    record.refresh_from_db()
    assert record.person_id == old.pk
    assert retention.apply_retention()["inactive-accounts"] == 0  # safe to run twice
    assert User.objects.get(pk=recent.pk).anonymised_at is None


def test_the_training_manager_sets_the_periods(client):
    manager = training_manager()
    OutgoingEmail.objects.create(
        to=["a@example.org"], subject="Old news", body_text="x", sent_at=timezone.now() - timedelta(days=100)
    )
    client.force_login(manager)
    response = client.post(
        reverse("manage:retention"),
        {"inactive-accounts": "6", "unconfirmed-sign-ups": "0", "sent-emails": "3", "audit-trail": "7"},
    )
    assert "Enter at least 1 day" in response.content.decode()
    client.post(
        reverse("manage:retention"),
        {"inactive-accounts": "6", "unconfirmed-sign-ups": "30", "sent-emails": "3", "audit-trail": "7"},
    )
    page = client.get(reverse("manage:retention")).content.decode()
    assert "Copies of emails sent: 1 (older than 3 months)" in page
    assert retention.apply_retention()["sent-emails"] == 1
    assert AuditEntry.objects.filter(action="changed retention period").exists()


def test_an_erasure_request_removes_contact_details_and_explains_what_is_kept(client, target_groups):
    manager = training_manager()
    person = UserFactory(full_name="Tom Fletcher", email="tom.fletcher@example.org", job_title="Year 6 teacher")
    MembershipFactory(person=person, status=MembershipStatus.ACTIVE, experience="Twenty years teaching")
    OutgoingEmail.objects.create(
        to=["tom.fletcher@example.org"], subject="Your place is confirmed", body_text="Working Together"
    )
    AttendanceRecordFactory(session=SessionFactory(days_ahead=-30), person=person, booking=None)
    client.force_login(manager)
    page = client.get(reverse("manage:person-erase", args=[person.pk])).content.decode()
    assert "What is kept, and why" in page and "1 attendance record" in page
    response = client.post(reverse("manage:person-erase", args=[person.pk]), {"reference": "DP-2026-014"})
    assert "Confirm that you have checked the request" in response.content.decode()
    assert User.objects.get(pk=person.pk).email == "tom.fletcher@example.org"
    client.post(reverse("manage:person-erase", args=[person.pk]), {"reference": "DP-2026-014", "confirm": "on"})
    person.refresh_from_db()
    assert person.email.endswith("@removed.invalid") and person.job_title == "" and person.full_name == "Tom Fletcher"
    assert not OutgoingEmail.objects.filter(subject="Your place is confirmed").exists()
    membership = person.pool_membership
    assert membership.status == MembershipStatus.LEFT and "Twenty years" not in membership.experience
    assert person.attendance.count() == 1
    assert AuditEntry.objects.filter(action="erased personal details", changes__request="DP-2026-014").exists()


def test_an_erasure_removes_access_needs_and_certificates_of_training_done_elsewhere(target_groups, settings, tmp_path):
    from django.core.files.base import ContentFile

    from courses.factories import BookingFactory, LevelFactory
    from courses.models import Booking, ExternalTraining

    settings.MEDIA_ROOT = tmp_path
    person = UserFactory(full_name="Tom Fletcher")
    booking = BookingFactory(person=person, access_needs="Type 1 diabetes: a break at 11:00")
    record = ExternalTraining.objects.create(
        person=person,
        level=LevelFactory(number=1),
        title="Safeguarding children: basic awareness",
        provider="Riverside e-learning",
        completed_on=timezone.localdate() - timedelta(days=90),
        certificate=ContentFile(b"%PDF-1.4", name="certificate.pdf"),
    )
    stored = record.certificate.path
    retention.erase_person(actor=training_manager(), person=person, reference="DP-2026-015")
    assert Booking.objects.get(pk=booking.pk).access_needs == ""
    record.refresh_from_db()
    assert not record.certificate and record.title == "Safeguarding children: basic awareness"
    assert not (tmp_path / stored).exists()
