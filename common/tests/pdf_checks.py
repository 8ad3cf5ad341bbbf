"""What a screen reader gets from a PDF, read back the way an accessibility checker reads it: whether it
is tagged, its title and language, and the tags of its structure tree. Shared by every app's PDF tests."""

import re
import subprocess
import tempfile
import zlib
from collections import Counter
from dataclasses import dataclass


@dataclass
class Accessibility:
    tagged: bool
    title: str
    lang: str
    tags: Counter
    alternatives: list[str]

    @property
    def headings(self) -> list[str]:
        return [tag for tag in self.tags if re.fullmatch(r"H[1-6]", tag)]


def _catalogue_entries(pdf: bytes, key: bytes) -> list[str]:
    """Values of `/key (...)` in the PDF, compressed object streams included."""
    chunks = [pdf]
    for match in re.finditer(rb"stream\r?\n(.*?)endstream", pdf, re.S):
        try:
            chunks.append(zlib.decompress(match.group(1)))
        except zlib.error:
            continue
    found = []
    for chunk in chunks:
        found += [m.decode("latin-1") for m in re.findall(rb"/" + key + rb" \(((?:[^()\\]|\\.)*)\)", chunk)]
    return found


def accessibility(pdf: bytes) -> Accessibility:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as file:
        file.write(pdf)
        file.flush()
        info = subprocess.run(["pdfinfo", file.name], capture_output=True, text=True, check=True).stdout
        tree = subprocess.run(["pdfinfo", "-struct", file.name], capture_output=True, text=True, check=True).stdout
    fields = dict(line.split(":", 1) for line in info.splitlines() if ":" in line)
    tags = Counter(line.split()[0].rstrip(":") for line in tree.splitlines() if line.strip() and line.startswith(" "))
    tags.update(line.split()[0] for line in tree.splitlines() if line and not line.startswith(" "))
    langs = _catalogue_entries(pdf, b"Lang")
    return Accessibility(
        tagged=fields.get("Tagged", "").strip() == "yes",
        title=fields.get("Title", "").strip(),
        lang=langs[0] if langs else "",
        tags=tags,
        alternatives=_catalogue_entries(pdf, b"Alt"),
    )
