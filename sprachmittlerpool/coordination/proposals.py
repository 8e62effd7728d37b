"""Proposals of the matching engine: compute, read the reasons, confirm, or pick another person."""

from __future__ import annotations

from flask import abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from sprachmittlerpool.coordination import bp
from sprachmittlerpool.db import get_session
from sprachmittlerpool.german import moment_short
from sprachmittlerpool.models import (
    InterpretingRequest,
    Language,
    MatchingRun,
    Municipality,
    Volunteer,
    local_now,
)
from sprachmittlerpool.pools import current_pool_id, get_in_pool
from sprachmittlerpool.services import background_matching, matching_run, proposal_check, run_freshness
from sprachmittlerpool.services.matching_run import OfferOutcome
from sprachmittlerpool.services.qualifications import MODE_LABELS, call_words


def _actor() -> str:
    return f"user:{current_user.id}"


def _report(outcomes: list[OfferOutcome]) -> None:
    """Flash one line per request: sent (to whom, by name), or why not."""
    db = get_session()
    for outcome in outcomes:
        if outcome.problem:
            flash(f"Anfrage {outcome.request_id}: nicht gesendet – {outcome.problem}", "error")
        else:
            volunteer = db.get(Volunteer, outcome.volunteer_id)
            name = volunteer.name if volunteer else "die vorgeschlagene Person"
            flash(f"Anfrage {outcome.request_id}: Angebot an {name} gesendet.", "success")


@bp.get("/vorschlaege")
def proposals():
    """Show the running run's progress, the last run's failure, and the latest finished run's proposals."""
    db = get_session()
    pool_id = current_pool_id(db)
    now = local_now()
    run = matching_run.latest_run(db, pool_id=pool_id)
    report = matching_run.describe_run(db, run) if run else None
    changed_at = run_freshness.changed_since(db, run) if run else None
    active = background_matching.active_run(db, pool_id=pool_id)
    failed = background_matching.failed_last(db, pool_id=pool_id)
    return render_template(
        "coordination/proposals.html",
        report=report,
        changed_at=moment_short(changed_at) if changed_at else None,
        modes=MODE_LABELS,
        active=active,
        progress=background_matching.progress_view(active, now=now) if active else None,
        failed=failed,
    )


@bp.post("/vorschlaege")
def compute_proposals() -> Response:
    """Queue a run over all open requests (or point to the pool's running one); the page follows its progress.

    With MATCHING_INLINE (the tests' setting) the request solves the run itself, through the same claim.
    """
    inline = bool(current_app.config.get("MATCHING_INLINE", False))
    worker = background_matching.worker_name()
    started = background_matching.start_run(
        get_session(),
        pool_id=current_user.pool_id,
        actor_id=current_user.id,
        time_limit_s=float(current_app.config.get("MATCHING_TIME_LIMIT_S", 10.0)),
        now=local_now(),
        claim_as=worker if inline else None,
    )
    if not started.created:
        flash("Für diesen Pool läuft schon eine Berechnung; hier sehen Sie ihren Stand.", "info")
    elif inline:
        background_matching.execute(started.run.id, worker=worker)
    else:
        background_matching.wake()
    return redirect(url_for("coordination.proposals"))


@bp.get("/vorschlaege/laeufe/<int:run_id>")
def run_progress(run_id: int) -> Response:
    """Answer a run's progress as JSON for the page's polling script (words for people, no codes shown)."""
    run = get_in_pool(get_session(), MatchingRun, run_id) or abort(404)
    return jsonify(background_matching.progress_view(run, now=local_now()))


@bp.post("/vorschlaege/<int:run_id>/anfragen/<int:request_id>")
def confirm_proposal(run_id: int, request_id: int) -> Response:
    """Send the offer for one proposal of a run."""
    db = get_session()
    run = get_in_pool(db, MatchingRun, run_id) or abort(404)
    proposal = matching_run.proposal_of(run, request_id) or abort(404)
    outcome = matching_run.confirm(
        db, request_id=request_id, volunteer_id=int(proposal["volunteer"]), now=local_now(), actor=_actor()
    )
    _report([outcome])
    return redirect(url_for("coordination.proposals"))


@bp.post("/vorschlaege/<int:run_id>/alle")
def confirm_all(run_id: int) -> Response:
    """Send the offers for every proposal of a run; conflicts are reported per request."""
    db = get_session()
    run = get_in_pool(db, MatchingRun, run_id) or abort(404)
    _report(matching_run.confirm_proposals(db, run=run, now=local_now(), actor=_actor()))
    return redirect(url_for("coordination.proposals"))


@bp.get("/anfragen/<int:request_id>/anbieten", endpoint="manual_offer")
@bp.get("/anfragen/<int:request_id>/kandidaten")
def candidates(request_id: int):
    """List everyone who speaks the language: who may take the request (ranked, to pick) and who not, and why.

    Also the place for an offer arranged by phone when the engine found nobody: once the
    volunteer's data allow it (weekly plan, absence, radius), they appear here to be chosen.
    """
    db = get_session()
    wanted = get_in_pool(db, InterpretingRequest, request_id) or abort(404)
    choices = proposal_check.offer_choices(db, request=wanted, now=local_now())
    return render_template(
        "coordination/candidates.html",
        wanted=wanted,
        ranked=choices.selectable,
        refused=choices.refused,
        short_name=proposal_check.short_name,
        language=db.get(Language, (wanted.pool_id, wanted.language_code)),
        municipality=db.get(Municipality, (wanted.pool_id, wanted.municipality_id)),
        reason_texts=matching_run.REASON_TEXTS,
        call_words=call_words,
    )


@bp.post("/anfragen/<int:request_id>/anbieten", endpoint="send_manual_offer")
@bp.post("/anfragen/<int:request_id>/kandidaten")
def offer_to_candidate(request_id: int) -> Response:
    """Send the offer (the normal offer mail) to the person the coordinator picked; the hard rules are checked again."""
    db = get_session()
    wanted = get_in_pool(db, InterpretingRequest, request_id) or abort(404)
    volunteer = get_in_pool(db, Volunteer, request.form.get("volunteer_id", type=int) or 0)
    if volunteer is None:
        flash("Diese Person kann die Anfrage nicht übernehmen: es gibt sie im Pool nicht.", "error")
        return redirect(url_for("coordination.manual_offer", request_id=wanted.id))
    outcome = matching_run.confirm(
        db,
        request_id=wanted.id,
        volunteer_id=volunteer.id,
        now=local_now(),
        actor=_actor(),
        user_id=current_user.id,
    )
    if outcome.problem:
        flash(f"Diese Person kann die Anfrage nicht übernehmen: {outcome.problem}", "error")
        return redirect(url_for("coordination.manual_offer", request_id=wanted.id))
    flash(
        f"Das Angebot ist an {volunteer.name} gesendet; die E-Mail enthält den Link zum Annehmen oder Ablehnen.",
        "success",
    )
    return redirect(url_for("coordination.pending_offers"))
