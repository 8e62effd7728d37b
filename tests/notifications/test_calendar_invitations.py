"""Calendar entries as calendar clients read them: two independent parsers, and the MIME part the server gets.

An invitation and its cancellation travel through the outbox and the relay to a real SMTP server;
what arrives is parsed with `icalendar` and with `vobject`.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from email.message import EmailMessage
from zoneinfo import ZoneInfo

import icalendar
import pytest
import vobject
from flask import Flask

from notifications.relay import deliver_due
from sprachmittlerpool.db import new_session
from sprachmittlerpool.models import Pool, Volunteer, local_now
from tests.confirm import CONFIRMED
from tests.coordination.helpers import confirmed
from tests.factories import FIRST_POOL

BERLIN = ZoneInfo("Europe/Berlin")
POOL_ADDRESS = "vermittlung@ki-kreis.example"


def _calendar_part(message: EmailMessage) -> EmailMessage:
    (part,) = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    return part


def _calendar_mails(app: Flask, smtp_server, recipient: str) -> list[EmailMessage]:
    """Relay what is due (delivery is synchronous) and return the mails to ``recipient`` with an .ics."""
    deliver_due(app, now=local_now())
    return [
        message
        for message in smtp_server.to(recipient)
        if any(str(part.get_filename()).endswith(".ics") for part in message.walk())
    ]


@pytest.mark.parametrize(
    ("start", "hours_east_of_utc"),
    [(datetime(2031, 7, 14, 9, 30), 2), (datetime(2030, 12, 2, 9, 30), 1)],
    ids=["summer", "winter"],
)
def test_invitation_and_cancellation_read_alike_in_two_parsers_and_keep_the_mime_method(
    app_config, smtp_server, request, start, hours_east_of_utc
) -> None:
    app_config.update(
        smtp_server.config(),
        BASE_URL="https://sprachmittlung.kreis-heinsberg.example:8443/pool",
    )
    app: Flask = request.getfixturevalue("app")
    with app.app_context(), new_session(write=True) as session:
        pool = session.get(Pool, FIRST_POOL)
        pool.name, pool.email = "Sprachmittlerpool Kreis Heinsberg", POOL_ADDRESS
        session.commit()
    factories = request.getfixturevalue("factories")
    end = start + timedelta(minutes=90)
    req, _offer, token, assignment = confirmed(app, factories, start=start, end=end)
    db = request.getfixturevalue("db")
    volunteer = db.get(Volunteer, assignment.volunteer_id)

    (invitation,) = _calendar_mails(app, smtp_server, volunteer.email)
    assert app.test_client().post(f"/o/{token}/withdraw", data=CONFIRMED).status_code == 200
    _, cancellation = _calendar_mails(app, smtp_server, volunteer.email)

    for message, method, sequence in ((invitation, "REQUEST", 0), (cancellation, "CANCEL", 1)):
        part = _calendar_part(message)
        assert part.get_param("method") == method
        assert part.get_param("charset").upper() == "UTF-8"
        assert part["Content-Type"].lower().count("charset") == 1
        data = part.get_payload(decode=True)

        calendar = icalendar.Calendar.from_ical(data)
        (event,) = calendar.walk("VEVENT")
        assert str(calendar["METHOD"]) == method
        assert str(event["UID"]) == f"einsatz-{assignment.id}@sprachmittlung.kreis-heinsberg.example"
        assert int(event["SEQUENCE"]) == sequence
        assert str(event["ORGANIZER"]) == f"mailto:{POOL_ADDRESS}"
        assert event["ORGANIZER"].params["CN"] == "Sprachmittlerpool Kreis Heinsberg"
        assert str(event["ATTENDEE"]) == f"mailto:{volunteer.email}"
        assert event["ATTENDEE"].params["CN"] == volunteer.name
        assert event.decoded("DTSTART") == start.replace(tzinfo=BERLIN)
        assert event.decoded("DTSTART").utcoffset() == timedelta(hours=hours_east_of_utc)
        assert event.decoded("DTEND") == end.replace(tzinfo=BERLIN)
        assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/Berlin"]

        parsed = vobject.readOne(data.decode("utf-8"))
        assert parsed.method.value == method
        vevent = parsed.vevent
        assert vevent.uid.value == str(event["UID"])
        assert int(vevent.sequence.value) == sequence
        assert vevent.organizer.value == f"mailto:{POOL_ADDRESS}"
        assert vevent.attendee.value == f"mailto:{volunteer.email}"
        assert vevent.attendee.params["CN"] == [volunteer.name]
        assert vevent.dtstart.value.utcoffset() == timedelta(hours=hours_east_of_utc)
        assert vevent.dtstart.value.replace(tzinfo=None) == start
        assert vevent.dtend.value.replace(tzinfo=None) == end
        assert vevent.dtstamp.value.utcoffset() == timedelta(0)  # DTSTAMP is UTC (RFC 5545)
    assert req.id is not None


def test_without_a_contact_address_the_organizer_is_the_sender_address(app_config, request) -> None:
    app_config.update(MAIL_DEFAULT_SENDER="Pool Heinsberg <pool@heinsberg.example>")
    app: Flask = request.getfixturevalue("app")
    factories = request.getfixturevalue("factories")
    _req, _offer, _token, assignment = confirmed(app, factories)
    from tests.coordination.helpers import mails

    row = next(
        m for m in mails(request.getfixturevalue("db")) if m.dedupe_key.startswith("assignment_confirmed:")
    )
    event = icalendar.Calendar.from_ical(row.attachments[0]["content"]).walk("VEVENT")[0]

    assert str(event["ORGANIZER"]) == "mailto:pool@heinsberg.example"
    assert str(event["UID"]) == f"einsatz-{assignment.id}@localhost"
