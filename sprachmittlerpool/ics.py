"""Calendar entries (.ics) for a volunteer's assignment: one stable UID, a rising SEQUENCE.

Calendar programs match updates and cancellations by UID and take the highest SEQUENCE, so
every entry of one assignment carries the same UID and the assignment's calendar_sequence.
"""

from __future__ import annotations

from datetime import datetime

from icalendar import Calendar, Event

from notifications.compose import Attachment
from sprachmittlerpool.models import BERLIN, Assignment

PRODID = "-//Sprachmittlerpool//Einsatz//DE"


def assignment_uid(assignment: Assignment) -> str:
    """Return the stable UID of an assignment's calendar entry."""
    return f"einsatz-{assignment.id}@sprachmittlerpool"


def assignment_calendar(
    assignment: Assignment,
    *,
    summary: str,
    location: str,
    organizer_email: str,
    now: datetime,
    cancel: bool = False,
) -> bytes:
    """Render the entry (METHOD:REQUEST) or its cancellation (METHOD:CANCEL)."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if cancel else "REQUEST")
    event = Event()
    event.add("uid", assignment_uid(assignment))
    event.add("sequence", assignment.calendar_sequence)
    event.add("dtstamp", now.replace(tzinfo=BERLIN))
    event.add("dtstart", assignment.start.replace(tzinfo=BERLIN))
    event.add("dtend", assignment.end.replace(tzinfo=BERLIN))
    event.add("summary", summary)
    event.add("location", location)
    event.add("organizer", f"mailto:{organizer_email}")
    event.add("status", "CANCELLED" if cancel else "CONFIRMED")
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()


def attachment(content: bytes, *, cancel: bool = False) -> Attachment:
    """Wrap a rendered calendar as a mail attachment."""
    return Attachment(
        filename="absage.ics" if cancel else "einsatz.ics",
        content_type="text/calendar",
        content=content.decode("utf-8"),
    )
