"""Getting paid: the training manager raises an invoice to an agency for a period, reads its PDF,
marks it sent and then paid, and finds its charges as paid on the charges list."""

import subprocess
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.factories import AgencyFactory, OrganisationCategoryFactory, UserFactory, training_manager
from courses.factories import (
    AttendanceRecordFactory,
    BookingFactory,
    BookingPolicyFactory,
    CourseFactory,
    SessionFactory,
)
from courses.models import FeeRate, Invoice
from courses.services.charges import raise_register_charge

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def nursery():
    category = OrganisationCategoryFactory(name="Private or independent provider")
    policy = BookingPolicyFactory()
    policy.invoice_address = "Northshire County Hall\nMarket Street\nNS1 1AA"
    policy.payment_instructions = "Payment within 30 days by BACS, quoting the invoice number."
    policy.save()
    FeeRate.objects.create(policy=policy, category=category, per_day=Decimal("1215.00"), per_half_day=600)
    return AgencyFactory(
        name="Little Acorns Day Nurseries Ltd", sector="independent", category=category, contributing=False
    )


def test_an_invoice_is_raised_read_sent_and_paid(visitor, nursery, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    session = SessionFactory(
        course=CourseFactory(title="Working Together to Safeguard Children", duration_days=Decimal("1")),
        days_ahead=-20,
    )
    for name in ("Aisha Khan", "Ben Brown", "Chloe Campbell", "Daniel Evans"):
        record = AttendanceRecordFactory(
            booking=BookingFactory(session=session, person=UserFactory(full_name=name, agency=nursery))
        )
        raise_register_charge(record=record)
    training_manager(full_name="Helen Carter", email="helen.carter@example.org")
    today = timezone.localdate()

    page = visitor.sign_in("helen.carter@example.org")
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Charges").click()
    visitor.check()
    page.get_by_role("link", name="See the invoices").click()
    visitor.check()
    page.get_by_role("button", name="Raise an invoice").click()
    visitor.check()
    page.get_by_role("button", name="Raise invoice").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select the agency to invoice")
    visitor.check()
    page.get_by_label("Agency").select_option(label="Little Acorns Day Nurseries Ltd")
    page.get_by_label("Sessions from (DD/MM/YYYY)").fill(f"{today - timedelta(days=90):%d/%m/%Y}")
    page.get_by_label("Sessions to (DD/MM/YYYY)").fill(f"{today:%d/%m/%Y}")
    page.get_by_role("button", name="Raise invoice").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Invoice INV-00001 raised to Little Acorns Day Nurseries Ltd for £4,860.00", use_inner_text=True
    )
    visitor.check()

    with page.expect_download() as download:
        page.get_by_role("link", name="Download INV-00001 (PDF)").click()
    pdf = tmp_path / "invoice.pdf"
    download.value.save_as(pdf)
    text = " ".join(
        subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout.split()
    )
    for expected in (
        "INV-00001",
        "Northshire County Hall",
        "Little Acorns Day Nurseries Ltd",
        "Daniel Evans",
        "£1,215.00",
        "Total due £4,860.00",
    ):
        assert expected in text, expected

    page.get_by_role("button", name="Mark as sent").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("INV-00001 marked as sent", use_inner_text=True)
    visitor.check()
    page.get_by_role("button", name="Mark as paid").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("INV-00001 marked as paid", use_inner_text=True)
    expect(page.locator("#invoice-summary")).to_contain_text("Paid")
    visitor.check()
    assert Invoice.objects.get().paid_at is not None

    visitor.go("/manage/charges?waived=paid")
    table = page.locator("table").first.inner_text()
    assert table.count("Paid") == 4 and "INV-00001" in table
    visitor.go("/manage/charges?waived=outstanding")
    assert "Aisha Khan" not in page.content()
