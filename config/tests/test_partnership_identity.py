"""Who runs the service is data the training manager edits: the partnership's name on every page,
certificate and report, the name its footer and emails sign with, and its logo on the covers."""

import io
import subprocess

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from accounts.factories import training_manager
from accounts.mail import queue_email
from accounts.models import AuditEntry, Partnership
from accounts.selectors import partnership
from reports import services as report_services
from reports.models import ReportKind, ReportRun

pytestmark = pytest.mark.django_db

WESTSHIRE = "Westshire Children's Safeguarding Partnership"


@pytest.fixture
def delivered_year():
    from datetime import date

    from tna.models import TrainingYear

    return TrainingYear.objects.create(name="2025-26", starts_on=date(2025, 4, 1), ends_on=date(2026, 3, 31))


def png_logo() -> SimpleUploadedFile:
    data = io.BytesIO()
    Image.new("RGB", (240, 80), "#1d70b8").save(data, format="PNG")
    return SimpleUploadedFile("westshire-logo.png", data.getvalue(), content_type="image/png")


def save(client, **data):
    return client.post(reverse("manage:partnership"), data, follow=True)


def test_until_it_is_saved_the_name_is_the_settings_default(settings):
    settings.PARTNERSHIP_NAME = "Northshire Safeguarding Children Partnership"
    assert partnership().name == "Northshire Safeguarding Children Partnership" and partnership().pk == 1
    assert not Partnership.objects.exists()  # reads never write


def test_the_training_manager_renames_the_partnership_and_every_page_and_email_says_so(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    helen = training_manager(full_name="Helen Carter")
    client.force_login(helen)
    page = save(client, name=f"  {WESTSHIRE} ", short_name="Westshire CSP").content.decode()
    assert "The partnership&#x27;s details have been saved." in page
    escaped = WESTSHIRE.replace("'", "&#x27;")
    assert f'<span class="app-header__partnership">{escaped}</span>' in page
    assert "is run by Westshire CSP." in page
    assert AuditEntry.objects.filter(action="changed the partnership's details", actor=helen).count() == 1

    email = queue_email(
        to="amara.obi@example.org",
        subject="Trainer pool",
        template="pool_declined",
        context={"person": helen, "reason": "No places this year."},
    )
    assert email.body_text.rstrip().endswith("Westshire CSP")


def test_a_report_and_a_certificate_print_the_name_logo_and_footer_name(client, settings, tmp_path, delivered_year):
    from common.tests.pdf_checks import accessibility

    settings.MEDIA_ROOT = tmp_path
    client.force_login(training_manager())
    save(client, name=WESTSHIRE, short_name="Westshire Children's SCP", logo=png_logo())
    assert partnership().logo.name.startswith("partnership/")

    run = ReportRun(kind=ReportKind.ANNUAL, parameters={"year": delivered_year.pk}, title="Annual training report")
    pdf, _pages = report_services.render_pdf(report_services.render_html(run))
    path = tmp_path / "annual.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert WESTSHIRE in text
    # The footer's name is a CSS string: the apostrophe is printed, not "&#x27;".
    assert "Westshire Children's SCP" in text and "&#x27;" not in text
    images = subprocess.run(["pdfimages", "-list", str(path)], capture_output=True, text=True, check=True).stdout
    assert " 240 " in images and "80" in images  # the logo, read from the media storage
    assert "Logo of Westshire Children's Safeguarding Partnership" in accessibility(pdf).alternatives


@pytest.mark.parametrize(
    "upload, message",
    [
        (SimpleUploadedFile("logo.png", b"not an image at all", content_type="image/png"), "PNG or JPEG image"),
        (None, "Enter the partnership"),
    ],
)
def test_a_bad_name_or_logo_is_refused_with_a_message_and_nothing_changes(client, settings, tmp_path, upload, message):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(training_manager())
    save(client, name=WESTSHIRE, short_name="")
    data = {"name": WESTSHIRE if upload else "   ", "short_name": "Elsewhere"}
    if upload:
        data["logo"] = upload
    response = client.post(reverse("manage:partnership"), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "govuk-error-summary" in page and message in page
    assert (partnership().name, partnership().short_name, partnership().logo.name) == (WESTSHIRE, "", "")
