"""The offer link `/o/<token>`: GET shows, only POST (with CSRF) answers.

Mail scanners open links before people do, so GET and HEAD never change anything (Werkzeug
answers HEAD through the GET view). The token is looked up by its hash; an unknown or tampered
token is a 404, an answered, expired or withdrawn offer a clear page that changes nothing.
"""

from __future__ import annotations

from typing import Any

from flask import Response, abort, jsonify, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from sprachmittlerpool.confirmation import Confirmation, confirmation_page, confirmed
from sprachmittlerpool.db import get_session
from sprachmittlerpool.models import InterpretingRequest, Offer, OfferStatus, local_now
from sprachmittlerpool.pools import use_pool
from sprachmittlerpool.services import assignments, offers
from sprachmittlerpool.services.offers import Conflict
from sprachmittlerpool.text_check import text_problem
from sprachmittlerpool.volunteer import bp

MAX_REASON = 500


def wants_json() -> bool:
    """Tell whether the caller asked for the JSON variant."""
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return (
        best == "application/json"
        and request.accept_mimetypes["application/json"] > request.accept_mimetypes["text/html"]
    )


def link_page(template: str, status: int = 200, **context: Any) -> Response:
    """Render a link page with the headers that keep the token out of caches and referrers."""
    response = Response(render_template(template, **context), status=status)
    return _private(response)


def _private(response: BaseResponse) -> BaseResponse:
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "same-origin"
    return response


def _load(token: str) -> tuple[Offer, InterpretingRequest]:
    session = get_session()
    offer = offers.offer_for_token(session, token)
    if offer is None:
        abort(404)
    use_pool(offer.pool_id)  # the link works for its offer's pool under any address
    req = session.get(InterpretingRequest, offer.request_id)
    assert req is not None
    return offer, req


def _state(offer: Offer) -> str:
    """Name what the page shows; a pending offer past its time reads as expired without being changed."""
    if offer.status == OfferStatus.PENDING and offer.expires_at <= local_now():
        return OfferStatus.EXPIRED
    return offer.status


def _view(
    token: str, offer: Offer, req: InterpretingRequest, *, status: int = 200, message: str = ""
) -> BaseResponse:
    session = get_session()
    state = _state(offer)
    assignment = (
        assignments.assignment_for_offer(session, offer.id) if state == OfferStatus.ACCEPTED else None
    )
    if wants_json():
        body = {"offer": offer.id, "status": state}
        if message:
            body["message"] = message
        response = jsonify(body)
        response.status_code = status
        return _private(response)
    can_withdraw = assignments.withdraw_refusal(offer, assignment, now=local_now()) is None
    return link_page(
        "volunteer/offer.html",
        status=status,
        token=token,
        offer=offer,
        state=state,
        details=offers.appointment(session, req),
        assignment=assignment,
        can_withdraw=can_withdraw,
        message=message,
    )


@bp.get("/o/<token>")
def show_offer(token: str) -> BaseResponse:
    """Show the appointment and the answer forms; change nothing."""
    offer, req = _load(token)
    return _view(token, offer, req)


def _answer(token: str, act: Any, done: str) -> BaseResponse:
    """Load → check → act for one answer; a conflict shows the current state with 409."""
    offer, _req = _load(token)
    session = get_session()
    try:
        act(session, offer)
    except Conflict as exc:
        offer, req = _load(token)
        return _view(token, offer, req, status=409, message=exc.message)
    offer, req = _load(token)
    return _view(token, offer, req, message=done)


@bp.post("/o/<token>/accept")
def accept(token: str) -> BaseResponse:
    """Accept the offer (compare-and-set: exactly one winner)."""
    return _answer(
        token,
        lambda session, offer: offers.accept_offer(
            session, offer_id=offer.id, now=local_now(), actor=f"volunteer:{offer.volunteer_id}"
        ),
        "Vielen Dank! Der Einsatz ist bestätigt. Sie bekommen gleich eine E-Mail mit einem Kalendereintrag.",
    )


@bp.post("/o/<token>/decline")
def decline(token: str) -> BaseResponse:
    """Decline the offer, with an optional reason."""
    reason = (request.form.get("reason") or "").strip()[:MAX_REASON]
    problem = text_problem(reason, multiline=True)
    if problem:
        offer, req = _load(token)
        return _view(token, offer, req, status=422, message=f"Begründung: {problem}")
    return _answer(
        token,
        lambda session, offer: offers.decline_offer(
            session,
            offer_id=offer.id,
            reason=reason,
            now=local_now(),
            actor=f"volunteer:{offer.volunteer_id}",
        ),
        "Danke für Ihre Rückmeldung. Wir fragen jemand anderen.",
    )


@bp.post("/o/<token>/withdraw")
def withdraw(token: str) -> BaseResponse:
    """Give an accepted assignment back (until the cut-off, OFFER_CUTOFF_HOURS before) after a confirmation step."""
    if not confirmed():
        return _ask_before_withdrawing(token)
    return _answer(
        token,
        lambda session, offer: assignments.withdraw_acceptance(
            session, offer_id=offer.id, now=local_now(), actor=f"volunteer:{offer.volunteer_id}"
        ),
        "Sie haben den Einsatz abgesagt. Die Einrichtung und die Koordination wissen Bescheid.",
    )


def _ask_before_withdrawing(token: str) -> BaseResponse:
    """Show what giving the assignment back does, or why it is no longer possible; change nothing."""
    offer, req = _load(token)
    session = get_session()
    refusal = assignments.withdraw_refusal(
        offer, assignments.assignment_for_offer(session, offer.id), now=local_now()
    )
    if refusal is not None:
        return _view(token, offer, req, status=409, message=refusal.message)
    if wants_json():
        return _view(token, offer, req, status=428, message="Bitte bestätigen Sie die Absage (confirm=ja).")
    details = offers.appointment(session, req)
    page = Confirmation(
        question="Einsatz wirklich absagen?",
        happens=(
            f"Sie sagen den Einsatz am {details['day']}, {details['time']} in {details['place']} ab.",
            "Die Anfrage ist dann wieder offen; die Koordination sucht jemand anderen.",
            "Das lässt sich über diesen Link nicht rückgängig machen.",
        ),
        mail=(
            "Sie bekommen eine Bestätigung der Absage; der Kalendereintrag wird damit gelöscht.",
            "Die Einrichtung erfährt per E-Mail, dass Sie abgesagt haben; die Koordination sieht es sofort.",
        ),
        button="Ja, Einsatz absagen",
        action=url_for("volunteer.withdraw", token=token),
        back_url=url_for("volunteer.show_offer", token=token),
        back_label="Nein, zurück zum Einsatz",
    )
    return _private(Response(confirmation_page(page)))
