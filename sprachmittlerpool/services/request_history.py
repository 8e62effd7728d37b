"""A request's whole life in German, for the coordinators' request page and the API.

The audit trail says who moved what from which state to which; the rows it names add what the
trail leaves out on purpose (a volunteer's decline reason lives on the offer, where retention can
blank it) and the outbox says which mail went to whom and whether it arrived. Each entry names a
person in words ("Kim Koordination", "die Einrichtung", "automatisch"), never an id or a code.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlmodel import Session, col, or_, select

from sprachmittlerpool.exports.formatting import MONTHS_DE
from sprachmittlerpool.german import minutes_words, money
from sprachmittlerpool.models import (
    Assignment,
    AssignmentStatus,
    AuditEvent,
    Feedback,
    Institution,
    InterpretingRequest,
    Language,
    MailStatus,
    MatchingRun,
    Municipality,
    Offer,
    OutboxMail,
    PayoutEntry,
    PayoutMonth,
    RunStatus,
    User,
    Volunteer,
)
from sprachmittlerpool.services.feedback import feedback_of_request
from sprachmittlerpool.services.mail_privacy import mails_of_request
from sprachmittlerpool.services.matching_run import REASON_TEXTS, proposal_of
from sprachmittlerpool.web import STATUS_SHORT_DE, status_de

AUTOMATIC = "automatisch"
RECENT_RUNS = 20  # runs hold the whole pool's result; older ones add little to one request's story
INSTITUTION = "die Einrichtung"
ACTORS = {
    "requester": INSTITUTION,
    "institution": INSTITUTION,
    "system": AUTOMATIC,
    "cli": "Kommandozeile",
    "seed-demo": "Demodaten",
}
ACCOUNT_PREFIXES = ("user:", "coordinator:")
MAIL_STATUS = {
    MailStatus.PENDING: "wartet auf Versand",
    MailStatus.SENT: "zugestellt",
    MailStatus.FAILED: "fehlgeschlagen",
}
WITHDRAW_REASONS = {
    "vergeben": "der Einsatz ging an jemand anderen",
    "abgesagt": "die Anfrage wurde storniert",
    "koordination": "von der Koordination",
    "frist": "die Frist lief ab, ohne dass jemand zusagte",
    "abwesend": "die Person ist abwesend",
    "pause": "die Person hat eine Pause eingetragen",
    "deaktiviert": "die Person ist nicht mehr aktiv",
    "geloescht": "die Daten der Person wurden gelöscht",
    "geaendert": "der geänderte Termin passt nicht mehr zu der Person",
}  # the same reasons as day_lists.WITHDRAWAL_REASONS_DE, there as whole sentences
OUTCOMES = {
    "took_place": "hat stattgefunden",
    "late": "wurde kurzfristig abgesagt",
    "early": "wurde rechtzeitig abgesagt",
    "no_show": "fand nicht statt: jemand ist nicht erschienen",
    "volunteer_no_show": "fand nicht statt: die Sprachmittlerin / der Sprachmittler ist nicht erschienen",
}
STATE_WORDS = {
    **STATUS_SHORT_DE,
    "pending": "offen",
    "accepted": "angenommen",
    "declined": "abgelehnt",
    "expired": "abgelaufen",
    "withdrawn": "zurückgezogen",
}
CHANGED_FIELDS = {
    "start": "Beginn",
    "end": "Ende",
    "municipality": "Ort",
    "address": "Adresse",
    "language": "Sprache",
}


@dataclass(frozen=True)
class HistoryEntry:
    """One step in a request's life: when, who (in words), what happened (in German)."""

    at: datetime
    who: str
    what: str


@dataclass(frozen=True)
class _Rows:
    """The rows a request's history names, loaded once."""

    request: InterpretingRequest
    offers: dict[int, Offer]
    assignments: dict[int, Assignment]
    volunteers: dict[int, Volunteer]
    entries: dict[int, PayoutEntry]
    months: dict[int, str]
    rule_titles: Mapping[str, str]


