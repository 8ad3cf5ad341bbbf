"""Invoicing: an invoice per agency per period, numbered, holding the agency's outstanding charges for
sessions in the period (never waived or cancelled ones, and a charge on one invoice at most); raised,
sent, paid; its PDF built by the worker; the charges list filtered by status."""

import shutil
import subprocess
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.factories import AgencyFactory, UserFactory, agency_lead, training_manager
from accounts.models import AuditEntry
from courses.factories import AttendanceRecordFactory, BookingFactory, CourseFactory, SessionFactory
from courses.models import Attendance, BookingPolicy, Charge, FeeRate, Invoice
from courses.services.charges import ChargeError, cancel_charge, raise_register_charge, waive_charge
from courses.services.invoices import (
    InvoiceError,
    mark_invoice_paid,
    mark_invoice_sent,
    raise_invoice,
    render_invoice_pdf,
)
from courses.services.register import RegisterError, close_register, record_attendance, reopen_register

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def run_on_commit(immediate_on_commit, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def manager():
    return training_manager(full_name="Helen Morris")


@pytest.fixture
def nursery():
    agency = AgencyFactory(name="Little Acorns Day Nurseries Ltd", sector="independent", contributing=False)
    policy = BookingPolicy.current()
    policy.invoice_address = "Northshire County Hall\nMarket Street\nNS1 1AA"
    policy.payment_instructions = "Payment within 30 days, quoting the invoice number."
    policy.save()
    FeeRate.objects.create(policy=policy, category=agency.category, per_day=Decimal("1215.00"), per_half_day=600)
    return agency


def fees(agency, *, days_ago, n, title="Working Together to Safeguard Children"):
    """n people of the agency attended a one-day session `days_ago` days ago: a £1,215.00 fee each."""
    session = SessionFactory(course=CourseFactory(title=title, duration_days=Decimal("1")), days_ahead=-days_ago)
    charges = []
    for i in range(n):
        person = UserFactory(agency=agency, full_name=f"Delegate {i + 1} {title[:8]}")
        record = AttendanceRecordFactory(booking=BookingFactory(session=session, person=person))
        charges.append(raise_register_charge(record=record))
    return charges


def this_quarter():
    today = timezone.localdate()
    return today - timedelta(days=90), today


def test_an_invoice_holds_the_agencys_outstanding_charges_for_sessions_in_the_period(manager, nursery):
    inside = fees(nursery, days_ago=20, n=4)
    waived, cancelled = fees(nursery, days_ago=30, n=2, title="Recognising and Responding to Neglect")
    waive_charge(actor=manager, charge=waived, reason="Agreed with the head teacher")
    cancel_charge(actor=manager, charge=cancelled, reason="Register corrected: not there")
    fees(nursery, days_ago=200, n=1, title="Domestic Abuse and Children")  # an older session
    fees(AgencyFactory(name="Riverside Academy Trust", contributing=False, category=nursery.category), days_ago=20, n=1)
    starts_on, ends_on = this_quarter()

    invoice = raise_invoice(actor=manager, agency=nursery, starts_on=starts_on, ends_on=ends_on)

    assert invoice.reference == "INV-00001"
    assert sorted(invoice.charges.values_list("pk", flat=True)) == sorted(c.pk for c in inside)
    assert invoice.total == Decimal("4860.00")
    assert AuditEntry.objects.filter(action="raised invoice", changes__total="£4,860.00").exists()


def test_a_charge_is_on_one_invoice_at_most(manager, nursery):
    fees(nursery, days_ago=20, n=1)
    starts_on, ends_on = this_quarter()
    first = raise_invoice(actor=manager, agency=nursery, starts_on=starts_on, ends_on=ends_on)
    with pytest.raises(InvoiceError, match="has no outstanding charges to invoice"):
        raise_invoice(actor=manager, agency=nursery, starts_on=starts_on, ends_on=ends_on)
    fees(nursery, days_ago=10, n=1, title="Recognising and Responding to Neglect")
    second = raise_invoice(actor=manager, agency=nursery, starts_on=starts_on, ends_on=ends_on)
    assert (first.number, second.number) == (1, 2)
    assert second.charges.count() == 1 and first.charges.count() == 1


def test_the_database_refuses_to_invoice_a_waived_charge(manager, nursery):
    [charge] = fees(nursery, days_ago=20, n=1)
    invoice = raise_invoice(actor=manager, agency=nursery, starts_on=this_quarter()[0], ends_on=this_quarter()[1])
    with pytest.raises(ChargeError, match="is on invoice INV-00001, so it cannot be waived"):
        waive_charge(actor=manager, charge=charge, reason="Goodwill")
    with pytest.raises(IntegrityError), transaction.atomic():
        Charge.objects.filter(pk=charge.pk).update(waived_at=timezone.now())
    assert Charge.objects.get(pk=charge.pk).invoice == invoice


def test_an_invoice_is_sent_then_paid_and_each_step_is_in_the_audit_trail(manager, nursery):
    fees(nursery, days_ago=20, n=1)
    invoice = raise_invoice(actor=manager, agency=nursery, starts_on=this_quarter()[0], ends_on=this_quarter()[1])
    with pytest.raises(InvoiceError, match="Mark INV-00001 as sent before marking it as paid"):
        mark_invoice_paid(actor=manager, invoice=invoice)
    mark_invoice_sent(actor=manager, invoice=invoice)
    invoice = mark_invoice_paid(actor=manager, invoice=invoice)
    assert invoice.status == "Paid"
    with pytest.raises(InvoiceError, match="already marked as paid"):
        mark_invoice_paid(actor=manager, invoice=invoice)
    assert {"marked invoice sent", "marked invoice paid"} <= set(AuditEntry.objects.values_list("action", flat=True))


def test_only_the_training_manager_raises_invoices(nursery):
    fees(nursery, days_ago=20, n=1)
    lead = agency_lead(agency=nursery)
    with pytest.raises(InvoiceError, match="Only the training manager"):
        raise_invoice(actor=lead, agency=nursery, starts_on=this_quarter()[0], ends_on=this_quarter()[1])
    assert not Invoice.objects.exists()


def test_the_invoice_form_shows_a_clear_message_and_raises_nothing(client, manager, nursery):
    client.force_login(manager)
    page = client.post(
        reverse("courses:invoice-new"), {"agency": nursery.pk, "starts_on": "31/02/2026", "ends_on": "01/03/2026"}
    ).content.decode()
    assert "Enter the date as DD/MM/YYYY" in page
    page = client.post(
        reverse("courses:invoice-new"), {"agency": nursery.pk, "starts_on": "01/04/2020", "ends_on": "31/03/2021"}
    ).content.decode()
    assert "Little Acorns Day Nurseries Ltd has no outstanding charges to invoice" in page
    assert not Invoice.objects.exists()


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs pdftotext (poppler-utils)")
def test_the_worker_builds_the_pdf_with_the_partnerships_details_the_lines_and_the_total(
    client, manager, nursery, tmp_path
):
    fees(nursery, days_ago=20, n=4)
    starts_on, ends_on = this_quarter()
    client.force_login(manager)
    response = client.post(
        reverse("courses:invoice-new"),
        {"agency": nursery.pk, "starts_on": f"{starts_on:%d/%m/%Y}", "ends_on": f"{ends_on:%d/%m/%Y}"},
        follow=True,
    )
    assert "Invoice INV-00001 raised to Little Acorns Day Nurseries Ltd for £4,860.00" in response.content.decode()
    invoice = Invoice.objects.get()
    pdf = client.get(reverse("courses:invoice-pdf", args=[invoice.pk]))
    assert pdf["Content-Type"] == "application/pdf"
    path = tmp_path / "invoice.pdf"
    path.write_bytes(b"".join(pdf.streaming_content))
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    text = " ".join(text.split())  # table cells wrap
    for expected in (
        "Northshire Safeguarding Children Partnership",
        "Northshire County Hall",
        "INV-00001",
        "Little Acorns Day Nurseries Ltd",
        "Working Together to Safeguard Children",
        "£1,215.00",
        "£4,860.00",
        "Payment within 30 days",
    ):
        assert expected in text, expected


def test_the_charges_list_filters_by_status(client, manager, nursery):
    invoiced, paid = fees(nursery, days_ago=60, n=2)
    [outstanding] = fees(nursery, days_ago=5, n=1, title="Recognising and Responding to Neglect")
    [waived] = fees(nursery, days_ago=5, n=1, title="Domestic Abuse and Children")
    waive_charge(actor=manager, charge=waived, reason="Goodwill")
    today = timezone.localdate()
    first = raise_invoice(actor=manager, agency=nursery, starts_on=today - timedelta(days=90), ends_on=today)
    Charge.objects.filter(pk=paid.pk).update(invoice=None)
    Charge.objects.filter(pk=outstanding.pk).update(invoice=None)
    Invoice.objects.filter(pk=first.pk).update(total=invoiced.amount)
    second = Invoice.objects.create(
        number=2,
        agency=nursery,
        period_starts_on=today,
        period_ends_on=today,
        total=paid.amount,
        sent_at=timezone.now(),
    )
    Charge.objects.filter(pk=paid.pk).update(invoice=second)
    mark_invoice_paid(actor=manager, invoice=second)
    client.force_login(manager)

    def shown(status):
        page = client.get(reverse("courses:charges"), {"waived": status}).content.decode()
        return {c.person.full_name for c in Charge.objects.all() if c.person.full_name in page}

    assert shown("outstanding") == {outstanding.person.full_name}
    assert shown("invoiced") == {invoiced.person.full_name}
    assert shown("paid") == {paid.person.full_name}
    assert shown("waived") == {waived.person.full_name}


def test_a_correction_that_would_cancel_an_invoiced_charge_is_refused(manager, nursery):
    start = timezone.now() - timedelta(hours=8)
    session = SessionFactory(
        course=CourseFactory(duration_days=Decimal("1")), starts_at=start, ends_at=start + timedelta(hours=6)
    )
    booking = BookingFactory(session=session, person=UserFactory(full_name="Priya Shah", agency=nursery))
    record_attendance(actor=manager, session=session, outcomes={booking.pk: Attendance.ATTENDED})
    close_register(actor=manager, session=session)
    # The invoice covers the day the session ran, which before 8 in the morning is yesterday.
    ran_on = timezone.localdate(start)
    raise_invoice(actor=manager, agency=nursery, starts_on=ran_on, ends_on=ran_on)
    reopen_register(actor=manager, session=session, reason="Priya Shah was not there")
    record_attendance(actor=manager, session=session, outcomes={booking.pk: Attendance.NO_SHOW})
    with pytest.raises(RegisterError, match="is on invoice INV-00001: it cannot be cancelled"):
        close_register(actor=manager, session=session)


def test_the_invoices_list_runs_the_same_number_of_queries_for_1_and_100_invoices(client, manager, nursery):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    today = timezone.localdate()

    def invoices(start, n):
        for number in range(start, start + n):
            Invoice.objects.create(
                number=number, agency=nursery, period_starts_on=today, period_ends_on=today, total=Decimal("50")
            )

    client.force_login(manager)
    invoices(1, 1)
    with CaptureQueriesContext(connection) as one:
        assert client.get(reverse("courses:invoices")).status_code == 200
    invoices(2, 99)
    with CaptureQueriesContext(connection) as hundred:
        client.get(reverse("courses:invoices"))
    assert len(one) == len(hundred)


def test_an_invoice_left_without_its_pdf_is_built_by_the_sweep(manager, nursery, monkeypatch):
    from courses import tasks

    fees(nursery, days_ago=20, n=1)

    def broker_down(*args, **kwargs):
        raise ConnectionError("the broker is down")

    monkeypatch.setattr(tasks.build_invoice, "delay", broker_down)
    invoice = raise_invoice(actor=manager, agency=nursery, starts_on=this_quarter()[0], ends_on=this_quarter()[1])
    invoice.refresh_from_db()
    assert not invoice.file
    assert tasks.build_missing_invoices() == 1
    invoice.refresh_from_db()
    assert invoice.file.name.endswith(".pdf")
    assert tasks.build_missing_invoices() == 0


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs pdftotext (poppler-utils)")
def test_an_invoice_over_two_pages_keeps_each_line_whole_and_prints_the_total_once(client, manager, nursery, tmp_path):
    """Fourteen lines run onto a second page: the column headings repeat there, no line is split
    between the pages, and "Total due" is printed once, after the last line."""
    fees(nursery, days_ago=20, n=14)
    starts_on, ends_on = this_quarter()
    invoice = raise_invoice(actor=manager, agency=nursery, starts_on=starts_on, ends_on=ends_on)
    path = tmp_path / "invoice.pdf"
    path.write_bytes(render_invoice_pdf(invoice))
    pages = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    pages = [" ".join(page.split()) for page in pages.split("\f") if page.strip()]
    assert len(pages) >= 2
    assert " ".join(pages).count("Total due") == 1 and "Total due £17,010.00" in pages[-1]
    for n in range(1, 15):
        # A line's person, course and fee are on the same page.
        (page,) = [p for p in pages if f"Delegate {n} Working " in p]
        assert "Working Together to Safeguard Children" in page and "Course fee" in page
