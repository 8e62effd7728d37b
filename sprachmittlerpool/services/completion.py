"""What happened to an assignment (Einsatzbestätigung), and the allowance it earns.

The allowance follows from the tariff valid on the appointment's date; the payouts service books
it into the month's list in the same transaction.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation

from sqlmodel import Session

from sprachmittlerpool.models import (
    Assignment,
    AssignmentStatus,
    InterpretingRequest,
    Outcome,
    RequestStatus,
)
from sprachmittlerpool.services import audit, payouts
from sprachmittlerpool.services.offers import (
    Conflict,
    fresh,
    lock_request,
    retrying,
    set_request_status,
    set_status,
)
from sprachmittlerpool.services.tariffs import tariff_on
from sprachmittlerpool.tariff import allowance, to_cents

MAX_DURATION_MINUTES = 24 * 60
MAX_TRAVEL_KM = Decimal(1000)
MAX_REASON_CHARS = 300
CANCELLED_OUTCOMES = {
    "late": Outcome.LATE,
    "early": Outcome.EARLY,
    "no_show": Outcome.NO_SHOW,
    "volunteer_no_show": Outcome.VOLUNTEER_NO_SHOW,
}
# Outcomes that can only be known once the appointment has begun.
AFTER_START = (Outcome.TOOK_PLACE, Outcome.NO_SHOW, Outcome.VOLUNTEER_NO_SHOW)

# Where each outcome leaves the assignment and the request.
ASSIGNMENT_AFTER = {
    Outcome.TOOK_PLACE: AssignmentStatus.COMPLETED,
    Outcome.NO_SHOW: AssignmentStatus.COMPLETED,
    Outcome.LATE: AssignmentStatus.CANCELLED,
    Outcome.EARLY: AssignmentStatus.CANCELLED,
    Outcome.VOLUNTEER_NO_SHOW: AssignmentStatus.CANCELLED,
}
REQUEST_AFTER = {
    Outcome.TOOK_PLACE: RequestStatus.COMPLETED,
    Outcome.NO_SHOW: RequestStatus.NO_SHOW,
    Outcome.LATE: RequestStatus.CANCELLED,
    Outcome.EARLY: RequestStatus.CANCELLED,
    Outcome.VOLUNTEER_NO_SHOW: RequestStatus.NO_SHOW,
}


APPROVAL_MESSAGE = (
    "Die angegebene Dauer von {reported} Minuten ist länger als der gebuchte Termin ({booked} Minuten). "
    "Die Koordination prüft die längere Dauer, bevor sie ausgezahlt wird."
)


WRITTEN_APPROVAL_MESSAGE = (
    "Die angegebene Dauer von {reported} Minuten für die schriftliche Übersetzung prüft die Koordination, "
    "bevor sie ausgezahlt wird."
)


def booked_minutes(assignment: Assignment) -> int:
    """Return the length of the booked slot: the most a completion may report without a coordinator's check.

    A written translation books no slot (its dates are the due day), so 0: every reported time waits for a
    coordinator, and a refused one pays the tariff's amount for no time (the base amount). The tariff pays
    the approved time like any assignment's duration; per-page or per-line rates are not modelled.
    """
    if assignment.written:
        return 0
    return int((assignment.end - assignment.start).total_seconds() // 60)


def approval_message(assignment: Assignment) -> str:
    """Tell the reporter that a longer (or a written translation's) duration waits for the coordination."""
    if assignment.written:
        return WRITTEN_APPROVAL_MESSAGE.format(reported=assignment.duration_minutes)
    return APPROVAL_MESSAGE.format(reported=assignment.duration_minutes, booked=booked_minutes(assignment))


def awaits_approval(assignment: Assignment) -> bool:
    """Tell whether a reported duration longer than the slot waits for a coordinator (confirmed, outcome set, unpaid)."""
    return assignment.status == AssignmentStatus.CONFIRMED and assignment.outcome == Outcome.TOOK_PLACE


class InvalidCompletion(ValueError):
    """The entered values cannot describe an assignment; `fields` says which and why (German)."""

    def __init__(self, fields: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in fields.items()))
        self.fields = fields


