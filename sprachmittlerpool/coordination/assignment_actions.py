"""What a coordinator does with an assignment after the day: record its outcome, correct its duration, settle a longer one.

Every change goes through a confirm step that says what will be booked; the services in
``services.completion`` do the work, so pages and API book alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from sprachmittlerpool.coordination import bp
from sprachmittlerpool.db import get_session
from sprachmittlerpool.german import day_long, minutes_words, money
from sprachmittlerpool.models import (
    Assignment,
    AssignmentStatus,
    Institution,
    InterpretingRequest,
    Language,
    Outcome,
    Volunteer,
    local_now,
)
from sprachmittlerpool.pools import current_pool_id, get_in_pool
from sprachmittlerpool.services import assignment_lists, completion, payouts
from sprachmittlerpool.services.completion import InvalidCompletion
from sprachmittlerpool.services.offers import Conflict

# The outcome form's choices, in the order a coordinator asks "what happened?".
OUTCOME_CHOICES = {
    "took_place": "Der Einsatz hat stattgefunden.",
    "late": "Die Einrichtung hat kurzfristig abgesagt (weniger als 24 Stunden vorher).",
    "no_show": "Die Sprachmittlerin oder der Sprachmittler war da, aber die Einrichtung oder die Klientin / der Klient nicht.",
    "volunteer_no_show": "Die Sprachmittlerin oder der Sprachmittler ist nicht erschienen.",
}


def _actor() -> str:
    return f"user:{current_user.id}"


def euros(cents: int | None) -> str:
    """Write cents as a German amount: '35,00 €'."""
    return money(Decimal(cents or 0) / 100)


@dataclass(frozen=True)
class Facts:
    """The assignment with the names a confirm page repeats, so the coordinator sees which one it is."""

    assignment: Assignment
    request: InterpretingRequest
    volunteer: str
    institution: str
    language: str
    when: str


def _facts(assignment_id: int) -> Facts:
    """Load a pool's assignment and what names it, or answer 404."""
    db = get_session()
    assignment = get_in_pool(db, Assignment, assignment_id) or abort(404)
    wanted = db.get(InterpretingRequest, assignment.request_id) or abort(404)
    volunteer = db.get(Volunteer, assignment.volunteer_id)
    institution = db.get(Institution, wanted.institution_id)
    language = db.get(Language, (wanted.pool_id, wanted.language_code))
    return Facts(
        assignment=assignment,
        request=wanted,
        volunteer=volunteer.name if volunteer else "–",
        institution=institution.name if institution else "–",
        language=language.name_de if language else wanted.language_code,
        when=f"{day_long(assignment.start.date())}, {assignment.start:%H:%M}–{assignment.end:%H:%M} Uhr",
    )


def _outcome_blocker(assignment: Assignment) -> str | None:
    """Say why no outcome can be recorded now, or None."""
    if assignment.status != AssignmentStatus.CONFIRMED or assignment.outcome is not None:
        return "Für diesen Einsatz ist schon festgehalten, was geschah."
    if assignment.start > local_now():
        return "Der Termin hat noch nicht begonnen; das Ergebnis lässt sich erst ab Beginn festhalten."
    return None


@bp.route("/einsaetze/<int:assignment_id>/ergebnis", methods=["GET", "POST"])
def assignment_outcome(assignment_id: int):
    """Ask what happened, show what will be booked, and record it once confirmed."""
    facts = _facts(assignment_id)
    blocker = _outcome_blocker(facts.assignment)
    form = request.form if request.method == "POST" else {}
    choice = form.get("outcome", "took_place")
    errors: dict[str, str] = {}
    if request.method == "POST" and blocker is None:
        try:
            outcome, minutes, km = _read_outcome(choice, form)
        except InvalidCompletion as exc:
            errors = exc.fields
        else:
            if form.get("confirmed") == "1":
                return _record(facts, outcome, minutes, km)
            cents = completion.allowance_for(
                get_session(), facts.assignment, outcome=outcome, duration_minutes=minutes, travel_km=km
            )[1]
            return render_template(
                "coordination/assignment_outcome_confirm.html",
                facts=facts,
                choice=choice,
                choice_text=OUTCOME_CHOICES[choice],
                minutes=minutes,
                km=km,
                minutes_text=minutes_words(minutes),
                amount=euros(cents),
                held=outcome is Outcome.TOOK_PLACE and minutes > completion.booked_minutes(facts.assignment),
            )
    return render_template(
        "coordination/assignment_outcome.html",
        facts=facts,
        blocker=blocker,
        choices=OUTCOME_CHOICES,
        choice=choice,
        form=form,
        booked=completion.booked_minutes(facts.assignment),
        errors=errors,
    ), 422 if errors else 200


def _whole_number(raw: str | None) -> int | str:
    """Turn typed ASCII digits into an int; anything else stays text for the service to refuse in German."""
    text = (raw or "").strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 6 else text


def _read_outcome(choice: str, form) -> tuple[Outcome, int, Decimal]:
    """Turn the form into outcome, minutes and km, raising InvalidCompletion in German."""
    if choice not in OUTCOME_CHOICES:
        raise InvalidCompletion({"outcome": "Bitte auswählen, was geschah."})
    outcome = completion.outcome_of(took_place=choice == "took_place", cancelled=choice)
    if outcome is not Outcome.TOOK_PLACE:
        return outcome, 0, Decimal(0)
    minutes = completion.parse_minutes(_whole_number(form.get("duration_minutes")))
    return outcome, minutes, completion.parse_km(form.get("travel_km"))