def history(
    session: Session, request: InterpretingRequest, *, rule_titles: Mapping[str, str]
) -> list[HistoryEntry]:
    """Return everything that happened to a request, oldest first."""
    rows = _load(session, request, rule_titles)
    events = _events(session, rows)
    names = _actor_names(session, events, rows)
    entries = [
        HistoryEntry(event.at, _who(event, names, rows), text)
        for event in events
        if (text := _describe(event, rows, session)) is not None
    ]
    entries += _proposal_entries(session, request)
    entries += [_mail_entry(mail, rows) for mail in mails_of_request(session, request.id)]
    # Pages show minutes; within one minute the trail's order (then the mails it caused) is the true one,
    # while the seconds of a mail's queueing and of its cause's audit row may fall either way.
    return sorted(entries, key=lambda entry: entry.at.replace(second=0, microsecond=0))


def _load(session: Session, request: InterpretingRequest, rule_titles: Mapping[str, str]) -> _Rows:
    offers = {o.id: o for o in session.exec(select(Offer).where(Offer.request_id == request.id)).all()}
    assignments = {
        a.id: a for a in session.exec(select(Assignment).where(Assignment.request_id == request.id)).all()
    }
    volunteer_ids = {o.volunteer_id for o in offers.values()} | {a.volunteer_id for a in assignments.values()}
    volunteers = {
        v.id: v for v in session.exec(select(Volunteer).where(col(Volunteer.id).in_(volunteer_ids))).all()
    }
    entries = {
        e.id: e
        for e in session.exec(
            select(PayoutEntry).where(col(PayoutEntry.assignment_id).in_(list(assignments)))
        ).all()
    }
    months = dict(
        session.exec(
            select(PayoutMonth.id, PayoutMonth.month).where(
                col(PayoutMonth.id).in_({e.payout_month_id for e in entries.values()})
            )
        ).all()
    )
    return _Rows(request, offers, assignments, volunteers, entries, months, rule_titles)  # type: ignore[arg-type]


def _events(session: Session, rows: _Rows) -> list[AuditEvent]:
    """Return the audit rows of the request, its offers, its assignments and their payout entries."""
    wanted = {
        "request": [str(rows.request.id)],
        "offer": [str(i) for i in rows.offers],
        "assignment": [str(i) for i in rows.assignments],
        "payout_entry": [str(i) for i in rows.entries],
    }
    conditions = [
        (AuditEvent.entity == entity) & col(AuditEvent.entity_id).in_(ids)
        for entity, ids in wanted.items()
        if ids
    ]
    statement = select(AuditEvent).where(or_(*conditions)).order_by(col(AuditEvent.at), col(AuditEvent.id))
    return list(session.exec(statement).all())


def _actor_names(session: Session, events: list[AuditEvent], rows: _Rows) -> dict[str, str]:
    """Name the accounts and volunteers the trail calls 'user:7' (pages), 'coordinator:7' (API), 'volunteer:3'."""
    user_ids = {_number(e.actor, prefix) for e in events for prefix in ACCOUNT_PREFIXES} - {None}
    users = session.exec(select(User).where(col(User.id).in_(user_ids))).all() if user_ids else []
    names = {f"{prefix}{u.id}": u.name or u.email for u in users for prefix in ACCOUNT_PREFIXES}
    names |= {f"volunteer:{v.id}": _person(v) for v in rows.volunteers.values()}
    return names


def _number(actor: str, prefix: str) -> int | None:
    rest = actor.removeprefix(prefix)
    return int(rest) if actor.startswith(prefix) and rest.isascii() and rest.isdigit() else None


def _person(volunteer: Volunteer | None) -> str:
    if volunteer is None:
        return "eine Sprachmittlerin oder ein Sprachmittler"
    return volunteer.name.strip() or "eine gelöschte Person"


def _who(event: AuditEvent, names: dict[str, str], rows: _Rows) -> str:
    """Say who acted: a person's name, the institution, or 'automatisch' for the scheduler's jobs."""
    if event.actor in names:
        return names[event.actor]
    if event.actor == "volunteer" and event.entity == "offer":
        return _person(_volunteer_of_offer(event, rows))
    if event.actor == "volunteer" and event.entity == "assignment":
        return _person(_volunteer_of_assignment(event, rows))
    if event.actor.startswith("job:"):
        return AUTOMATIC
    return ACTORS.get(event.actor, "unbekannt")


def _volunteer_of_offer(event: AuditEvent, rows: _Rows) -> Volunteer | None:
    offer = rows.offers.get(int(event.entity_id))
    return rows.volunteers.get(offer.volunteer_id) if offer else None


