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


def session_ics(session, *, attendee_email: str | None = None, dropped=(), cancel: bool = False) -> str:
    """The session's calendar file: one event per date, UID by position. `dropped`: dates a change
    removed from the end of the session, sent as cancelled events so calendars remove them.
    `cancel`: the same events (same UIDs) withdrawn, METHOD:CANCEL, so a calendar that added them
    from the confirmation or the last change removes them."""
    course = session.course
    if session.venue_id:
        venue = session.venue
        room = [session.room.name] if session.room_id else []
        location = ", ".join([venue.name, *room, *venue.address.splitlines(), venue.postcode])
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
        "METHOD:CANCEL" if cancel else "METHOD:PUBLISH",
    ]
    stamp = _utc(timezone.now())
    for n, date in enumerate([*dates, *dropped], start=1):
        lines += [
            "BEGIN:VEVENT",
            f"UID:session-{session.pk}-{n}@{settings.SITE_URL.split('//')[-1].split('/')[0]}",
            f"DTSTAMP:{stamp}",
            # Raised with each change delegates are told of: the calendar replaces its copy.
            # A withdrawal comes after the last version sent, so it is one higher again.
            f"SEQUENCE:{session.calendar_sequence + (1 if cancel else 0)}",
            f"DTSTART:{_utc(date.starts_at)}",
            f"DTEND:{_utc(date.ends_at)}",
            f"SUMMARY:{_escape(course.title)}",
            f"LOCATION:{_escape(location)}",
            f"DESCRIPTION:{_escape(description)}",
        ]
        if attendee_email:
            lines.append(f"ATTENDEE;ROLE=REQ-PARTICIPANT:mailto:{attendee_email}")
        if cancel or session.status == "cancelled" or n > len(dates):
            lines.append("STATUS:CANCELLED")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "".join(_fold(line) + "\r\n" for line in lines)
