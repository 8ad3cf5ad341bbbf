"""Certificates of attendance: a code anyone can check, and a PDF built by the worker."""

import secrets

from django.conf import settings
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse

from .models import AttendanceRecord, Certificate

# No 0/O or 1/I/L: codes are read aloud and typed from paper.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8


def new_certificate_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(code: str) -> str:
    return "".join((code or "").split()).replace("-", "").upper()


def issue_certificate(*, record: AttendanceRecord) -> Certificate:
    """The certificate for an attended (or partly attended) register line; the same one if issued before."""
    if not record.counts_as_attended:
        raise ValueError("Certificates are only for people who attended")
    existing = Certificate.objects.filter(attendance=record).first()
    if existing:
        return existing
    for _ in range(5):
        try:
            with transaction.atomic():
                return Certificate.objects.create(attendance=record, code=new_certificate_code())
        except IntegrityError:  # a code clash: try another
            continue
    raise RuntimeError("Could not find a free certificate code")


def render_certificate_pdf(certificate: Certificate) -> bytes:
    from accounts.selectors import partnership
    from common.pdf import html_to_pdf  # WeasyPrint is slow to import: only the worker needs it

    running = partnership()
    record = certificate.attendance
    session = record.session
    html = render_to_string(
        "courses/certificates/certificate.html",
        {
            "certificate": certificate,
            "person": record.person,
            "course": session.course,
            "session": session,
            "dates": list(session.dates.all()),
            "record": record,
            "partnership_name": running.name,
            "partnership": running,
            "check_url": settings.SITE_URL + reverse("courses:verify-certificate"),
        },
    )
    return html_to_pdf(html)


def store_certificate_file(certificate_id: int) -> Certificate:
    """Render and store the PDF, replacing any earlier file: safe to run twice."""
    certificate = Certificate.objects.select_related(
        "attendance__person", "attendance__session__course__level", "attendance__session__venue"
    ).get(pk=certificate_id)
    pdf = render_certificate_pdf(certificate)
    if certificate.file:
        certificate.file.delete(save=False)
    certificate.file.save(f"certificate-{certificate.code}.pdf", ContentFile(pdf), save=False)
    Certificate.objects.filter(pk=certificate.pk).update(file=certificate.file.name)
    return certificate


def open_certificate_pdf(certificate: Certificate) -> File:
    """The certificate's PDF from the media storage. A certificate is rebuilt from the register whenever
    its file is missing: never built yet (the worker has not reached it), or not in this storage."""
    if certificate.file:
        try:
            return certificate.file.open("rb")
        except FileNotFoundError:
            pass
    return store_certificate_file(certificate.pk).file.open("rb")
