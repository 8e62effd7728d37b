"""Check a proposal again against today's data before its offer goes out.

A proposal was right when the engine computed it; since then an absence, a deactivation,
another booking or a decline may have made it wrong. The check builds the same instance the
engine sees (``matching_run.build_instance_data``) and asks the engine's own hard rules
(``matching.candidates``), so the rules live in one place; this module only names, in German,
the first rule that fails.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, col, select

import matching
from matching.candidates import (
    Context,
    gender_fits,
    missing_qualifications,
    not_excluded,
    slot_of,
    takes_mode,
    time_fits,
)
from sprachmittlerpool.exports.formatting import MONTHS_DE
from sprachmittlerpool.models import InterpretingRequest, Language, Volunteer
from sprachmittlerpool.services.matching_run import RankedCandidate, build_instance_data, candidates_for
from sprachmittlerpool.services.qualifications import KIND_LABELS

ASK = "bitte neu berechnen oder eine andere Person wählen."
WEEKDAYS_DE = ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag")


def short_name(volunteer: Volunteer) -> str:
    """Write a name as coordinators say it in a hurry: 'Olena K.'."""
    parts = volunteer.name.split()
    if len(parts) < 2:
        return volunteer.name.strip() or "Die vorgeschlagene Person"
    return f"{parts[0]} {parts[-1][0]}."


def span_words(first: date, last: date) -> str:
    """Write a span of days without repeating month or year: 'vom 3. bis 10. Dezember'."""
    if first == last:
        return f"am {first.day}. {MONTHS_DE[first.month - 1]}"
    end = f"{last.day}. {MONTHS_DE[last.month - 1]}"
    if first.year != last.year:
        return f"vom {first.day}. {MONTHS_DE[first.month - 1]} {first.year} bis {end} {last.year}"
    if first.month != last.month:
        return f"vom {first.day}. {MONTHS_DE[first.month - 1]} bis {end}"
    return f"vom {first.day}. bis {end}"


def problem_with(session: Session, *, request_id: int, volunteer_id: int, now: datetime) -> str | None:
    """Return why the volunteer may no longer take the request (German, for a flash), or None if they still may."""
    request = session.get(InterpretingRequest, request_id)
    volunteer = session.get(Volunteer, volunteer_id)
    if request is None or volunteer is None or volunteer.pool_id != request.pool_id:
        return "Diese Anfrage oder Person gibt es nicht (mehr) – bitte neu berechnen."
    if volunteer.anonymised_at is not None:
        return f"Die vorgeschlagene Person wurde inzwischen gelöscht – {ASK}"
    if not volunteer.active:
        return f"{short_name(volunteer)} ist nicht mehr aktiv – {ASK}"
    data = build_instance_data(session, pool_id=request.pool_id, now=now)
    wanted = [r for r in data["requests"] if r["id"] == str(request_id)]
    if not wanted:
        return "Die Anfrage ist nicht mehr offen – bitte neu berechnen."
    reason = _reason_in(session, data, wanted[0], volunteer)
    return f"{short_name(volunteer)} {reason} – {ASK}" if reason else None


def reasons_for(
    session: Session, *, request: InterpretingRequest, now: datetime, data: dict[str, Any] | None = None
) -> dict[int, str | None]:
    """Name, per active volunteer who speaks the request's language, the first hard rule that keeps them out.

    None means the volunteer may take the request now. Empty when the request is no longer open.
    The instance is built once (or given, already built) and asked about one volunteer at a time, so each
    answer is the engine's own.
    """
    data = data if data is not None else build_instance_data(session, pool_id=request.pool_id, now=now)
    wanted = next((r for r in data["requests"] if r["id"] == str(request.id)), None)
    if wanted is None:
        return {}
    speakers = [v for v in data["volunteers"] if request.language_code in v["languages"]]
    rows = {
        v.id: v
        for v in session.exec(
            select(Volunteer).where(col(Volunteer.id).in_([int(v["id"]) for v in speakers]))
        )
    }
    return {
        int(v["id"]): _reason_in(session, {**data, "volunteers": [v]}, wanted, rows[int(v["id"])])
        for v in speakers
    }


@dataclass(frozen=True)
class OfferChoices:
    """Who a coordinator may offer a request to now (ranked as the engine ranks), and who not with the reason."""

    selectable: list[RankedCandidate]
    refused: list[tuple[Volunteer, str]]


def offer_choices(session: Session, *, request: InterpretingRequest, now: datetime) -> OfferChoices:
    """Split the pool's active speakers of the request's language into those who pass every hard rule and the rest."""
    data = build_instance_data(session, pool_id=request.pool_id, now=now)  # once: it reads the whole pool
    reasons = reasons_for(session, request=request, now=now, data=data)
    ranked = candidates_for(session, request=request, now=now, data=data)
    selectable = [c for c in ranked if reasons.get(c.volunteer.id) is None]
    chosen = {c.volunteer.id for c in selectable}
    refused_ids = [
        volunteer_id for volunteer_id, reason in reasons.items() if reason and volunteer_id not in chosen
    ]
    rows = session.exec(
        select(Volunteer).where(col(Volunteer.id).in_(refused_ids)).order_by(col(Volunteer.name))
    )
    return OfferChoices(selectable, [(v, reasons[v.id]) for v in rows])


def _reason_in(session: Session, data: dict, wanted: dict, volunteer: Volunteer) -> str | None:
    """Narrow the instance to one request and one volunteer and word the first rule that fails."""
    narrowed = {
        **data,
        "requests": [wanted],
        "volunteers": [v for v in data["volunteers"] if v["id"] == str(volunteer.id)],
    }
    return _first_broken_rule(session, matching.parse_instance(narrowed), volunteer)


def first_broken_rule(session: Session, data: dict[str, Any], volunteer: Volunteer) -> str | None:
    """Word the first hard rule broken in an instance (as build_instance_data gives it) of one request and one person."""
    return _first_broken_rule(session, matching.parse_instance(data), volunteer)


def _first_broken_rule(session: Session, instance: matching.Instance, volunteer: Volunteer) -> str | None:
    """Walk the engine's hard rules in its own order and word the first that fails (after the person's name)."""
    context = Context(instance)
    request, candidate = instance.requests[0], instance.volunteers[0]
    if request.language not in candidate.languages:
        language = session.get(Language, (volunteer.pool_id, request.language))
        return f"spricht {language.name_de if language else 'die Sprache'} nicht"
    if not takes_mode(candidate, request):
        return (
            "übernimmt keine schriftlichen Übersetzungen"
            if request.written
            else "übernimmt keine Telefon- oder Videotermine"
        )
    km = context.km(candidate, request)
    if not context.reaches(candidate, request):
        return (
            f"fährt höchstens {decimal_de(candidate.max_distance_km)} km, "
            f"der Termin ist {decimal_de(km)} km entfernt"
        )
    if not gender_fits(candidate, request):
        return "entspricht nicht dem gewünschten Geschlecht"
    day = request.start.date()
    absent = next((a for a in candidate.absences if a.start <= day <= a.end), None)
    if absent is not None:
        return f"ist {span_words(absent.start, absent.end)} abwesend"
    if not time_fits(candidate, request):
        return f"ist {WEEKDAYS_DE[day.weekday()].lower()}s zu dieser Uhrzeit laut Wochenplan nicht verfügbar"
    if not not_excluded(candidate, request):
        return "hat diese Anfrage schon abgelehnt oder das Angebot verfallen lassen"
    missing = missing_qualifications(candidate, request)
    if missing:
        lacking = " und ".join(KIND_LABELS.get(kind, kind) for kind in missing)
        return f"fehlt für diesen Termin ein gültiger Nachweis: {lacking}"
    return _booking_problem(context)


def _booking_problem(context: Context) -> str | None:
    """Rules 6 and 7: the weekly cap, then an overlapping assignment or pending offer."""
    slot = slot_of(context.instance.requests[0])
    cap = context.instance.volunteers[0].max_per_week
    if context.booked_per_week[0][slot.week] >= cap:
        return f"hat in dieser Woche schon die Höchstzahl von {cap} Einsätzen erreicht"
    if not context.free_against_bookings(0, slot):
        return "hat zu dieser Zeit schon einen Einsatz oder ein offenes Angebot"
    return None


def decimal_de(value: float) -> str:
    """Write a distance with one decimal and a comma, as German readers expect: '12,5'."""
    return f"{value:.1f}".replace(".", ",")
