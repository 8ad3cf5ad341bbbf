"""PDF rendering fetches URLs: a document may use the service's static files and nothing else.

WeasyPrint once rendered with its default fetcher and the project directory as base, so a link typed
into a course or a name could make the worker call any address or read any file while building a PDF.
"""

import subprocess

import pytest

from common.pdf import BASE_URL, ResourceRefused, StaticFilesOnly, html_to_pdf


def pdf_text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "document.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


@pytest.fixture
def static_dir(tmp_path, settings):
    folder = tmp_path / "static"
    (folder / "css").mkdir(parents=True)
    (folder / "css" / "print-test.css").write_text('body::after { content: "Styled from the static files"; }')
    settings.STATICFILES_DIRS = [folder, *settings.STATICFILES_DIRS]
    return folder


def test_pdf_rendering_fetches_urls_a_static_css_file_and_image_resolve(static_dir):
    fetch = StaticFilesOnly()
    css = fetch(BASE_URL + "static/css/print-test.css")
    assert css.read().startswith(b"body::after") and css.content_type == "text/css"
    image = fetch(BASE_URL + "static/images/favicon.svg")  # the project's own, through the finders
    assert image.content_type == "image/svg+xml" and b"<svg" in image.read()


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/x",
        "https://example.org/logo.png",
        "file:///etc/passwd",
        "data:text/css,body{color:red}",
        "ftp://example.org/x",
        BASE_URL + "static/../../../etc/passwd",
        BASE_URL + "static/%2e%2e/%2e%2e/config/settings/base.py",
        BASE_URL + "static/css/..%2f..%2f..%2fmanage.py",
        BASE_URL + "static//etc/passwd",
        BASE_URL + "manage.py",
        BASE_URL + "static/css/not-there.css",
        "https://documents.invalid.example.org/static/css/app.css",
    ],
)
def test_pdf_rendering_fetches_urls_everything_else_is_refused(url, static_dir):
    with pytest.raises(ResourceRefused):
        StaticFilesOnly()(url)


def test_pdf_rendering_fetches_urls_a_document_renders_without_what_it_may_not_fetch(static_dir, tmp_path):
    outside = tmp_path / "outside.css"
    outside.write_text('body::after { content: "Read from the disk"; }')
    pdf = html_to_pdf(
        f"""<html><head>
        <link rel="stylesheet" href="{outside.as_uri()}">
        <link rel="stylesheet" href="/static/css/print-test.css">
        </head><body><p>Working Together to Safeguard Children</p>
        <img src="http://127.0.0.1:9/x" alt="">
        <img src="../../../../etc/passwd" alt=""></body></html>"""
    )
    text = pdf_text(pdf, tmp_path)
    assert "Working Together to Safeguard Children" in text
    assert "Styled from the static files" in text
    assert "Read from the disk" not in text
