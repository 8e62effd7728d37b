"""A coordinator changes a request's time, place or language, and everyone concerned is told.

The institution gets the new details. A booked volunteer who still fits (the engine's own hard rules,
as when a proposal is confirmed: see proposal_check) gets the updated calendar entry: the same UID
with a higher SEQUENCE, so the calendar moves the entry instead of adding a second one. One who no
longer fits is released with the calendar's cancellation, and the request opens again for matching.
Pending offers that no longer fit are withdrawn; the others' volunteers get the new details.

`plan` only reads, so the confirmation page can say all this before anything happens; `apply` plans
again under the request's lock and does exactly what the plan says.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, select

from notifications.compose import Attachment
from sprachmittlerpool.config import cutoff_hours
from sprachmittlerpool.models import (
    Assignment,
    AssignmentStatus,
    InterpretingRequest,
    Language,
    Municipality,
    Offer,
    OfferStatus,
    RequestMode,
    RequestStatus,
    Volunteer,
)
from sprachmittlerpool.services import audit
from sprachmittlerpool.services.assignments import active_assignment
from sprachmittlerpool.services.mail import queue_mail
from sprachmittlerpool.services.matching_run import build_instance_data
from sprachmittlerpool.services.offers import (
    Conflict,
    appointment,
    calendar_attachment,
    close_pending_offer,
    format_day,
    fresh,
    lock_request,
    lock_volunteer,
    reopen_if_unanswered,
    retrying,
    set_request_status,
    set_status,
)
from sprachmittlerpool.services.proposal_check import ASK, first_broken_rule, short_name
from sprachmittlerpool.text_check import text_problem
from sprachmittlerpool.wallclock import exists_in_berlin, missing_hour_message
from sprachmittlerpool.web import status_de

EDITABLE = (RequestStatus.REVIEW, RequestStatus.OPEN, RequestStatus.OFFERED, RequestStatus.CONFIRMED)
FIELDS = frozenset({"start", "end", "municipality", "address", "language"})
MAX_DAYS_AHEAD = 366
MAX_ADDRESS = 300
MSG_REQUIRED = "Bitte füllen Sie dieses Feld aus."
MSG_TIME = "Bitte geben Sie Datum und Uhrzeit an (Format JJJJ-MM-TTTHH:MM, z. B. 2025-03-18T10:00)."
MSG_PICK = "Bitte wählen Sie einen Eintrag aus der Liste aus."


class InvalidChange(ValueError):
    """Field values that cannot be taken; `fields` maps each field to a German message."""

    def __init__(self, fields: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in fields.items()))
        self.fields = fields


@dataclass(frozen=True)
class NewValues:
    """Time, place and language of a request, as they are or as they shall be."""

    start: datetime
    end: datetime
    municipality: str
    address: str
    language: str


def current_values(request: InterpretingRequest) -> NewValues:
    """Return the request's changeable values as they stand."""
    return NewValues(
        request.start, request.end, request.municipality_id, request.address, request.language_code
    )


# --- checking the input ----------------------------------------------------------------------------


def check(
    session: Session, request: InterpretingRequest, data: Mapping[str, Any], *, now: datetime
) -> NewValues:
    """Validate new values; a field left out keeps its value (as PATCH means). Raise InvalidChange naming each wrong one."""
    errors: dict[str, str] = {}
    base = current_values(request)
    start = _moment(data, "start", base.start, errors)
    end = _moment(data, "end", base.end, errors)
    if "start" not in errors:
        if start <= now:
            errors["start"] = (
                "Der Termin liegt in der Vergangenheit. Bitte wählen Sie einen künftigen Termin."
            )
        elif start.date() > now.date() + timedelta(days=MAX_DAYS_AHEAD):
            errors["start"] = "Termine nehmen wir höchstens ein Jahr im Voraus an."
    if not errors.keys() & {"start", "end"}:
        if end <= start:
            errors["end"] = "Das Ende muss nach dem Beginn liegen."
        elif end.date() != start.date():
            errors["end"] = "Beginn und Ende müssen am selben Tag liegen."
    values = NewValues(
        start=start,
        end=end,
        municipality=_listed(session, request, data, "municipality", Municipality, base.municipality, errors),
        address=_address(data, base.address, errors),
        language=_listed(session, request, data, "language", Language, base.language, errors),
    )
    if errors:
        raise InvalidChange(errors)
    return values