def _volunteer_of_assignment(event: AuditEvent, rows: _Rows) -> Volunteer | None:
    assignment = rows.assignments.get(int(event.entity_id))
    return rows.volunteers.get(assignment.volunteer_id) if assignment else None


def _describe(event: AuditEvent, rows: _Rows, session: Session) -> str | None:
    """Word one audit row; None for a row another entry already tells (e.g. the request's 'offered')."""
    if event.entity == "request":
        return _request_text(event, rows, session)
    if event.entity == "offer":
        return _offer_text(event, rows)
    if event.entity == "assignment":
        return _assignment_text(event, rows)
    return _payout_text(event, rows)


def _request_text(event: AuditEvent, rows: _Rows, session: Session) -> str | None:
    action, detail = event.action, event.detail
    if action == "submitted":
        return _screening_text(event, rows)
    texts = {
        "review_accepted": "Nach Prüfung angenommen"
        + (" – mit Hinweis an die Einrichtung" if detail.get("with_note") else ""),
        "review_rejected": "Nach Prüfung abgelehnt"
        + (" – mit Hinweis an die Einrichtung" if detail.get("with_note") else ""),
        "reopen": "Wieder offen: es wird eine neue Person gesucht",
        "cancel": "Storniert",
        "cancel_late": "Storniert, kurzfristig (innerhalb der Absagefrist)",
        "unfilled": "Nicht besetzt: bis zur Frist hat niemand zugesagt",
        "anonymised": "Persönliche Angaben nach Ablauf der Aufbewahrungsfrist gelöscht",
        "changed": _change_text(detail, rows, session),
    }
    if action in ("offer", "confirm", "complete"):
        return None  # the offer's and the assignment's own rows tell these steps with the person's name
    return texts.get(action, _state_text("Anfrage", event))


def _screening_text(event: AuditEvent, rows: _Rows) -> str:
    outcome = {
        "open": "angenommen und zur Vermittlung freigegeben",
        "review": "zur Prüfung durch die Koordination",
        "rejected": "abgelehnt",
    }.get(str(event.to_state), status_de(str(event.to_state)))
    titles = [rows.rule_titles.get(rule, "") for rule in event.detail.get("rules", [])]
    named = [title for title in titles if title]
    text = f"Anfrage eingegangen; die Regeln ergaben: {outcome}"
    if named:
        text += " (" + "; ".join(named) + ")"
    if event.detail.get("urgent"):
        text += ", dringend"
    return text


def _change_text(detail: dict[str, Any], rows: _Rows, session: Session) -> str:
    """Word a change of time, place or language: 'Geändert: Beginn 10:00 → 11:00 …'."""
    parts = []
    for field, label in CHANGED_FIELDS.items():
        if field not in detail.get("fields", []):
            continue
        values = detail.get(field)
        if not values:
            parts.append(f"{label} geändert")
            continue
        before, after = (_field_words(field, value, rows.request, session) for value in values)
        parts.append(f"{label} {before} → {after}")
    return "Geändert: " + "; ".join(parts) if parts else "Geändert"


def _field_words(field: str, value: str, request: InterpretingRequest, session: Session) -> str:
    if field in ("start", "end"):
        moment = datetime.fromisoformat(value)
        return f"{moment:%d.%m.%Y %H:%M} Uhr"
    if field == "municipality":
        row = session.get(Municipality, (request.pool_id, value))
        return row.name if row else "unbekannter Ort"
    language = session.get(Language, (request.pool_id, value))
    return language.name_de if language else "unbekannte Sprache"


def _offer_text(event: AuditEvent, rows: _Rows) -> str:
    offer = rows.offers.get(int(event.entity_id))
    name = _person(_volunteer_of_offer(event, rows))
    if event.action == "make":
        return f"Angebot an {name} geschickt"
    if event.action == "accept":
        return f"{name} hat das Angebot angenommen"
    if event.action == "decline":
        reason = offer.decline_reason.strip() if offer else ""
        return f"{name} hat das Angebot abgelehnt" + (f": „{reason}“" if reason else " (ohne Begründung)")
    if event.action == "withdraw":
        reason = WITHDRAW_REASONS.get(str(event.detail.get("reason", "")))
        return f"Angebot an {name} zurückgezogen" + (f": {reason}" if reason else "")
    if event.action == "expire":
        return f"Angebot an {name} abgelaufen: keine Antwort bis zur Frist"
    if event.action == "withdraw_acceptance":
        return f"{name} hat die Zusage zurückgegeben"
    return _state_text(f"Angebot an {name}", event)


