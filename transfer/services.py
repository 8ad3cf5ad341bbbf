"""Importing a documented CSV file (preview, then all or nothing) and exporting a training year."""

import io
import zipfile

from accounts.audit import log_action
from common.csvfiles import CsvFileError, DictWriter, decode, dict_reader

from .formats import BY_KEY, FORMATS, Result

MAX_BYTES = 30_000_000


PREVIEW_ROWS = 10


def preview_rows(*, format_key: str, content: str, limit: int = PREVIEW_ROWS) -> tuple[list[str], list[list[str]]]:
    """The first `limit` lines of a checked file as (columns, rows), for the preview to show what will
    be imported: the format's columns that the file has, in the guide's order (extra columns, which
    the import ignores, are left out)."""
    try:
        reader = dict_reader(content)
    except CsvFileError:
        return [], []
    header = {(name or "").strip(): name for name in reader.fieldnames or []}
    columns = [name for name, _ in BY_KEY[format_key].columns if name in header]
    rows = []
    for row in reader:
        if not any((v or "").strip() for v in row.values() if isinstance(v, str)):
            continue
        rows.append([(row.get(header[name]) or "").strip() for name in columns])
        if len(rows) == limit:
            break
    return columns, rows


def import_records(*, format_key: str, content: str, commit: bool, actor=None, file_name: str = "") -> Result:
    """Check (and with `commit`, import) one file. `actor` is who imports it and `file_name` its name:
    training needs returns record both."""
    result = BY_KEY[format_key]().run(content, commit=commit, actor=actor, file_name=file_name)
    if commit and result.ok and actor is not None:
        log_action(
            actor=actor,
            action="imported records",
            obj=actor,
            changes={
                "format": result.format,
                "rows": result.rows,
                "new": result.created,
                "changed": result.updated,
                "unchanged": result.unchanged,
            },
        )
    return result


def export_csv(format_key: str, year=None) -> str:
    fmt = BY_KEY[format_key]()
    out = io.StringIO()
    writer = DictWriter(out, fieldnames=[name for name, _ in fmt.columns], lineterminator="\n")
    writer.writeheader()
    for row in fmt.export(year):
        writer.writerow(row)
    return out.getvalue()


def export_year(year) -> bytes:
    """Every format for a training year, as a zip of CSV files numbered in the order to import them."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for n, fmt in enumerate(FORMATS, start=1):
            scoped = (
                year
                if fmt.key
                in (
                    "sessions",
                    "attendance",
                    "trainer-contributions",
                    "tna-returns",
                    "training-years",
                    "training-elsewhere",
                )
                else None
            )
            archive.writestr(f"{n:02d}-{fmt.key}.csv", export_csv(fmt.key, scoped))
    return buffer.getvalue()


def import_zip(raw: bytes, *, actor=None, file_name: str = "") -> list[Result]:
    """Import an export: each file in order; stops at the first file with problems."""
    results = []
    with zipfile.ZipFile(io.BytesIO(raw)) as archive:
        for name in sorted(archive.namelist()):
            key = name.split("-", 1)[1].rsplit(".", 1)[0] if "-" in name else ""
            if key not in BY_KEY:
                continue
            result = import_records(
                format_key=key,
                content=decode(archive.read(name)),
                commit=True,
                actor=actor,
                file_name=f"{file_name}: {name}" if file_name else name,
            )
            results.append(result)
            if not result.ok:
                break
    return results