def _moment(data: Mapping[str, Any], name: str, kept: datetime, errors: dict[str, str]) -> datetime:
    if name not in data:
        return kept
    value = data[name]
    if value is None or value == "":
        errors[name] = MSG_REQUIRED
        return kept
    parsed = _parse_time(value)
    if parsed is None:
        errors[name] = MSG_TIME
        return kept
    if not exists_in_berlin(parsed):
        errors[name] = missing_hour_message(parsed)
    return parsed


def _parse_time(value: Any) -> datetime | None:
    """Read YYYY-MM-DDTHH:MM (seconds allowed, no time zone), as the request form and the API send it."""
    if not isinstance(value, str) or not 16 <= len(value) <= 19 or value[10:11] != "T":
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed.replace(second=0) if parsed.tzinfo is None else None


def _listed(
    session: Session,
    request: InterpretingRequest,
    data: Mapping[str, Any],
    name: str,
    model: type[Municipality] | type[Language],
    kept: str,
    errors: dict[str, str],
) -> str:
    """Take an entry of the pool's list; a retired one only if the request already names it."""
    if name not in data:
        return kept
    value = data[name]
    if value is None or value == "":
        errors[name] = "Bitte wählen Sie einen Eintrag aus."
        return kept
    if not isinstance(value, str) or len(value) > 64 or text_problem(value):
        errors[name] = MSG_PICK
        return kept
    row = session.get(model, (request.pool_id, value))
    if row is None:
        errors[name] = (
            "Diese Sprache kennt der Pool nicht. Bitte wählen Sie eine aus der Liste."
            if name == "language"
            else "Dieser Ort gehört nicht zur Region des Pools. Bitte wählen Sie einen aus der Liste."
        )
    elif row.retired_at is not None and value != kept:
        errors[name] = (
            "Diese Sprache vermittelt der Pool zurzeit nicht."
            if name == "language"
            else "Diesen Ort bietet der Pool nicht mehr an."
        )
    return value


def _address(data: Mapping[str, Any], kept: str, errors: dict[str, str]) -> str:
    if "address" not in data:
        return kept
    value = data["address"]
    if not isinstance(value, str):
        errors["address"] = MSG_REQUIRED if value is None else "Bitte geben Sie hier einen Text ein."
        return kept
    value = value.strip()
    if not value:
        errors["address"] = MSG_REQUIRED
    elif text_problem(value):
        errors["address"] = "Der Text enthält unzulässige Zeichen."
    elif len(value) > MAX_ADDRESS:
        errors["address"] = f"Bitte fassen Sie sich kürzer (höchstens {MAX_ADDRESS} Zeichen)."
    return value


# --- what a change will do -------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldChange:
    """One changed value, before and after, in words."""

    label: str
    before: str
    after: str


@dataclass(frozen=True)
class OfferEffect:
    """A pending offer and why its volunteer no longer fits (None: the offer stays)."""

    offer: Offer
    volunteer: Volunteer
    problem: str | None


@dataclass(frozen=True)
class Plan:
    """What changing a request will do, and who gets which mail."""

    request: InterpretingRequest
    values: NewValues
    changes: list[FieldChange]
    assignment: Assignment | None = None
    volunteer: Volunteer | None = None  # the booked person
    problem: str | None = None  # why the booked person no longer fits
    offers: list[OfferEffect] = field(default_factory=list)

    @property
    def keeps(self) -> bool:
        """Tell whether the booked person stays booked at the new time."""
        return self.assignment is not None and self.problem is None

    @property
    def releases(self) -> bool:
        """Tell whether the booked person is released."""
        return self.assignment is not None and self.problem is not None

    @property
    def withdrawn(self) -> list[OfferEffect]:
        """Return the pending offers that are withdrawn."""
        return [effect for effect in self.offers if effect.problem]

    @property
    def kept_offers(self) -> list[OfferEffect]:
        """Return the pending offers that stay, with the new details."""
        return [effect for effect in self.offers if not effect.problem]

    def consequences(self) -> list[str]:
        """Say in German what will happen and who gets mail, for the confirmation page and the API."""
        said = [f"Die Einrichtung bekommt eine E-Mail mit den neuen Angaben ({self.request.contact_email})."]
        if self.keeps and self.volunteer is not None:
            said.append(
                f"{self.volunteer.name} passt weiterhin und bekommt eine E-Mail mit dem geänderten Kalendereintrag."
            )
        if self.releases and self.volunteer is not None:
            said.append(
                f"{self.volunteer.name} passt nicht mehr ({self.problem}). Der Einsatz wird freigegeben; "
                f"{self.volunteer.name} bekommt eine Absage mit Kalendereintrag, und die Anfrage ist wieder "
                "offen für die Vermittlung."
            )
        for effect in self.withdrawn:
            said.append(
                f"Das Angebot an {effect.volunteer.name} wird zurückgezogen ({effect.problem}); "
                f"{effect.volunteer.name} bekommt eine E-Mail."
            )
        for effect in self.kept_offers:
            said.append(
                f"{effect.volunteer.name} hat ein offenes Angebot, passt weiterhin und bekommt die neuen "
                "Angaben per E-Mail."
            )
        return said


