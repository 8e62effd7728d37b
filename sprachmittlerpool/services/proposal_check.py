"""Check a proposal again against today's data before its offer goes out.

A proposal was right when the engine computed it; since then an absence, a deactivation,
another booking or a decline may have made it wrong. The check builds the same instance the
engine sees (``matching_run.build_instance_data``) and asks the engine's own hard rules
(``matching.candidates``), so the rules live in one place; this module only names, in German,
the first rule that fails.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Session

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
from sprachmittlerpool.services.matching_run import build_instance_data
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
    data["requests"] = wanted
    data["volunteers"] = [v for v in data["volunteers"] if v["id"] == str(volunteer_id)]
    return _first_broken_rule(session, matching.parse_instance(data), volunteer)


def _first_broken_rule(session: Session, instance: matching.Instance, volunteer: Volunteer) -> str | None:
    """Walk the engine's hard rules in its own order and word the first that fails."""
    context = Context(instance)
    request, candidate = instance.requests[0], instance.volunteers[0]
    name = short_name(volunteer)
    if request.language not in candidate.languages:
        language = session.get(Language, (volunteer.pool_id, request.language))
        return f"{name} spricht {language.name_de if language else 'die Sprache'} nicht mehr – {ASK}"
    if not takes_mode(candidate, request):
        return f"{name} übernimmt keine Telefon- oder Videotermine (mehr) – {ASK}"
    if not context.reaches(candidate, request):
        return f"{name} fährt nicht mehr so weit, wie der Termin entfernt ist – {ASK}"
    if not gender_fits(candidate, request):
        return f"{name} entspricht nicht dem gewünschten Geschlecht – {ASK}"
    day = request.start.date()
    absent = next((a for a in candidate.absences if a.start <= day <= a.end), None)
    if absent is not None:
        return f"{name} ist {span_words(absent.start, absent.end)} abwesend – {ASK}"
    if not time_fits(candidate, request):
        return f"{name} ist {WEEKDAYS_DE[day.weekday()].lower()}s zu dieser Uhrzeit laut Wochenplan nicht verfügbar – {ASK}"
    if not not_excluded(candidate, request):
        return f"{name} hat diese Anfrage schon abgelehnt oder das Angebot verfallen lassen – {ASK}"
    missing = missing_qualifications(candidate, request)
    if missing:
        lacking = " und ".join(KIND_LABELS.get(kind, kind) for kind in missing)
        return f"{name} fehlt für diesen Termin ein gültiger Nachweis: {lacking} – {ASK}"
    return _booking_problem(context, name)


def _booking_problem(context: Context, name: str) -> str | None:
    """Rules 6 and 7: the weekly cap, then an overlapping assignment or pending offer."""
    slot = slot_of(context.instance.requests[0])
    cap = context.instance.volunteers[0].max_per_week
    if context.booked_per_week[0][slot.week] >= cap:
        return f"{name} hat in dieser Woche schon die Höchstzahl von {cap} Einsätzen erreicht – {ASK}"
    if not context.free_against_bookings(0, slot):
        return f"{name} hat zu dieser Zeit schon einen Einsatz oder ein offenes Angebot – {ASK}"
    return None
