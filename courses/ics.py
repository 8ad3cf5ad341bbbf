"""Calendar files (RFC 5545) for a session, written by hand: one VEVENT per date."""

from datetime import UTC

from django.conf import settings
from django.utils import timezone

from accounts.selectors import partnership


def _escape(text: str) -> str:
    return (
        text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\r\n", "\\n").replace("\n", "\\n")
    )


def _fold(line: str) -> str:
    """Lines longer than 75 octets continue on the next line after a space."""
    out, current = [], b""
    for char in line:
        encoded = char.encode("utf-8")
        limit = 75 if not out else 74
        if len(current) + len(encoded) > limit:
            out.append(current.decode("utf-8"))
            current = b""
        current += encoded
    out.append(current.decode("utf-8"))
    return "\r\n ".join(out)


def _utc(moment) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def session_ics(session, *, attendee_email: str | None = None) -> str:
    course = session.course
    if session.venue_id:
        venue = session.venue
        location = ", ".join([venue.name, *venue.address.splitlines(), venue.postcode])
        description = f"{course.title}. {venue.access_information}".strip()
    else:
        location = session.online_link or "Online"
        description = f"{course.title}. Join online: {session.online_link}"
    dates = list(session.dates.all()) or [session]
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:-//{_escape(partnership().name)}//Safeguarding training//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
    ]
    stamp = _utc(timezone.now())
    for n, date in enumerate(dates, start=1):
        lines += [
            "BEGIN:VEVENT",
            f"UID:session-{session.pk}-{n}@{settings.SITE_URL.split('//')[-1].split('/')[0]}",
            f"DTSTAMP:{stamp}",
            f"DTSTART:{_utc(date.starts_at)}",
            f"DTEND:{_utc(date.ends_at)}",
            f"SUMMARY:{_escape(course.title)}",
            f"LOCATION:{_escape(location)}",
            f"DESCRIPTION:{_escape(description)}",
        ]
        if attendee_email:
            lines.append(f"ATTENDEE;ROLE=REQ-PARTICIPANT:mailto:{attendee_email}")
        if session.status == "cancelled":
            lines.append("STATUS:CANCELLED")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "".join(_fold(line) + "\r\n" for line in lines)