def check_editable(request: InterpretingRequest, *, now: datetime) -> None:
    """Raise Conflict unless the request may still be changed: not finished, not begun, not a written translation.

    The change page edits a time slot and an address, which a written translation has neither of.
    """
    if request.mode == RequestMode.WRITTEN:
        raise Conflict(
            "not_editable",
            "Eine schriftliche Übersetzung lässt sich hier nicht ändern; bitte stornieren und neu anfragen lassen.",
        )
    if request.status not in EDITABLE:
        raise Conflict(
            "not_editable",
            f"Eine Anfrage im Stand „{status_de(request.status)}“ lässt sich nicht mehr ändern.",
        )
    if now >= request.start:
        raise Conflict("started", "Der Termin hat schon begonnen; er lässt sich nicht mehr ändern.")


def plan(session: Session, request: InterpretingRequest, values: NewValues, *, now: datetime) -> Plan:
    """Work out what changing the request to `values` will do, changing nothing."""
    changes = _changes(session, request, values)
    assignment = active_assignment(session, request.id) if request.status == RequestStatus.CONFIRMED else None
    pending = session.exec(
        select(Offer).where(Offer.request_id == request.id, Offer.status == OfferStatus.PENDING)
    ).all()
    if not changes or (assignment is None and not pending):
        return Plan(request, values, changes)
    data = build_instance_data(session, pool_id=request.pool_id, now=now)
    volunteer = session.get(Volunteer, assignment.volunteer_id) if assignment else None
    problem = (
        _fit_problem(session, data, request, values, volunteer, held=(assignment.start, assignment.end))
        if assignment and volunteer
        else None
    )
    effects = []
    for offer in pending:
        person = session.get(Volunteer, offer.volunteer_id)
        assert person is not None
        late = values.start - timedelta(hours=cutoff_hours()) <= now
        reason = (
            "der neue Termin liegt zu kurz bevor, um noch zu antworten"
            if late
            else _fit_problem(session, data, request, values, person, held=(request.start, request.end))
        )
        effects.append(OfferEffect(offer, person, reason))
    return Plan(request, values, changes, assignment, volunteer, problem, effects)


def _changes(session: Session, request: InterpretingRequest, values: NewValues) -> list[FieldChange]:
    before = current_values(request)
    changes = []
    if (before.start, before.end) != (values.start, values.end):
        changes.append(FieldChange("Zeit", _when(before.start, before.end), _when(values.start, values.end)))
    if before.municipality != values.municipality:
        changes.append(
            FieldChange(
                "Ort",
                _name(session, Municipality, request.pool_id, before.municipality),
                _name(session, Municipality, request.pool_id, values.municipality),
            )
        )
    if before.address != values.address:
        changes.append(FieldChange("Adresse", before.address, values.address))
    if before.language != values.language:
        changes.append(
            FieldChange(
                "Sprache",
                _name(session, Language, request.pool_id, before.language),
                _name(session, Language, request.pool_id, values.language),
            )
        )
    return changes


def _when(start: datetime, end: datetime) -> str:
    return f"{format_day(start)}, {start:%H:%M}–{end:%H:%M} Uhr"


def _name(session: Session, model: type[Municipality] | type[Language], pool_id: int, key: str) -> str:
    row = session.get(model, (pool_id, key))
    if row is None:
        return key
    return row.name if isinstance(row, Municipality) else row.name_de


