"""Invoicing: the training manager asks an agency to pay for a period.

An invoice gathers the agency's outstanding charges for sessions in the period (by the session's
date, `selectors.charges.charges_of_period`); waived and cancelled charges are never invoiced, and a
charge is on one invoice at most (a foreign key, and a constraint that only live charges are
invoiced). Invoices are numbered in one sequence, raised, then marked sent, then paid; each step is
in the audit trail. The PDF is built by the worker (`tasks.build_invoice`) from the lines as raised.
"""

from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import Max, Sum
from django.utils import timezone

from accounts.audit import log_action
from accounts.selectors import partnership_context
from common.errors import DomainError
from common.money import format_money

from ..models import Charge, Invoice
from ..selectors.charges import invoiceable_charges


class InvoiceError(DomainError):
    pass


def _require_manager(actor) -> None:
    if not actor.is_training_manager:
        raise InvoiceError("Only the training manager can raise and update invoices.")


def _next_number() -> int:
    return (Invoice.objects.aggregate(n=Max("number"))["n"] or 0) + 1


def raise_invoice(*, actor, agency, starts_on: date, ends_on: date) -> Invoice:
    """Invoice the agency's outstanding charges for sessions from `starts_on` to `ends_on`."""
    _require_manager(actor)
    if ends_on < starts_on:
        raise InvoiceError("The end of the period must be on or after its start", field="ends_on")
    for _ in range(5):
        try:
            with transaction.atomic():
                return _raise_invoice(actor=actor, agency=agency, starts_on=starts_on, ends_on=ends_on)
        except IntegrityError:  # another invoice took the number at the same moment: take the next
            continue
    raise InvoiceError("Could not number the invoice. Try again.")


def _raise_invoice(*, actor, agency, starts_on, ends_on) -> Invoice:
    # Lock the charges so a waiver or another invoice cannot take them while this one is raised.
    charge_ids = list(
        invoiceable_charges(agency=agency, starts_on=starts_on, ends_on=ends_on)
        .select_for_update(of=("self",))
        .values_list("pk", flat=True)
    )
    charges = Charge.objects.filter(pk__in=charge_ids, invoice__isnull=True, waived_at__isnull=True)
    total = charges.aggregate(total=Sum("amount"))["total"]
    if not total:
        raise InvoiceError(
            f"{agency.name} has no outstanding charges to invoice for sessions from "
            f"{starts_on:%-d %B %Y} to {ends_on:%-d %B %Y}.",
            field="agency",
        )
    invoice = Invoice.objects.create(
        number=_next_number(),
        agency=agency,
        period_starts_on=starts_on,
        period_ends_on=ends_on,
        total=total,
        raised_by=actor,
    )
    lines = charges.update(invoice=invoice)
    log_action(
        actor=actor,
        action="raised invoice",
        obj=invoice,
        changes={"agency": agency.name, "charges": lines, "total": format_money(total)},
    )
    invoice_id = invoice.pk

    def build_pdf():
        from ..tasks import build_invoice

        try:
            build_invoice.delay(invoice_id)
        except Exception:  # the broker is down: the beat sweep (tasks.build_missing_invoices) builds it
            pass

    transaction.on_commit(build_pdf)
    return invoice


@transaction.atomic
def mark_invoice_sent(*, actor, invoice: Invoice) -> Invoice:
    _require_manager(actor)
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if invoice.sent_at:
        raise InvoiceError(f"{invoice.reference} was already marked as sent.")
    invoice.sent_at = timezone.now()
    invoice.save(update_fields=["sent_at"])
    log_action(actor=actor, action="marked invoice sent", obj=invoice, changes={"total": format_money(invoice.total)})
    return invoice


@transaction.atomic
def mark_invoice_paid(*, actor, invoice: Invoice) -> Invoice:
    _require_manager(actor)
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if not invoice.sent_at:
        raise InvoiceError(f"Mark {invoice.reference} as sent before marking it as paid.")
    if invoice.paid_at:
        raise InvoiceError(f"{invoice.reference} was already marked as paid.")
    invoice.paid_at = timezone.now()
    invoice.save(update_fields=["paid_at"])
    log_action(actor=actor, action="marked invoice paid", obj=invoice, changes={"total": format_money(invoice.total)})
    return invoice


def render_invoice_pdf(invoice: Invoice) -> bytes:
    from django.template.loader import render_to_string

    from common.pdf import html_to_pdf  # WeasyPrint is slow to import: only the worker needs it

    from ..models import BookingPolicy

    html = render_to_string(
        "courses/invoices/invoice_pdf.html",
        {
            "invoice": invoice,
            "lines": invoice_lines(invoice),
            "policy": BookingPolicy.current(),
            **partnership_context(),
        },
    )
    return html_to_pdf(html)


def invoice_lines(invoice: Invoice):
    """The invoice's charges in the order they are printed: by session date, then person."""
    return list(
        invoice.charges.select_related("person", "session__course").order_by(
            "session__starts_at", "person__full_name", "pk"
        )
    )


def store_invoice_file(invoice_id: int) -> Invoice:
    """Render and store the invoice's PDF, replacing any earlier file: safe to run twice."""
    from django.core.files.base import ContentFile

    invoice = Invoice.objects.select_related("agency").get(pk=invoice_id)
    pdf = render_invoice_pdf(invoice)
    if invoice.file:
        invoice.file.delete(save=False)
    invoice.file.save(f"invoice-{invoice.reference}.pdf", ContentFile(pdf), save=False)
    Invoice.objects.filter(pk=invoice.pk).update(file=invoice.file.name)
    return invoice