def parse_km(value: object) -> Decimal:
    """Turn an entered distance into an exact Decimal (comma or point), refusing nonsense."""
    if value is None or value == "":
        return Decimal(0)
    if isinstance(value, bool):
        raise InvalidCompletion({"travel_km": "Bitte eine Zahl angeben."})
    try:
        km = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation:
        raise InvalidCompletion({"travel_km": "Bitte eine Zahl angeben."}) from None
    if not km.is_finite() or km < 0 or km > MAX_TRAVEL_KM:
        raise InvalidCompletion({"travel_km": "Bitte 0 bis 1000 km angeben."})
    return km.quantize(Decimal("0.1"))


def outcome_of(*, took_place: bool, cancelled: str | None) -> Outcome:
    """Name the outcome from the form's or the API's answer."""
    if took_place:
        return Outcome.TOOK_PLACE
    if cancelled not in CANCELLED_OUTCOMES:
        raise InvalidCompletion({"cancelled": "Bitte angeben: late, early, no_show oder volunteer_no_show."})
    return CANCELLED_OUTCOMES[cancelled]


def allowance_for(
    session: Session, assignment: Assignment, *, outcome: Outcome, duration_minutes: int, travel_km: Decimal
) -> tuple[int | None, int]:
    """Return the tariff version valid on the appointment's day and the allowance in cents it pays."""
    tariff_id, tariff = tariff_on(session, assignment.start.date(), pool_id=assignment.pool_id)
    amount = allowance(tariff, outcome=outcome.value, duration_minutes=duration_minutes, travel_km=travel_km)
    return tariff_id, to_cents(amount)


def apply_outcome(
    session: Session,
    assignment: Assignment,
    *,
    outcome: Outcome,
    duration_minutes: int,
    travel_km: Decimal,
    now: datetime,
    actor: str,
) -> None:
    """Set outcome, figures and allowance in the caller's transaction, then book the allowance."""
    tariff_id, cents = allowance_for(
        session, assignment, outcome=outcome, duration_minutes=duration_minutes, travel_km=travel_km
    )
    assignment.outcome = outcome
    assignment.duration_minutes = duration_minutes if outcome is Outcome.TOOK_PLACE else None
    assignment.travel_km = float(travel_km) if outcome is Outcome.TOOK_PLACE else None
    assignment.allowance_cents = cents
    assignment.tariff_id = tariff_id
    assignment.completed_at = now
    assignment.completed_by = actor[:80]
    session.add(assignment)
    session.flush()
    payouts.book_allowance(session, assignment, now=now, actor=actor)


@retrying
def record_completion(
    session: Session,
    *,
    assignment: Assignment,
    took_place: bool,
    duration_minutes: int | None = None,
    travel_km: object = None,
    cancelled: str | None = None,
    now: datetime,
    actor: str,
) -> Assignment:
    """Record what happened to a confirmed assignment and its allowance; commit, or raise and change nothing."""
    outcome = outcome_of(took_place=took_place, cancelled=cancelled)
    minutes = parse_minutes(duration_minutes) if outcome is Outcome.TOOK_PLACE else 0
    km = parse_km(travel_km) if outcome is Outcome.TOOK_PLACE else Decimal(0)
    try:
        request = lock_request(session, assignment.request_id)
        current = fresh(session, Assignment, assignment.id)
        assert request is not None and current is not None
        if current.status != AssignmentStatus.CONFIRMED or current.outcome is not None:
            raise Conflict("already_recorded", "Für diesen Einsatz ist schon festgehalten, was geschah.")
        if current.written:
            km = Decimal(0)  # a written translation has no way to travel: no kilometres are paid
        # a written translation may be done before its due day; an appointment not before it begins
        if outcome in AFTER_START and now < current.start and not current.written:
            raise Conflict("not_yet", "Der Termin hat noch nicht begonnen.")
        if outcome is Outcome.TOOK_PLACE and minutes > booked_minutes(current):
            _hold_for_approval(session, current, minutes=minutes, km=km, now=now, actor=actor)
            session.commit()
            return fresh(session, Assignment, assignment.id)
        after = ASSIGNMENT_AFTER[outcome]
        if not set_status(
            session, Assignment, current.id, from_states=[AssignmentStatus.CONFIRMED], status=after
        ):
            raise Conflict("already_recorded", "Für diesen Einsatz ist schon festgehalten, was geschah.")
        audit.record(
            session, actor=actor, entity="assignment", entity_id=str(current.id), action="complete",
            from_state=AssignmentStatus.CONFIRMED, to_state=after, detail={"outcome": outcome.value},
        )  # fmt: skip
        current = fresh(session, Assignment, assignment.id)
        apply_outcome(
            session, current, outcome=outcome, duration_minutes=minutes, travel_km=km, now=now, actor=actor
        )
        request = fresh(session, InterpretingRequest, request.id)
        if not set_request_status(
            session,
            request,
            REQUEST_AFTER[outcome],
            from_states=[RequestStatus.CONFIRMED],
            now=now,
            actor=actor,
            action="complete",
        ):
            raise Conflict("request_state", "Die Anfrage ist nicht mehr bestätigt.")
        session.commit()
    except (Conflict, payouts.MonthClosedError, payouts.BookingError) as exc:
        session.rollback()
        if isinstance(exc, Conflict):
            raise
        raise Conflict(
            "month_closed", "Der Monat ist schon abgeschlossen; bitte über eine Korrektur buchen."
        ) from exc
    return fresh(session, Assignment, assignment.id)