def _stamp(moment: datetime) -> str:
    return f"{moment:%Y-%m-%dT%H:%M}"


def _fit_problem(
    session: Session,
    data: dict[str, Any],
    request: InterpretingRequest,
    values: NewValues,
    volunteer: Volunteer,
    *,
    held: tuple[datetime, datetime],
) -> str | None:
    """Ask the engine's hard rules whether the volunteer may take the changed request; word the first that fails.

    The volunteer's own hold on this request (the assignment or the pending offer, at the old time)
    is taken out of their bookings first, or the new time would clash with the old one.
    """
    if volunteer.anonymised_at is not None:
        return "die Person wurde gelöscht"
    candidate = next((v for v in data["volunteers"] if v["id"] == str(volunteer.id)), None)
    if candidate is None:
        return f"{short_name(volunteer)} ist nicht mehr aktiv"
    candidate = copy.deepcopy(candidate)
    own = {"start": _stamp(held[0]), "end": _stamp(held[1]), "municipality": request.municipality_id}
    if own in candidate["booked"]:
        candidate["booked"].remove(own)
    one = {
        **data,
        "volunteers": [candidate],
        "requests": [
            {
                "id": str(request.id),
                "language": values.language,
                "municipality": values.municipality,
                "start": _stamp(values.start),
                "end": _stamp(values.end),
                "gender_required": request.gender_required,
                "preferred_volunteers": [],
                "excluded_volunteers": [],
                "priority": 1,
            }
        ],
    }
    problem = first_broken_rule(session, one, volunteer)
    return problem.removesuffix(f" – {ASK}") if problem else None


# --- doing it --------------------------------------------------------------------------------------


@retrying
def apply(session: Session, *, request_id: int, values: NewValues, now: datetime, actor: str) -> Plan:
    """Change the request as planned (planned again under its lock), tell everyone concerned; commit or Conflict."""
    try:
        request = lock_request(session, request_id)
        if request is None:
            raise Conflict("not_found", "Diese Anfrage gibt es nicht.")
        check_editable(request, now=now)
        done = plan(session, request, values, now=now)
        if not done.changes:
            raise Conflict("unchanged", "Es wurde nichts geändert: die Angaben sind schon so.")
        if done.assignment is not None:
            lock_volunteer(session, done.assignment.volunteer_id)
        for effect in done.withdrawn:
            _withdraw(session, request, effect, now=now, actor=actor)
        if done.releases:
            _release(session, done, values, now=now, actor=actor)
        request = fresh(session, InterpretingRequest, request_id)
        assert request is not None
        number = _change(session, request, values, now=now, actor=actor)
        if done.keeps:
            _move(session, done, request, now=now, actor=actor)
        for effect in done.kept_offers:
            _tell_offer_changed(session, request, effect, number, now=now)
        reopen_if_unanswered(session, fresh(session, InterpretingRequest, request_id), now=now, actor=actor)
        _tell_institution(session, fresh(session, InterpretingRequest, request_id), done, number, now=now)
        session.commit()
    except Conflict:
        session.rollback()
        raise
    return done


def _withdraw(
    session: Session, request: InterpretingRequest, effect: OfferEffect, *, now: datetime, actor: str
) -> None:
    """Withdraw a pending offer the changed request no longer fits; the volunteer hears of the old appointment."""
    if not close_pending_offer(
        session, effect.offer.id, OfferStatus.WITHDRAWN, now=now, actor=actor, action="withdraw",
        detail={"reason": "geaendert"},
    ):  # fmt: skip
        raise Conflict(
            "answered", "Ein Angebot wurde gerade beantwortet. Bitte prüfen Sie die Änderung noch einmal."
        )
    queue_mail(
        session,
        "offer_withdrawn",
        pool_id=request.pool_id,
        recipient=effect.volunteer.email,
        dedupe_key=f"offer_withdrawn:{effect.offer.id}",
        context={
            **appointment(session, request),
            "first_name": effect.volunteer.first_name,
            "reason": "geaendert",
        },
        now=now,
    )


