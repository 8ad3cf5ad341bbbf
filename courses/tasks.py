from celery import shared_task

from .services import booking


@shared_task(acks_late=True)
def build_certificates(certificate_ids: list[int]) -> int:
    """Render and store certificate PDFs. Overwrites, so safe to run twice."""
    from .certificates import store_certificate_file

    for certificate_id in certificate_ids:
        store_certificate_file(certificate_id)
    return len(certificate_ids)


@shared_task(acks_late=True, soft_time_limit=120, time_limit=150)
def build_invoice(invoice_id: int) -> int:
    """Render and store an invoice's PDF. Overwrites, so safe to run twice."""
    from .services.invoices import store_invoice_file

    return store_invoice_file(invoice_id).pk


@shared_task(soft_time_limit=300, time_limit=360)
def build_missing_invoices() -> int:
    """Beat: build the PDF of any invoice still without one (the broker was down when it was
    raised, or the worker died building it). Overwrites, so safe beside `build_invoice`."""
    from .models import Invoice
    from .services.invoices import store_invoice_file

    ids = list(Invoice.objects.filter(file="").order_by("pk").values_list("pk", flat=True)[:50])
    for invoice_id in ids:
        store_invoice_file(invoice_id)
    return len(ids)


@shared_task
def expire_offers_and_holds() -> int:
    return booking.expire_offers_and_holds()


@shared_task
def send_booking_reminders() -> int:
    return booking.send_reminders()


@shared_task(acks_late=True, soft_time_limit=120, time_limit=150)
def build_sign_in_sheet(session_id: int) -> None:
    """Render and store a session's sign-in sheet. Overwrites, so safe to run twice."""
    from .services.delegates import build_sign_in_sheet as build

    build(session_id)