def _record(facts: Facts, outcome: Outcome, minutes: int, km: Decimal) -> Response:
    """Record the confirmed outcome and report it; a conflict is told, not raised."""
    took_place = outcome is Outcome.TOOK_PLACE
    try:
        done = completion.record_completion(
            get_session(),
            assignment=facts.assignment,
            took_place=took_place,
            duration_minutes=minutes if took_place else None,
            travel_km=km if took_place else None,
            cancelled=None if took_place else outcome.value,
            now=local_now(),
            actor=_actor(),
        )
    except Conflict as exc:
        flash(exc.message, "error")
        return redirect(url_for("coordination.assignment_outcome", assignment_id=facts.assignment.id))
    if completion.awaits_approval(done):
        flash(completion.approval_message(done), "success")
        return redirect(url_for("coordination.pending_durations"))
    flash(
        f"Festgehalten: {OUTCOME_CHOICES[outcome.value]} Aufwandsentschädigung {euros(done.allowance_cents)}.",
        "success",
    )
    return redirect(url_for("coordination.week_view", ab=facts.assignment.start.date().isoformat()))


@bp.route("/einsaetze/<int:assignment_id>/korrektur", methods=["GET", "POST"])
def assignment_correction(assignment_id: int):
    """Ask for the right duration and a reason, show the allowance before and after, and book it once confirmed."""
    facts = _facts(assignment_id)
    db = get_session()
    blocker = (
        None
        if completion.correctable(facts.assignment)
        else ("Nur die Dauer eines durchgeführten Einsatzes lässt sich korrigieren.")
    )
    form = request.form if request.method == "POST" else {}
    errors: dict[str, str] = {}
    if request.method == "POST" and blocker is None:
        try:
            minutes, reason = completion.check_correction(
                facts.assignment,
                duration_minutes=_whole_number(form.get("duration_minutes")),
                reason=form.get("reason"),
            )
        except InvalidCompletion as exc:
            errors = exc.fields
        else:
            if form.get("confirmed") == "1":
                return _correct(facts, minutes, reason)
            return render_template(
                "coordination/assignment_correction_confirm.html",
                facts=facts,
                minutes=minutes,
                reason=reason,
                before_minutes=minutes_words(facts.assignment.duration_minutes or 0),
                after_minutes=minutes_words(minutes),
                before_amount=euros(facts.assignment.allowance_cents),
                after_amount=euros(
                    completion.corrected_allowance(db, facts.assignment, duration_minutes=minutes)
                ),
                place=payouts.booking_place(db, facts.assignment),
            )
    return render_template(
        "coordination/assignment_correction.html",
        facts=facts,
        blocker=blocker,
        form=form,
        errors=errors,
        current_minutes=minutes_words(facts.assignment.duration_minutes or 0),
        current_amount=euros(facts.assignment.allowance_cents),
    ), 422 if errors else 200


def _correct(facts: Facts, minutes: int, reason: str) -> Response:
    """Book the confirmed correction and send the coordinator to the month where it shows."""
    db = get_session()
    try:
        done = completion.correct_duration(
            db,
            assignment=facts.assignment,
            duration_minutes=minutes,
            reason=reason,
            now=local_now(),
            actor=_actor(),
        )
    except Conflict as exc:
        flash(exc.message, "error")
        return redirect(url_for("coordination.assignment_correction", assignment_id=facts.assignment.id))
    except InvalidCompletion as exc:
        flash(" ".join(exc.fields.values()), "error")
        return redirect(url_for("coordination.assignment_correction", assignment_id=facts.assignment.id))
    flash(
        f"Die Dauer ist korrigiert ({minutes_words(minutes)}); die Aufwandsentschädigung beträgt jetzt "
        f"{euros(done.allowance_cents)}.",
        "success",
    )
    month = payouts.latest_entry_month(db, done)
    return redirect(url_for("payouts.month_detail", month=month))


@bp.get("/einsaetze/dauer")
def pending_durations() -> str:
    """List the reported durations longer than booked that wait for a coordinator."""
    db = get_session()
    return render_template(
        "coordination/pending_durations.html",
        rows=assignment_lists.awaiting_approval(db, pool_id=current_pool_id(db)),
        euros=euros,
        minutes_words=minutes_words,
    )


DECISIONS = {"freigeben": True, "ablehnen": False}


@bp.route("/einsaetze/<int:assignment_id>/dauer", methods=["GET", "POST"])
def duration_decision(assignment_id: int):
    """Confirm, then pay the longer duration (freigeben) or only the booked slot (ablehnen)."""
    facts = _facts(assignment_id)
    source = request.form if request.method == "POST" else request.args
    decision = source.get("entscheidung", "")
    if decision not in DECISIONS:
        abort(404)
    if not completion.awaits_approval(facts.assignment):
        flash("Für diesen Einsatz wartet keine Dauer auf eine Freigabe.", "error")
        return redirect(url_for("coordination.pending_durations"))
    if request.method == "POST":
        try:
            completion.decide_duration(
                get_session(), assignment=facts.assignment, approve=DECISIONS[decision], now=local_now(),
                actor=_actor(),
            )  # fmt: skip
        except Conflict as exc:
            flash(exc.message, "error")
        else:
            flash("Die Dauer ist entschieden und die Aufwandsentschädigung gebucht.", "success")
        return redirect(url_for("coordination.pending_durations"))
    row = assignment_lists.pending(get_session(), facts.assignment, facts.volunteer, facts.institution)
    return render_template(
        "coordination/duration_decision.html",
        facts=facts,
        row=row,
        decision=decision,
        approve=DECISIONS[decision],
        euros=euros,
        minutes_words=minutes_words,
    )