def _release(session: Session, done: Plan, values: NewValues, *, now: datetime, actor: str) -> None:
    """Cancel the booked person's assignment (calendar cancellation, same UID) and open the request again."""
    assignment, volunteer = done.assignment, done.volunteer
    assert assignment is not None and volunteer is not None
    sequence = assignment.calendar_sequence + 1
    if not set_status(
        session, Assignment, assignment.id, from_states=[AssignmentStatus.CONFIRMED],
        status=AssignmentStatus.CANCELLED, calendar_sequence=sequence,
    ):  # fmt: skip
        raise Conflict("assignment_closed", "Dieser Einsatz ist nicht mehr bestätigt.")
    audit.record(
        session, actor=actor, entity="assignment", entity_id=str(assignment.id), action="released",
        from_state=AssignmentStatus.CONFIRMED, to_state=AssignmentStatus.CANCELLED,
    )  # fmt: skip
    set_status(
        session, Offer, assignment.offer_id, from_states=[OfferStatus.ACCEPTED], status=OfferStatus.WITHDRAWN
    )
    audit.record(
        session, actor=actor, entity="offer", entity_id=str(assignment.offer_id), action="withdraw",
        from_state=OfferStatus.ACCEPTED, to_state=OfferStatus.WITHDRAWN, detail={"reason": "geaendert"},
    )  # fmt: skip
    request = fresh(session, InterpretingRequest, done.request.id)
    assert request is not None
    if not set_request_status(
        session, request, RequestStatus.OPEN, from_states=[RequestStatus.CONFIRMED], now=now, actor=actor,
        action="reopen",
    ):  # fmt: skip
        raise Conflict("request_state", "Die Anfrage ist nicht mehr bestätigt.")
    cancelled = fresh(session, Assignment, assignment.id)
    request = fresh(session, InterpretingRequest, done.request.id)
    assert cancelled is not None and request is not None
    queue_mail(
        session,
        "assignment_released",
        pool_id=request.pool_id,
        recipient=volunteer.email,
        dedupe_key=f"assignment_released:{assignment.id}",
        context={
            **appointment(session, request),
            "first_name": volunteer.first_name,
            "new": _words(session, request, values),
        },
        attachments=(calendar_attachment(session, cancelled, request, now=now, cancel=True),),
        now=now,
    )


def _words(session: Session, request: InterpretingRequest, values: NewValues) -> dict[str, str]:
    """Word the new values as the mails word an appointment (see offers.appointment)."""
    place = _name(session, Municipality, request.pool_id, values.municipality)
    return {
        "day": format_day(values.start),
        "time": f"{values.start:%H:%M}–{values.end:%H:%M} Uhr",
        "place": f"{values.address}, {place}",
        "language": _name(session, Language, request.pool_id, values.language),
    }


def _change(
    session: Session, request: InterpretingRequest, values: NewValues, *, now: datetime, actor: str
) -> int:
    """Store the new values with their audit row; return the row's id, which numbers this change's mails.

    The trail keeps times and list keys before and after, but not the address text: that is the
    institution's data, which retention blanks on the request.
    """
    before = current_values(request)
    detail: dict[str, Any] = {"fields": []}
    for name, old, new in (
        ("start", _stamp(before.start), _stamp(values.start)),
        ("end", _stamp(before.end), _stamp(values.end)),
        ("municipality", before.municipality, values.municipality),
        ("language", before.language, values.language),
    ):
        if old != new:
            detail["fields"].append(name)
            detail[name] = [old, new]
    if before.address != values.address:
        detail["fields"].append("address")
    if before.start != values.start:
        request.unfilled_warned_at = None  # a new date earns a new early warning
    request.start, request.end = values.start, values.end
    request.municipality_id, request.address, request.language_code = (
        values.municipality,
        values.address,
        values.language,
    )
    request.updated_at = now
    session.add(request)
    event = audit.record(
        session, actor=actor, entity="request", entity_id=str(request.id), action="changed",
        from_state=request.status, to_state=request.status, detail=detail,
    )  # fmt: skip
    session.flush()
    assert event.id is not None
    return event.id