def _hold_for_approval(
    session: Session, assignment: Assignment, *, minutes: int, km: Decimal, now: datetime, actor: str
) -> None:
    """Keep a longer-than-booked report unpaid: outcome and figures are stored, nothing is booked yet."""
    assignment.outcome = Outcome.TOOK_PLACE
    assignment.duration_minutes = minutes
    assignment.travel_km = float(km)
    assignment.completed_at = now
    assignment.completed_by = actor[:80]
    session.add(assignment)
    audit.record(
        session, actor=actor, entity="assignment", entity_id=str(assignment.id), action="duration_to_approve",
        from_state=AssignmentStatus.CONFIRMED, to_state=AssignmentStatus.CONFIRMED,
        detail={"reported_minutes": minutes, "booked_minutes": booked_minutes(assignment)},
    )  # fmt: skip


@retrying
def decide_duration(
    session: Session, *, assignment: Assignment, approve: bool, now: datetime, actor: str
) -> Assignment:
    """Let a coordinator settle a longer reported duration: pay it (approve) or pay the booked slot; commit."""
    try:
        request = lock_request(session, assignment.request_id)
        current = fresh(session, Assignment, assignment.id)
        assert request is not None and current is not None
        if not awaits_approval(current):
            raise Conflict("no_approval", "Für diesen Einsatz wartet keine Dauer auf eine Freigabe.")
        minutes = current.duration_minutes if approve else booked_minutes(current)
        if not set_status(
            session, Assignment, current.id, from_states=[AssignmentStatus.CONFIRMED],
            status=AssignmentStatus.COMPLETED,
        ):  # fmt: skip
            raise Conflict("already_recorded", "Für diesen Einsatz ist schon festgehalten, was geschah.")
        audit.record(
            session, actor=actor, entity="assignment", entity_id=str(current.id),
            action="duration_approved" if approve else "duration_cut_to_slot",
            from_state=AssignmentStatus.CONFIRMED, to_state=AssignmentStatus.COMPLETED,
            detail={"paid_minutes": minutes},
        )  # fmt: skip
        current = fresh(session, Assignment, assignment.id)
        km = Decimal(str(current.travel_km or 0))
        apply_outcome(
            session, current, outcome=Outcome.TOOK_PLACE, duration_minutes=minutes or 0, travel_km=km,
            now=now, actor=actor,
        )  # fmt: skip
        set_request_status(
            session, fresh(session, InterpretingRequest, request.id), RequestStatus.COMPLETED,
            from_states=[RequestStatus.CONFIRMED], now=now, actor=actor, action="complete",
        )  # fmt: skip
        session.commit()
    except (Conflict, payouts.MonthClosedError, payouts.BookingError) as exc:
        session.rollback()
        if isinstance(exc, Conflict):
            raise
        raise Conflict(
            "month_closed", "Der Monat ist schon abgeschlossen; bitte über eine Korrektur buchen."
        ) from exc
    return fresh(session, Assignment, assignment.id)


