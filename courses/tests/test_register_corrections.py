"""Closing a register is confirmed on a page that says what will happen; a closed register is
reopened by the training manager with a reason, and closing it again corrects what the first close
did: certificates withdrawn or given back, charges raised or cancelled with the reason, never deleted."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.factories import AgencyFactory, UserFactory, trainer, training_manager
from accounts.models import AuditEntry
from courses.factories import BookingFactory, CourseFactory, SessionFactory
from courses.models import Attendance, BookingPolicy, Certificate, Charge, ChargeKind, FeeRate, SessionStatus
from courses.services.register import (
    RegisterError,
    close_register,
    plan_close,
    record_attendance,
    reopen_register,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def run_on_commit(immediate_on_commit):
    """Certificates, emails and signals follow each service call at once."""


@pytest.fixture
def nursery():
    agency = AgencyFactory(name="Little Acorns Day Nurseries Ltd", sector="independent", contributing=False)
    policy = BookingPolicy.current()
    policy.save()
    FeeRate.objects.create(policy=policy, category=agency.category, per_day=Decimal("85.00"), per_half_day=45)
    return agency


@pytest.fixture
def manager():
    return training_manager(full_name="Helen Morris")


@pytest.fixture
def session():
    start = timezone.now() - timedelta(hours=7)
    return SessionFactory(
        course=CourseFactory(title="Recognising and Responding to Neglect", duration_days=Decimal("1")),
        starts_at=start,
        ends_at=start + timedelta(hours=6),
        bookings_close_at=start - timedelta(days=2),
    )


@pytest.fixture
def delegates(session, nursery):
    names = ["Priya Shah", "Tom Fletcher", "Aisha Khan"]
    return [BookingFactory(session=session, person=UserFactory(full_name=n, agency=nursery)) for n in names]


def mark(manager, session, delegates, *outcomes):
    record_attendance(actor=manager, session=session, outcomes={b.pk: o for b, o in zip(delegates, outcomes)})


def live_charges(session):
    live = Charge.objects.filter(session=session, cancelled_at__isnull=True)
    return sorted((c.person.full_name, c.kind, c.amount) for c in live)


def test_the_confirmation_page_says_what_closing_will_do_and_changes_nothing(client, manager, session, delegates):
    # Two attended at £85.00 a day for one day; one did not attend at the policy's £75.00 a day.
    mark(manager, session, delegates, Attendance.ATTENDED, Attendance.PARTIAL, Attendance.NO_SHOW)
    client.force_login(manager)
    page = client.get(reverse("courses:register-close", args=[session.pk])).content.decode()
    assert "Issue 2 certificates: Priya Shah, Tom Fletcher" in page
    assert "Raise 3 charges totalling £245.00" in page
    assert "Aisha Khan, Little Acorns Day Nurseries Ltd: £75.00" in page
    assert not Certificate.objects.exists() and not Charge.objects.exists()
    session.refresh_from_db()
    assert session.register_closed_at is None


def test_closing_does_exactly_what_the_confirmation_page_said(client, manager, session, delegates):
    mark(manager, session, delegates, Attendance.ATTENDED, Attendance.PARTIAL, Attendance.NO_SHOW)
    plan = plan_close(session)
    client.force_login(manager)
    response = client.post(reverse("courses:register-close", args=[session.pk]), follow=True)
    assert "Register closed. 2 certificates issued, 0 certificates withdrawn, 3 charges raised (£245.00)" in (
        response.content.decode()
    )
    assert sorted(Certificate.objects.values_list("attendance__person__full_name", flat=True)) == sorted(
        r.person.full_name for r in plan.issue
    )
    assert live_charges(session) == sorted((c.person.full_name, c.kind, c.amount) for c in plan.raise_charges)
    assert sum(Charge.objects.values_list("amount", flat=True)) == plan.raise_total == Decimal("245.00")


def test_the_confirmation_page_refuses_while_someone_has_no_mark(client, manager, session, delegates):
    mark(manager, session, delegates[:2], Attendance.ATTENDED, Attendance.ATTENDED)
    client.force_login(manager)
    page = client.get(reverse("courses:register-close", args=[session.pk])).content.decode()
    assert "1 person has no mark" in page and "Close the register</button>" not in page
    client.post(reverse("courses:register-close", args=[session.pk]))
    session.refresh_from_db()
    assert session.register_closed_at is None and not Certificate.objects.exists()


def test_only_the_training_manager_reopens_a_register_and_gives_a_reason(client, manager, session, delegates):
    delivering = trainer(full_name="Grace Okafor")
    session.trainers.add(delivering)
    mark(manager, session, delegates, *[Attendance.ATTENDED] * 3)
    close_register(actor=manager, session=session)
    with pytest.raises(RegisterError, match="Only the training manager"):
        reopen_register(actor=delivering, session=session, reason="Wrong person marked")
    client.force_login(delivering)
    assert client.get(reverse("courses:register-reopen", args=[session.pk])).status_code == 403
    client.force_login(manager)
    page = client.post(reverse("courses:register-reopen", args=[session.pk]), {"reason": "  "}).content.decode()
    assert "Enter why the register is being reopened" in page
    session.refresh_from_db()
    assert session.register_closed_at is not None
    client.post(reverse("courses:register-reopen", args=[session.pk]), {"reason": "Aisha Khan left at lunch"})
    session.refresh_from_db()
    assert session.register_closed_at is None and session.status == SessionStatus.SCHEDULED
    assert AuditEntry.objects.filter(action="reopened register", changes__reason="Aisha Khan left at lunch").exists()


def test_a_no_show_corrected_to_attended_gets_a_certificate_and_the_fee_and_the_no_show_charge_is_cancelled(
    manager, session, delegates
):
    priya, tom, aisha = delegates
    mark(manager, session, delegates, Attendance.ATTENDED, Attendance.ATTENDED, Attendance.NO_SHOW)
    close_register(actor=manager, session=session)
    no_show = Charge.objects.get(person=aisha.person, kind=ChargeKind.NO_SHOW)

    reopen_register(actor=manager, session=session, reason="Aisha Khan signed the sign-in sheet")
    mark(manager, session, [aisha], Attendance.ATTENDED)
    plan = plan_close(session)
    assert [r.person.full_name for r in plan.issue] == ["Aisha Khan"]
    assert [(c.person.full_name, c.kind) for c in plan.raise_charges] == [("Aisha Khan", ChargeKind.FEE)]
    assert plan.cancel_charges == [no_show] and plan.cancel_total == Decimal("75.00")
    close_register(actor=manager, session=session)

    no_show.refresh_from_db()
    assert no_show.is_cancelled
    assert no_show.cancellation_reason == "Register corrected: Aisha Khan signed the sign-in sheet"
    assert live_charges(session) == [
        ("Aisha Khan", ChargeKind.FEE, Decimal("85.00")),
        ("Priya Shah", ChargeKind.FEE, Decimal("85.00")),
        ("Tom Fletcher", ChargeKind.FEE, Decimal("85.00")),
    ]
    assert Certificate.objects.filter(attendance__person=aisha.person, withdrawn_at__isnull=True).exists()
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"cancelled charge", "raised charge", "issued certificate", "closed register again"} <= actions


def test_an_attendee_corrected_to_no_show_loses_the_certificate_and_gets_it_back_when_corrected_again(
    client, manager, session, delegates
):
    priya = delegates[0]
    mark(manager, session, delegates, *[Attendance.ATTENDED] * 3)
    close_register(actor=manager, session=session)
    certificate = Certificate.objects.get(attendance__person=priya.person)

    reopen_register(actor=manager, session=session, reason="Priya Shah was marked in error")
    mark(manager, session, [priya], Attendance.NO_SHOW)
    close_register(actor=manager, session=session)
    certificate.refresh_from_db()
    assert certificate.is_withdrawn
    assert ("Priya Shah", ChargeKind.NO_SHOW, Decimal("75.00")) in live_charges(session)
    assert ("Priya Shah", ChargeKind.FEE, Decimal("85.00")) not in live_charges(session)
    page = client.get(reverse("courses:verify-certificate"), {"code": certificate.code}).content.decode()
    assert "was withdrawn" in page and "Valid certificate" not in page
    client.force_login(priya.person)
    assert client.get(reverse("courses:certificate", args=[certificate.code])).status_code == 404

    reopen_register(actor=manager, session=session, reason="She was there after all")
    mark(manager, session, [priya], Attendance.ATTENDED)
    close_register(actor=manager, session=session)
    certificate.refresh_from_db()
    assert not certificate.is_withdrawn
    assert Certificate.objects.filter(attendance__person=priya.person).count() == 1
    # The first fee was cancelled and stays on the list; a new one was raised: never deleted.
    assert Charge.objects.filter(person=priya.person, kind=ChargeKind.FEE).count() == 2
    assert ("Priya Shah", ChargeKind.FEE, Decimal("85.00")) in live_charges(session)
    assert AuditEntry.objects.filter(action="withdrew certificate", object_id=str(certificate.pk)).exists()
    assert AuditEntry.objects.filter(action="reinstated certificate", object_id=str(certificate.pk)).exists()


def test_closing_a_reopened_register_with_no_corrections_changes_nothing(manager, session, delegates):
    mark(manager, session, delegates, Attendance.ATTENDED, Attendance.ATTENDED, Attendance.NO_SHOW)
    close_register(actor=manager, session=session)
    before = (Certificate.objects.count(), Charge.objects.count())
    reopen_register(actor=manager, session=session, reason="Checking the marks")
    plan = close_register(actor=manager, session=session)
    assert plan.changes_nothing
    assert (Certificate.objects.count(), Charge.objects.count()) == before


def test_a_walk_in_given_a_certificate_cannot_be_removed(manager, session, delegates):
    from courses.services.register import add_walk_in, remove_walk_in

    mark(manager, session, delegates, *[Attendance.ATTENDED] * 3)
    record = add_walk_in(actor=manager, session=session, email=UserFactory(full_name="Jamal Jones").email)
    close_register(actor=manager, session=session)
    reopen_register(actor=manager, session=session, reason="Checking walk-ins")
    with pytest.raises(RegisterError, match="cannot be removed"):
        remove_walk_in(actor=manager, record=record)


def test_the_confirmation_page_runs_the_same_number_of_queries_for_1_and_40_delegates(
    client, manager, session, nursery
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def marked(n):
        bookings = [BookingFactory(session=session, person=UserFactory(agency=nursery)) for _ in range(n)]
        outcomes = [Attendance.ATTENDED, Attendance.NO_SHOW] * n
        mark(manager, session, bookings, *outcomes[:n])

    client.force_login(manager)
    marked(1)
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("courses:register-close", args=[session.pk]))
    marked(39)
    with CaptureQueriesContext(connection) as forty:
        page = client.get(reverse("courses:register-close", args=[session.pk])).content.decode()
    assert "Raise 40 charges" in page
    assert len(one) == len(forty)
