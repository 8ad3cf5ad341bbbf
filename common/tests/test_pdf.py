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


def test_every_pdf_is_tagged_with_its_language_title_headings_table_headers_and_chart_alternatives(static_dir):
    """Published by a public body, every document is an accessible PDF (PDF/UA-1): a screen reader gets
    its title and language, headings, table header cells and a text alternative for each chart."""
    from common.tests.pdf_checks import accessibility

    pdf = html_to_pdf(
        """<!DOCTYPE html><html lang="en-GB"><head><title>Annual training report 2026-27</title></head><body>
        <h1>Annual training report</h1><h2>1. Headline statistics</h2>
        <table><caption>Headlines</caption><thead><tr><th scope="col">Measure</th><th scope="col">2026-27</th></tr>
        </thead><tbody><tr><th scope="row">Learning events delivered</th><td>9</td></tr></tbody></table>
        <svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 100 50" width="100">
        <title>Events delivered over three years</title><rect width="10" height="10"/></svg></body></html>"""
    )
    read = accessibility(pdf)
    assert read.tagged and read.title == "Annual training report 2026-27" and read.lang == "en-GB"
    assert read.headings == ["H1", "H2"]
    assert read.tags["TH"] == 3 and read.tags["Table"] == 1 and read.tags["Caption"] == 1
    assert read.alternatives == ["Events delivered over three years"]
