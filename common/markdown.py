"""The service's guides (docs/*.md) as pages of the service, from the same text.

No Markdown library is installed, and the guides use a small part of Markdown, so this renders that
part and nothing more: headings (#, ##, ###), paragraphs, numbered and bulleted lists (a line indented
under an item continues it), tables (| a | b | with a --- line under the header), and inline `code`,
**bold**, *italic* and [links](/path). Everything is escaped first: the text can only ever become the
elements listed here, with GOV.UK Frontend's classes. Links go only to this site, a fragment, an https
address or an email address.
"""

import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import slugify

_HEADING = re.compile(r"^(#{1,3})\s+(.*)$")
_NUMBERED = re.compile(r"^\d+\.\s+(.*)$")
_BULLET = re.compile(r"^[-*]\s+(.*)$")
_TABLE_RULE = re.compile(r"^\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?$")
_CODE = re.compile(r"`([^`]+)`")
_BOLD = re.compile(r"\*\*(.+?)\*\*")
_ITALIC = re.compile(r"(?<![*\w])\*(?!\s)(.+?)(?<!\s)\*(?![*\w])")
_LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")
_SAFE_HREF = re.compile(r"^(/(?!/)|#|https://|mailto:)")

HEADING_CLASSES = {1: "govuk-heading-l", 2: "govuk-heading-m", 3: "govuk-heading-s"}


def _link(match: re.Match) -> str:
    text, href = match.group(1), match.group(2)
    # `href` is already escaped; an address of another kind stays as its text.
    if not _SAFE_HREF.match(href):
        return text
    return f'<a class="govuk-link" href="{href}">{text}</a>'


def inline(text: str) -> str:
    """One line's inline Markdown, escaped; code spans are left exactly as written."""
    parts = _CODE.split(text)
    out = []
    for n, part in enumerate(parts):
        if n % 2:
            out.append(f"<code>{escape(part)}</code>")
            continue
        part = escape(part)
        part = _BOLD.sub(r"<strong>\1</strong>", part)
        part = _ITALIC.sub(r"<em>\1</em>", part)
        part = _LINK.sub(_link, part)
        out.append(part)
    return "".join(out)


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def _table(lines: list[str], caption: str) -> str:
    head, body = _cells(lines[0]), [_cells(line) for line in lines[2:]]
    header = "".join(f'<th scope="col" class="govuk-table__header">{inline(c)}</th>' for c in head)
    rows = "".join(
        '<tr class="govuk-table__row">'
        + "".join(f'<td class="govuk-table__cell">{inline(c)}</td>' for c in row)
        + "</tr>"
        for row in body
    )
    return (
        '<table class="govuk-table app-table--small">'
        f'<caption class="govuk-table__caption govuk-visually-hidden">{caption}</caption>'
        '<thead class="govuk-table__head">'
        f'<tr class="govuk-table__row">{header}</tr></thead><tbody class="govuk-table__body">{rows}</tbody></table>'
    )


def render(text: str) -> SafeString:
    """The Markdown `text` as HTML (see the module's docstring for what is understood)."""
    blocks: list[str] = []
    lines = text.replace("\r\n", "\n").split("\n")
    # A table is captioned by the heading it sits under (tables have no caption in Markdown).
    section = ""
    i = 0
    while i < len(lines):
        line = lines[i]
        if not line.strip():
            i += 1
            continue
        if heading := _HEADING.match(line):
            level, title = len(heading.group(1)), heading.group(2).strip()
            anchor = slugify(re.sub(r"`", "", title))
            blocks.append(f'<h{level} class="{HEADING_CLASSES[level]}" id="{anchor}">{inline(title)}</h{level}>')
            section = inline(title)
            i += 1
            continue
        if line.startswith("|") and i + 1 < len(lines) and _TABLE_RULE.match(lines[i + 1].strip()):
            table = []
            while i < len(lines) and lines[i].startswith("|"):
                table.append(lines[i])
                i += 1
            blocks.append(_table(table, f"Columns: {section}" if section else "Columns"))
            continue
        numbered, bullet = _NUMBERED.match(line), _BULLET.match(line)
        if numbered or bullet:
            pattern = _NUMBERED if numbered else _BULLET
            items: list[str] = []
            while i < len(lines) and lines[i].strip():
                item = pattern.match(lines[i])
                if item:
                    items.append(item.group(1))
                elif lines[i].startswith((" ", "\t")) and items:
                    items[-1] += " " + lines[i].strip()
                else:
                    break
                i += 1
            kind = "govuk-list--number" if numbered else "govuk-list--bullet"
            tag = "ol" if numbered else "ul"
            blocks.append(
                f'<{tag} class="govuk-list {kind}">' + "".join(f"<li>{inline(t)}</li>" for t in items) + f"</{tag}>"
            )
            continue
        paragraph = []
        while (
            i < len(lines)
            and lines[i].strip()
            and not _HEADING.match(lines[i])
            and not lines[i].startswith("|")
            and not _NUMBERED.match(lines[i])
            and not _BULLET.match(lines[i])
        ):
            paragraph.append(lines[i].strip())
            i += 1
        blocks.append(f'<p class="govuk-body">{inline(" ".join(paragraph))}</p>')
    return mark_safe("\n".join(blocks))  # noqa: S308 - every piece of text above went through escape()