def _assignment_text(event: AuditEvent, rows: _Rows) -> str | None:
    name = _person(_volunteer_of_assignment(event, rows))
    detail = event.detail
    texts = {
        "create": f"Einsatz bestätigt: {name} kommt",
        "cancel": f"Einsatz abgesagt; {name} bekommt die Absage mit Kalendereintrag",
        "release_erased": f"Einsatz freigegeben: die Daten von {name} wurden gelöscht",
        "released": f"Einsatz von {name} freigegeben: der geänderte Termin passt nicht mehr"
        + (f" ({detail['reason']})" if detail.get("reason") else ""),
        "changed": f"Einsatz an den geänderten Termin angepasst; {name} bekommt den neuen Kalendereintrag",
        "complete": f"Einsatz {OUTCOMES.get(str(detail.get('outcome')), 'ist erledigt')}",
        "duration_to_approve": "Längere Dauer gemeldet ("
        + _minutes(detail.get("reported_minutes"))
        + " statt "
        + _minutes(detail.get("booked_minutes"))
        + "); sie wartet auf Freigabe",
        "duration_approved": f"Längere Dauer freigegeben: {_minutes(detail.get('paid_minutes'))}",
        "duration_cut_to_slot": f"Gebuchte Dauer bezahlt: {_minutes(detail.get('paid_minutes'))}",
        "feedback_received": _feedback_text(detail),
        "debriefing_done": "Nachgespräch als erledigt vermerkt",
    }
    if event.action == "withdraw":
        return None  # the offer's 'withdraw_acceptance' row says it with the person's name
    return texts.get(event.action, _state_text(f"Einsatz von {name}", event))


def _feedback_text(detail: dict[str, Any]) -> str:
    if detail.get("side") == "institution":
        return "Rückmeldung der Einrichtung eingegangen"
    text = "Rückmeldung der Sprachmittlerin / des Sprachmittlers eingegangen"
    return text + (" – Nachgespräch gewünscht" if detail.get("debriefing") else "")


def _minutes(value: object) -> str:
    return minutes_words(value) if isinstance(value, int) else "unbekannt"


def _payout_text(event: AuditEvent, rows: _Rows) -> str:
    entry = rows.entries.get(int(event.entity_id))
    cents = event.detail.get("amount_cents")
    amount = money(Decimal(cents) / 100) if isinstance(cents, int) else "ein Betrag"
    month = _month_words(rows.months.get(entry.payout_month_id, "")) if entry else ""
    where = f" in der Auszahlungsliste {month}" if month else ""
    if event.action == "corrected":
        original = rows.entries.get(entry.corrects_entry_id) if entry and entry.corrects_entry_id else None
        of = _month_words(rows.months.get(original.payout_month_id, "")) if original else ""
        return f"Korrektur gebucht: {amount}{where}" + (f", korrigiert die Buchung für {of}" if of else "")
    if event.action == "rebooked":
        return f"Aufwandsentschädigung neu berechnet: jetzt {amount}{where}"
    return f"Aufwandsentschädigung gebucht: {amount}{where}"


def _month_words(month: str) -> str:
    """Write '2026-03' as 'März 2026'."""
    if len(month) != 7 or not month[5:].isdigit():
        return ""
    return f"{MONTHS_DE[int(month[5:]) - 1]} {month[:4]}"


def _state_text(subject: str, event: AuditEvent) -> str:
    """Word a step this page has no sentence for yet by its states, never by its code."""
    state = STATE_WORDS.get(str(event.to_state))
    if state and event.to_state != event.from_state:
        return f"{subject}: jetzt {state}"
    return f"{subject}: geändert"


