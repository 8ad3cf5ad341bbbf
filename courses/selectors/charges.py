"""Charges and certificates, scoped to what the asking person may see (404 for anything else)."""

from datetime import date, datetime, time, timedelta

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from ..certificates import normalise_code
from ..models import Certificate, Charge, Invoice


def charges_visible_to(user):
    """Every charge for the training manager; an agency lead's own agency's; nobody else's."""
    charges = Charge.objects.select_related("agency", "person", "session__course", "waived_by", "invoice")
    if user.is_training_manager:
        return charges
    if user.is_agency_lead:
        return charges.filter(agency_id=user.agency_id)
    return charges.none()


def charges_of_period(starts_on: date, ends_on: date, *, agency=None) -> QuerySet[Charge]:
    """The charges that belong to a period (a training year, a quarter, an invoice's months): the
    one definition every total, statement and invoice uses. A charge belongs to the period its
    session's first date falls in, in local time, like every other figure: a charge for a 2020
    session recorded today counts in 2020, not this year. Cancelled charges (raised in error)
    belong to no period; waived ones still do, shown as waived."""
    tz = timezone.get_current_timezone()
    begin = datetime.combine(starts_on, time.min, tz)
    finish = datetime.combine(ends_on + timedelta(days=1), time.min, tz)
    charges = Charge.objects.filter(
        session__starts_at__gte=begin, session__starts_at__lt=finish, cancelled_at__isnull=True
    )
    return charges.filter(agency=agency) if agency is not None else charges


def invoiceable_charges(*, agency, starts_on: date, ends_on: date) -> QuerySet[Charge]:
    """What an invoice for the agency and period would hold: its charges for sessions in the
    period that are neither waived, cancelled nor already invoiced."""
    return charges_of_period(starts_on, ends_on, agency=agency).filter(invoice__isnull=True, waived_at__isnull=True)


def get_charge_for_user(user, pk: int, *, write: bool = False) -> Charge:
    """A charge the user may see, or 404; 403 when they may see it but not waive it."""
    charge = charges_visible_to(user).filter(pk=pk).first()
    if charge is None:
        raise Http404("No such charge")
    if write and not user.has_perm("courses.waive_charges"):
        raise PermissionDenied
    return charge


def invoices_visible_to(user) -> QuerySet[Invoice]:
    """Every invoice for the training manager; an agency lead's own agency's; nobody else's."""
    invoices = Invoice.objects.select_related("agency")
    if user.is_training_manager:
        return invoices
    if user.is_agency_lead:
        return invoices.filter(agency_id=user.agency_id)
    return invoices.none()


def get_invoice_for_user(user, pk: int, *, write: bool = False) -> Invoice:
    """An invoice the user may see, or 404; 403 when they may see it but not change it."""
    invoice = invoices_visible_to(user).filter(pk=pk).first()
    if invoice is None:
        raise Http404("No such invoice")
    if write and not user.has_perm("courses.manage_invoices"):
        raise PermissionDenied
    return invoice


def get_certificate_for_user(user, code: str) -> Certificate:
    """A certificate its holder, the training manager or the lead of the holder's agency at the
    time may download; 404 for anyone else, so a code tried at random reveals nothing, and for a
    withdrawn certificate."""
    certificate = (
        Certificate.objects.select_related("attendance__person", "attendance__agency", "attendance__session__course")
        .filter(code=normalise_code(code), withdrawn_at__isnull=True)
        .first()
    )
    record = certificate.attendance if certificate else None
    allowed = record is not None and (
        user.pk == record.person_id
        or user.is_training_manager
        or (user.is_agency_lead and record.agency_id is not None and record.agency_id == user.agency_id)
    )
    if not allowed:
        raise Http404("No such certificate")
    return certificate