def parse_minutes(value: object) -> int:
    """Check a duration in whole minutes (1 to 1440), or raise InvalidCompletion in German."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidCompletion({"duration_minutes": "Bitte die Dauer in ganzen Minuten angeben."})
    if not 0 < value <= MAX_DURATION_MINUTES:
        raise InvalidCompletion({"duration_minutes": "Bitte 1 bis 1440 Minuten angeben."})
    return value


def correctable(assignment: Assignment) -> bool:
    """Tell whether an assignment's duration may be corrected: it took place and its allowance was booked."""
    return assignment.status == AssignmentStatus.COMPLETED and assignment.outcome == Outcome.TOOK_PLACE


def corrected_allowance(session: Session, assignment: Assignment, *, duration_minutes: int) -> int:
    """Return the allowance in cents the assignment would earn with another duration (tariff of its day)."""
    _tariff_id, cents = allowance_for(
        session,
        assignment,
        outcome=Outcome.TOOK_PLACE,
        duration_minutes=duration_minutes,
        travel_km=Decimal(str(assignment.travel_km or 0)),
    )
    return cents


def check_correction(assignment: Assignment, *, duration_minutes: object, reason: object) -> tuple[int, str]:
    """Return the new duration and the reason, or raise InvalidCompletion naming what is wrong (German)."""
    fields: dict[str, str] = {}
    minutes = 0
    try:
        minutes = parse_minutes(duration_minutes)
    except InvalidCompletion as exc:
        fields.update(exc.fields)
    text = " ".join(reason.split()) if isinstance(reason, str) else ""
    if not text:
        fields["reason"] = "Bitte einen Grund angeben."
    elif len(text) > MAX_REASON_CHARS:
        fields["reason"] = f"Bitte höchstens {MAX_REASON_CHARS} Zeichen."
    if not fields and minutes == assignment.duration_minutes:
        fields["duration_minutes"] = "Diese Dauer ist schon gebucht."
    if fields:
        raise InvalidCompletion(fields)
    return minutes, text


@retrying
def correct_duration(
    session: Session,
    *,
    assignment: Assignment,
    duration_minutes: object,
    reason: object,
    now: datetime,
    actor: str,
) -> Assignment:
    """Book a corrected duration of a completed assignment; commit, or raise and change nothing.

    The difference goes through ``payouts.book_allowance``: while the original entry's month is
    open the entry itself changes; once that month is closed a correction entry naming it is
    booked into the next open month. The reason travels with the entry and the audit trail.
    """
    minutes, text = check_correction(assignment, duration_minutes=duration_minutes, reason=reason)
    try:
        lock_request(session, assignment.request_id)
        current = fresh(session, Assignment, assignment.id)
        assert current is not None
        if not correctable(current):
            raise Conflict(
                "not_completed", "Nur die Dauer eines durchgeführten Einsatzes lässt sich korrigieren."
            )
        before_minutes, before_cents = current.duration_minutes, current.allowance_cents
        tariff_id, cents = allowance_for(
            session, current, outcome=Outcome.TOOK_PLACE, duration_minutes=minutes,
            travel_km=Decimal(str(current.travel_km or 0)),
        )  # fmt: skip
        current.duration_minutes = minutes
        current.allowance_cents = cents
        current.tariff_id = tariff_id
        session.add(current)
        session.flush()
        audit.record(
            session, actor=actor, entity="assignment", entity_id=str(current.id), action="duration_corrected",
            detail={
                "before_minutes": before_minutes, "after_minutes": minutes,
                "before_cents": before_cents, "after_cents": cents, "reason": text,
            },
        )  # fmt: skip
        payouts.book_allowance(session, current, now=now, actor=actor, reason=text)
        session.commit()
    except (Conflict, payouts.MonthClosedError, payouts.BookingError) as exc:
        session.rollback()
        if isinstance(exc, Conflict):
            raise
        raise Conflict("month_closed", "Es gibt keinen offenen Monat für die Korrektur.") from exc
    return fresh(session, Assignment, assignment.id)