def _proposal_entries(session: Session, request: InterpretingRequest) -> list[HistoryEntry]:
    """Say what the recent matching runs proposed for the request, or why they placed nobody."""
    runs = session.exec(
        select(MatchingRun)
        .where(
            MatchingRun.pool_id == request.pool_id,
            MatchingRun.status == RunStatus.DONE,
            MatchingRun.created_at >= request.created_at,
        )
        .order_by(col(MatchingRun.id).desc())
        .limit(RECENT_RUNS)
    ).all()
    found = [(run, proposal_of(run, request.id), _unplaced_reason(run, request.id)) for run in runs]
    found = [(run, proposal, reason) for run, proposal, reason in found if proposal or reason]
    volunteers = {
        v.id: v
        for v in session.exec(
            select(Volunteer).where(
                col(Volunteer.id).in_(
                    [int(p["volunteer"]) for _, p, _ in found if p and p["volunteer"].isdigit()]
                )
            )
        ).all()
    }
    creators = {run.created_by_id for run, _, _ in found} - {None}
    users = {
        u.id: u.name or u.email for u in session.exec(select(User).where(col(User.id).in_(creators))).all()
    }
    return [
        HistoryEntry(
            run.created_at, users.get(run.created_by_id, AUTOMATIC), _proposal_text(p, reason, volunteers)
        )
        for run, p, reason in reversed(found)
    ]


def _unplaced_reason(run: MatchingRun, request_id: int) -> str | None:
    wanted = str(request_id)
    return next(
        (u.get("reason") for u in run.result.get("unassigned", []) if u.get("request") == wanted), None
    )


def _proposal_text(
    proposal: dict[str, Any] | None, reason: str | None, volunteers: dict[int | None, Volunteer]
) -> str:
    if proposal is None:
        return "Vorschläge berechnet: niemand passt – " + REASON_TEXTS.get(
            str(reason), "ohne Angabe eines Grundes."
        )
    volunteer_id = str(proposal.get("volunteer", ""))
    name = _person(volunteers.get(int(volunteer_id)) if volunteer_id.isdigit() else None)
    km = proposal.get("distance_km")
    distance = f" ({km:.1f} km entfernt)".replace(".", ",") if isinstance(km, int | float) else ""
    return f"Vorschläge berechnet: vorgeschlagen ist {name}{distance}"


def _mail_entry(mail: OutboxMail, rows: _Rows) -> HistoryEntry:
    """Say which mail went to whom and whether it arrived."""
    recipient = _recipient(mail.recipient, rows)
    status = MAIL_STATUS.get(MailStatus(mail.status), mail.status)
    subject = f"„{mail.subject}“" if mail.subject else "E-Mail"
    return HistoryEntry(
        mail.sent_at or mail.created_at, AUTOMATIC, f"E-Mail an {recipient}: {subject} – {status}"
    )


def _recipient(address: str, rows: _Rows) -> str:
    if not address:
        return "(Adresse gelöscht)"
    if address.lower() == rows.request.contact_email.lower():
        return INSTITUTION
    for volunteer in rows.volunteers.values():
        if volunteer.email.lower() == address.lower():
            return _person(volunteer)
    return address


@dataclass(frozen=True)
class RequestPage:
    """A request with the names a coordinator reads, its current assignment and its history."""

    request: InterpretingRequest
    institution: Institution | None
    language: str
    municipality: str
    assignment: Assignment | None  # the one not cancelled, if any
    volunteer: Volunteer | None
    reasons: list[tuple[str, str]]  # (rule title or "", message)
    entries: list[HistoryEntry]
    feedback: list[tuple[Feedback, Assignment]] = dataclass_field(
        default_factory=list
    )  # received, oldest first


def request_page(
    session: Session, request: InterpretingRequest, *, rule_titles: Mapping[str, str]
) -> RequestPage:
    """Collect what the coordinators' request page shows."""
    assignment = session.exec(
        select(Assignment)
        .where(Assignment.request_id == request.id, Assignment.status != AssignmentStatus.CANCELLED)
        .order_by(col(Assignment.id).desc())
    ).first()
    language = session.get(Language, (request.pool_id, request.language_code))
    municipality = session.get(Municipality, (request.pool_id, request.municipality_id))
    return RequestPage(
        request=request,
        institution=session.get(Institution, request.institution_id),
        language=language.name_de if language else "unbekannte Sprache",
        municipality=municipality.name if municipality else "unbekannter Ort",
        assignment=assignment,
        volunteer=session.get(Volunteer, assignment.volunteer_id) if assignment else None,
        reasons=[
            (rule_titles.get(str(reason.get("rule")), ""), str(reason.get("message", "")))
            for reason in request.reasons
            if isinstance(reason, dict)
        ],
        entries=history(session, request, rule_titles=rule_titles),
        feedback=feedback_of_request(session, request.id),
    )