def _move(session: Session, done: Plan, request: InterpretingRequest, *, now: datetime, actor: str) -> None:
    """Move the assignment with the request and send the volunteer the entry again with a higher SEQUENCE."""
    assignment = fresh(session, Assignment, done.assignment.id) if done.assignment else None
    volunteer = done.volunteer
    assert assignment is not None and volunteer is not None
    if assignment.start.date() != request.start.date():
        assignment.reminder_sent_at = None  # the day-before reminder is due again for the new day
    assignment.start, assignment.end = request.start, request.end
    assignment.calendar_sequence += 1
    session.add(assignment)
    audit.record(
        session, actor=actor, entity="assignment", entity_id=str(assignment.id), action="changed",
        from_state=AssignmentStatus.CONFIRMED, to_state=AssignmentStatus.CONFIRMED,
    )  # fmt: skip
    session.flush()
    queue_mail(
        session,
        "assignment_changed",
        pool_id=request.pool_id,
        recipient=volunteer.email,
        dedupe_key=f"assignment_changed:{assignment.id}:{assignment.calendar_sequence}",
        context={**appointment(session, request), "first_name": volunteer.first_name},
        attachments=(calendar_attachment(session, assignment, request, now=now),),
        now=now,
    )


def _tell_offer_changed(
    session: Session, request: InterpretingRequest, effect: OfferEffect, number: int, *, now: datetime
) -> None:
    """Send a pending offer's volunteer the new details; the offer's link stays valid, its expiry no later than before."""
    offer = fresh(session, Offer, effect.offer.id)
    assert offer is not None
    offer.expires_at = min(offer.expires_at, request.start - timedelta(hours=cutoff_hours()))
    session.add(offer)
    queue_mail(
        session,
        "offer_changed",
        pool_id=request.pool_id,
        recipient=effect.volunteer.email,
        dedupe_key=f"offer_changed:{offer.id}:{number}",
        context={
            **appointment(session, request),
            "first_name": effect.volunteer.first_name,
            "expires": f"{format_day(offer.expires_at)}, {offer.expires_at:%H:%M} Uhr",
        },
        now=now,
    )


def _tell_institution(
    session: Session, request: InterpretingRequest | None, done: Plan, number: int, *, now: datetime
) -> None:
    assert request is not None
    queue_mail(
        session,
        "request_changed",
        pool_id=request.pool_id,
        recipient=request.contact_email,
        dedupe_key=f"request_changed:{request.id}:{number}",
        context={
            **appointment(session, request),
            "volunteer_first_name": done.volunteer.first_name if done.keeps and done.volunteer else "",
            "released": done.releases,
        },
        attachments=_institution_calendar(session, request, done, now=now),
        now=now,
    )


def _institution_calendar(
    session: Session, request: InterpretingRequest, done: Plan, *, now: datetime
) -> tuple[Attachment, ...]:
    """The institution's calendar entry again (same UID, the raised SEQUENCE): moved, or cancelled if released."""
    if done.assignment is None or not (done.keeps or done.releases):
        return ()
    assignment = fresh(session, Assignment, done.assignment.id)
    assert assignment is not None
    return (
        calendar_attachment(
            session, assignment, request, now=now, cancel=done.releases, for_institution=True
        ),
    )


# --- cancelling for the institution ----------------------------------------------------------------


def cancel_consequences(session: Session, request: InterpretingRequest, *, now: datetime) -> list[str]:
    """Say what cancelling the request for its institution will do and who gets mail (intake.cancel_request does it)."""
    said = [f"Die Anfrage wird storniert. Die Einrichtung bekommt eine E-Mail ({request.contact_email})."]
    pending = session.exec(
        select(Offer).where(Offer.request_id == request.id, Offer.status == OfferStatus.PENDING)
    ).all()
    for offer in pending:
        volunteer = session.get(Volunteer, offer.volunteer_id)
        name = volunteer.name if volunteer else "Die angefragte Person"
        said.append(f"Das Angebot an {name} wird zurückgezogen; {name} bekommt eine E-Mail.")
    assignment = active_assignment(session, request.id) if request.status == RequestStatus.CONFIRMED else None
    volunteer = session.get(Volunteer, assignment.volunteer_id) if assignment else None
    if volunteer is not None:
        said.append(f"{volunteer.name} bekommt eine Absage mit Kalendereintrag und muss nicht hingehen.")
        if request.start - now < timedelta(hours=cutoff_hours()):
            said.append(
                f"Der Termin beginnt in weniger als {cutoff_hours()} Stunden: die Absage gilt als kurzfristig "
                f"und wird für {volunteer.name} nach dem Tarif als Ausfall abgerechnet."
            )
    return said
