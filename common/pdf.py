"""Every PDF the service makes (certificates, Board reports, statements) is rendered here.

WeasyPrint fetches whatever a document links to: by default any http(s) address, any file on the machine
and data: URLs. The documents are built from data people typed, so a stray `<img src="http://...">` or
`file:///etc/passwd` must never make the worker call out or read the disk. Documents are rendered against
an address that never resolves (`.invalid`), and the one fetcher allows only the project's static files
under STATIC_URL, found through Django's staticfiles finders (or, once collected, its storage), and the
partnership's logo: uploaded files under MEDIA_URL + "partnership/", read from the media storage. Everything
else, data: included (no template uses it: charts are inline SVG, styles inline), is refused, and
WeasyPrint renders the rest of the document without it.

Every document is published by a public body, so every one is an accessible PDF (PDF/UA-1): tagged, so
a screen reader gets its headings, lists, table header cells and reading order, with the document's
language (the template's `<html lang>`) and title (its `<title>`) shown by the reader. Charts are tagged
as figures whose text alternative is the SVG's `<title>`; each report also prints a chart's figures as a
table or in words. A template therefore needs `<html lang>`, a `<title>`, `<th scope>` on its header
cells and `alt` on any image.
"""

import mimetypes
import posixpath
from urllib.parse import unquote, urljoin, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.storage import default_storage
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

# Tagged, with the language and title in the catalogue: the options at layout and at writing.
PDF_OPTIONS = {"pdf_variant": "pdf/ua-1"}

# Relative links and `{% static %}` paths resolve against this; `.invalid` is reserved never to resolve.
BASE_URL = "https://documents.invalid/"


class ResourceRefused(ValueError):
    """A document linked to something other than one of the project's static files."""


# The one folder of uploaded files a document may show (the partnership's logo).
MEDIA_FOLDER = "partnership/"


def static_path(url: str, *, root: str | None = None) -> str:
    """The static file's path (relative to the static root) that `url` names, or ResourceRefused.
    With `root` (MEDIA_URL), the path of an uploaded file instead."""
    prefix = urljoin(BASE_URL, root or settings.STATIC_URL)
    if not url.startswith(prefix):
        raise ResourceRefused(f"only the service's static files may be linked from a document, not {url[:100]}")
    parts = urlsplit(url)
    raw = unquote(url[len(prefix) :].split("?", 1)[0].split("#", 1)[0])
    if parts.scheme not in ("http", "https") or not raw or "\\" in raw or "\x00" in raw:
        raise ResourceRefused(f"not a static file: {url[:100]}")
    path = posixpath.normpath(raw)
    if path.startswith(("/", "..")) or path == "." or ".." in path.split("/"):
        raise ResourceRefused(f"a static file path may not leave the static files: {url[:100]}")
    return path


def _read_static(path: str) -> bytes:
    try:
        found = finders.find(path)
    except SuspiciousFileOperation:
        found = None
    if found:
        with open(found, "rb") as source:
            return source.read()
    try:
        if staticfiles_storage.exists(path):
            with staticfiles_storage.open(path) as source:
                return source.read()
    except (SuspiciousFileOperation, OSError):
        pass
    raise ResourceRefused(f"no such static file: {path}")


def _read_media(path: str) -> bytes:
    if not path.startswith(MEDIA_FOLDER):
        raise ResourceRefused(f"not the partnership's logo: {path}")
    try:
        with default_storage.open(path) as source:
            return source.read()
    except (SuspiciousFileOperation, OSError):
        raise ResourceRefused(f"no such file: {path}") from None


class StaticFilesOnly(URLFetcher):
    """WeasyPrint's fetcher, allowed nothing but the project's static files."""

    def __init__(self):
        super().__init__(allowed_protocols=(), allow_redirects=False)

    def fetch(self, url, headers=None):
        if settings.MEDIA_URL and url.startswith(urljoin(BASE_URL, settings.MEDIA_URL + MEDIA_FOLDER)):
            path = static_path(url, root=settings.MEDIA_URL)
            body = _read_media(path)
        else:
            path = static_path(url)
            body = _read_static(path)
        mime_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
        return URLFetcherResponse(url, body=body, headers={"Content-Type": mime_type})


def html_document(html: str) -> HTML:
    return HTML(string=html, base_url=BASE_URL, url_fetcher=StaticFilesOnly())


class Document:
    """A laid-out document: its `pages`, and `write_pdf()` for the bytes, always tagged."""

    def __init__(self, document):
        self._document = document
        self.pages = document.pages

    def write_pdf(self) -> bytes:
        return self._document.write_pdf(**PDF_OPTIONS)


def render(html: str) -> Document:
    return Document(html_document(html).render(**PDF_OPTIONS))


def html_to_pdf(html: str) -> bytes:
    return render(html).write_pdf()
