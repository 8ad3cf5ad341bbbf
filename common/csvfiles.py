"""CSV files out and in: one writer for every export, one reader for every import.

Spreadsheets run a cell that begins with `=`, `+`, `-`, `@`, a tab or a carriage return as a formula, so a
name typed as `=HYPERLINK("http://x","Tom")` would become a live link (or worse) in the training
manager's spreadsheet. Every CSV the service writes goes through `Writer`, which puts a single quote
before such a cell, as OWASP advises: spreadsheets show the text and treat the quote as the "this is
text" marker. Plain numbers are left alone, so `-3` and `-12.50` stay numbers.

The reader undoes exactly that: a cell that begins with a quote followed by one of those characters loses
the quote, so importing an export gives back the same records. A value that itself begins with a quote
and one of those characters gets a second quote on the way out, so the round trip is exact for every text.
"""

import csv
import io
import re
from dataclasses import dataclass

from django.http import HttpResponse

from .errors import DomainError

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d+)?|\.\d+)")
_QUOTED_FORMULA = re.compile(r"'+[=+\-@\t\r]")


def neutralise(value):
    """The cell as it is safe to write: a quote before text a spreadsheet would run as a formula."""
    if not isinstance(value, str):
        return value  # numbers, dates and None are written by the csv module as plain values
    if value.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    if _QUOTED_FORMULA.match(value):
        return "'" + value  # keep the round trip exact for text that already starts with the marker
    return value


def restore(value):
    """The cell as it was before `neutralise`."""
    if isinstance(value, str) and _QUOTED_FORMULA.match(value):
        return value[1:]
    return value


class Writer:
    """`csv.writer` whose every cell goes through `neutralise`."""

    def __init__(self, stream, dialect="excel", **fmtparams):
        self._writer = csv.writer(stream, dialect, **fmtparams)

    def writerow(self, row):
        return self._writer.writerow([neutralise(value) for value in row])

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)


class DictWriter(csv.DictWriter):
    """`csv.DictWriter` whose every cell goes through `neutralise`."""

    def __init__(self, stream, fieldnames, restval="", extrasaction="raise", dialect="excel", **fmtparams):
        super().__init__(stream, fieldnames, restval, extrasaction, dialect, **fmtparams)
        self.writer = Writer(stream, dialect, **fmtparams)


def csv_download(filename: str) -> tuple[HttpResponse, Writer]:
    """An empty CSV download and the writer to fill it."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response, Writer(response)


@dataclass
class LineProblem:
    """A problem with a file being imported, where the person will look for it: the line and column."""

    line: int
    column: str
    message: str

    def __str__(self):
        return (
            f"Line {self.line}, {self.column}: {self.message}" if self.column else f"Line {self.line}: {self.message}"
        )


class CsvFileError(DomainError):
    """The file cannot be read as CSV at all (rather than having wrong values on some lines)."""

    def __init__(self, *, line: int, reason: str):
        super().__init__(f"Line {line}: {reason}")
        self.line = line
        self.reason = reason


class _RestoringDictReader(csv.DictReader):
    def __next__(self):
        row = super().__next__()
        return {name: restore(value) for name, value in row.items()}


def dict_reader(text: str) -> csv.DictReader:
    """Rows of a CSV file as a spreadsheet saves it, each a dict by the first line's column names.

    Any line ending is a line ending (Windows, Unix and old Mac files, and a stray carriage return in a
    cell that is not in quotes, which starts a new line as a spreadsheet would), the byte-order mark is
    dropped, and cells lose the quote `neutralise` added. A file that still cannot be read raises
    CsvFileError, before any row is returned, with the line and a plain reason."""
    text = text.lstrip("\ufeff")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        for _ in reader:
            pass
    except csv.Error as error:
        line = reader.line_num or 1
        reason = str(error)
        if "field larger than field limit" in reason:
            reason = f"a value is longer than {csv.field_size_limit():,} characters"
        raise CsvFileError(
            line=line,
            reason=f"the file cannot be read as CSV ({reason}). Save it from your spreadsheet as CSV and try again",
        ) from None
    return _RestoringDictReader(io.StringIO(text, newline=""))


def decode(raw: bytes) -> str:
    """An uploaded CSV file's text: spreadsheets save CSV as UTF-8 (with or without a byte-order mark)
    or as Windows-1252."""
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValueError("The file is not a CSV file saved as text")
