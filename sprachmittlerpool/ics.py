"""Calendar entries (.ics) for a volunteer's assignment: one stable UID, a rising SEQUENCE.

Calendar programs match updates and cancellations by UID and take the highest SEQUENCE, so
every entry of one assignment carries the same UID (with the installation's domain, so two pools
never collide) and the assignment's calendar_sequence. An iTIP message (RFC 5546) names its
ORGANIZER (the pool) and ATTENDEE (the volunteer); the METHOD stands in the calendar and in the
MIME part's content type, where mail clients look for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from icalendar import Calendar, Event, Timezone, TimezoneDaylight, TimezoneStandard, vCalAddress

from notifications.compose import Attachment
from sprachmittlerpool.models import BERLIN, Assignment

PRODID = "-//Sprachmittlerpool//Einsatz//DE"


@dataclass(frozen=True)
class Party:
    """Someone a calendar entry names: display name and e-mail address."""

    name: str
    email: str


def assignment_uid(assignment: Assignment, domain: str) -> str:
    """Return the stable UID of an assignment's calendar entry."""
    return f"einsatz-{assignment.id}@{domain}"


def assignment_calendar(
    assignment: Assignment,
    *,
    summary: str,
    location: str,
    organizer: Party,
    attendee: Party,
    domain: str,
    now: datetime,
    cancel: bool = False,
) -> bytes:
    """Render the entry (METHOD:REQUEST) or its cancellation (METHOD:CANCEL)."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", method(cancel))
    event = Event()
    event.add("uid", assignment_uid(assignment, domain))
    event.add("sequence", assignment.calendar_sequence)
    event.add("dtstamp", now.replace(tzinfo=BERLIN).astimezone(UTC))
    event.add("dtstart", assignment.start.replace(tzinfo=BERLIN))
    event.add("dtend", assignment.end.replace(tzinfo=BERLIN))
    event.add("summary", summary)
    event.add("location", location)
    event.add("organizer", _address(organizer))
    event.add(
        "attendee",
        _address(
            attendee, ROLE="REQ-PARTICIPANT", PARTSTAT="DECLINED" if cancel else "ACCEPTED", RSVP="FALSE"
        ),
    )
    event.add("status", "CANCELLED" if cancel else "CONFIRMED")
    calendar.add_component(_berlin())
    calendar.add_component(event)
    return calendar.to_ical()


def _berlin() -> Timezone:
    """Describe Europe/Berlin by the EU's yearly rule, as calendar programs write it themselves.

    icalendar's generated VTIMEZONE lists every change as RDATEs up to 2037, which some readers
    (vobject among them) misread as winter time all summer; a yearly RRULE holds for any year.
    """
    zone = Timezone()
    zone.add("tzid", "Europe/Berlin")
    for kind, name, start, month, offsets in (
        (TimezoneDaylight, "CEST", datetime(1981, 3, 29, 2), 3, (timedelta(hours=1), timedelta(hours=2))),
        (TimezoneStandard, "CET", datetime(1996, 10, 27, 3), 10, (timedelta(hours=2), timedelta(hours=1))),
    ):
        part = kind()
        part.add("tzname", name)
        part.add("dtstart", start)
        part.add("rrule", {"freq": "yearly", "bymonth": month, "byday": "-1su"})
        part.add("tzoffsetfrom", offsets[0])
        part.add("tzoffsetto", offsets[1])
        zone.add_component(part)
    return zone


def method(cancel: bool) -> str:
    """Return the iTIP method of an entry or of its cancellation."""
    return "CANCEL" if cancel else "REQUEST"


def _address(party: Party, **params: str) -> vCalAddress:
    """Return a mailto: address with the person's name as CN."""
    address = vCalAddress(f"mailto:{party.email}")
    address.params["CN"] = party.name
    for key, value in params.items():
        address.params[key] = value
    return address


def attachment(content: bytes, *, cancel: bool = False) -> Attachment:
    """Wrap a rendered calendar as a mail attachment whose content type names the method."""
    return Attachment(
        filename="absage.ics" if cancel else "einsatz.ics",
        content_type=f"text/calendar; method={method(cancel)}; charset=UTF-8",
        content=content.decode("utf-8"),
    )
