"""Offers and completions over the API: confirm a match, take an offer back, record what happened."""

from __future__ import annotations

from flask import g, jsonify
from werkzeug.wrappers import Response

from sprachmittlerpool.api import bp, spec
from sprachmittlerpool.api.common import MAX_ROW_ID, ApiError, coordinator_required, json_body, row_id
from sprachmittlerpool.db import get_session
from sprachmittlerpool.models import Assignment, InterpretingRequest, Offer, local_now
from sprachmittlerpool.pools import get_in_pool
from sprachmittlerpool.services import completion as completion_service
from sprachmittlerpool.services import offers
from sprachmittlerpool.services.completion import (
    InvalidCompletion,
    approval_message,
    awaits_approval,
    record_completion,
)
from sprachmittlerpool.services.offers import Conflict


def _actor() -> str:
    return f"coordinator:{g.api_user.id}"


def _conflict(exc: Conflict) -> ApiError:
    return ApiError(409, exc.code, exc.message)


@bp.post(f"/requests/<int(max={MAX_ROW_ID}):request_id>/offer")
@coordinator_required
def make_offer(request_id: int) -> tuple[Response, int]:
    """Send an offer for a request to a volunteer."""
    volunteer_id = row_id(json_body({"volunteer"}).get("volunteer"))
    if volunteer_id is None:
        raise ApiError(
            422, "invalid", "Bitte die id einer Person angeben.", {"volunteer": "Pflichtfeld (id)."}
        )
    session = get_session()
    if get_in_pool(session, InterpretingRequest, request_id) is None:
        raise ApiError(404, "not_found", "Diese Anfrage gibt es nicht.")
    try:
        offer, _token = offers.make_offer(
            session, request_id=request_id, volunteer_id=volunteer_id, now=local_now(), actor=_actor(),
            user_id=g.api_user.id,
        )  # fmt: skip
    except Conflict as exc:
        raise _conflict(exc) from None
    return jsonify({"offer": str(offer.id), "status": "offered"}), 201


@bp.post(f"/offers/<int(max={MAX_ROW_ID}):offer_id>/withdraw")
@coordinator_required
def withdraw_offer(offer_id: int) -> Response:
    """Take back a pending offer; the volunteer is told."""
    session = get_session()
    if get_in_pool(session, Offer, offer_id) is None:
        raise ApiError(404, "not_found", "Dieses Angebot gibt es nicht.")
    try:
        offer = offers.withdraw_offer(session, offer_id=offer_id, now=local_now(), actor=_actor())
    except Conflict as exc:
        raise _conflict(exc) from None
    return jsonify({"offer": str(offer.id), "status": offer.status})


@bp.post(f"/assignments/<int(max={MAX_ROW_ID}):assignment_id>/completion")
@coordinator_required
def completion(assignment_id: int) -> Response:
    """Record whether an assignment took place, and its allowance."""
    data = json_body({"took_place", "duration_minutes", "travel_km", "cancelled"})
    took_place = data.get("took_place")
    if not isinstance(took_place, bool):
        raise ApiError(
            422, "invalid", "took_place muss true oder false sein.", {"took_place": "true oder false."}
        )
    km = data.get("travel_km")
    if km is not None and (isinstance(km, bool) or not isinstance(km, int | float | str)):
        raise ApiError(422, "invalid", "travel_km muss eine Zahl sein.", {"travel_km": "Zahl."})
    session = get_session()
    assignment = get_in_pool(session, Assignment, assignment_id)
    if assignment is None:
        raise ApiError(404, "not_found", "Diesen Einsatz gibt es nicht.")
    try:
        done = record_completion(
            session,
            assignment=assignment,
            took_place=took_place,
            duration_minutes=data.get("duration_minutes"),
            travel_km=km,
            cancelled=data.get("cancelled"),
            now=local_now(),
            actor=_actor(),
        )
    except InvalidCompletion as exc:
        raise ApiError(422, "invalid", "Die Angaben sind ungültig.", exc.fields) from None
    except Conflict as exc:
        raise _conflict(exc) from None
    return jsonify({**_booked(done), **_approval(done)})


def _booked(done: Assignment) -> dict[str, object]:
    """What a completion and a duration decision both answer; ids are strings, as everywhere in the API."""
    return {
        "assignment": str(done.id),
        "status": done.status,
        "outcome": done.outcome,
        "duration_minutes": done.duration_minutes,
        "allowance": f"{(done.allowance_cents or 0) / 100:.2f}",
    }


def _approval(done: Assignment) -> dict[str, object]:
    """Say in German when a longer reported duration waits for a coordinator instead of being paid."""
    if not awaits_approval(done):
        return {"awaits_approval": False}
    message = approval_message(done)
    return {"awaits_approval": True, "message": message}


@bp.post(f"/assignments/<int(max={MAX_ROW_ID}):assignment_id>/duration")
@coordinator_required
def decide_duration(assignment_id: int) -> Response:
    """Pay a longer reported duration (approve) or only the booked slot."""
    approve = json_body({"approve"}).get("approve")
    if not isinstance(approve, bool):
        raise ApiError(422, "invalid", "approve muss true oder false sein.", {"approve": "true oder false."})
    session = get_session()
    assignment = get_in_pool(session, Assignment, assignment_id)
    if assignment is None:
        raise ApiError(404, "not_found", "Diesen Einsatz gibt es nicht.")
    try:
        done = completion_service.decide_duration(
            session, assignment=assignment, approve=approve, now=local_now(), actor=_actor()
        )
    except Conflict as exc:
        raise _conflict(exc) from None
    return jsonify({**_booked(done), "awaits_approval": False})


def _json(schema: dict) -> dict:
    return {"application/json": {"schema": schema}}


# What a completion and a duration decision both answer about the booked assignment.
_BOOKED_FIELDS = {
    "assignment": {"type": "string"},
    "status": {"type": "string"},
    "outcome": {"type": ["string", "null"]},
    "duration_minutes": {"type": ["integer", "null"]},
    "allowance": {"type": "string"},
    "awaits_approval": {"type": "boolean"},
}


_OFFER_RESULT = {
    "type": "object",
    "required": ["offer", "status"],
    "properties": {"offer": {"type": "string"}, "status": {"type": "string"}},
}

spec.add_paths(
    {
        "/api/v1/requests/{request_id}/offer": {
            "post": {
                "summary": "Angebot an eine/n Sprachmittler/in senden",
                "security": spec.BEARER,
                "parameters": [
                    {"name": "request_id", "in": "path", "required": True, "schema": {"type": "integer"}}
                ],
                "requestBody": {
                    "required": True,
                    "content": _json(
                        {
                            "type": "object",
                            "required": ["volunteer"],
                            "additionalProperties": False,
                            "properties": {
                                "volunteer": {"type": "integer", "minimum": 1, "maximum": MAX_ROW_ID}
                            },
                        }
                    ),
                },
                "responses": {
                    "201": {"description": "Angebot gesendet", "content": _json(_OFFER_RESULT)},
                    **spec.error_responses(400, 401, 403, 404, 409, 413, 415, 422),
                },
            }
        },
        "/api/v1/offers/{offer_id}/withdraw": {
            "post": {
                "summary": "Offenes Angebot zurückziehen",
                "security": spec.BEARER,
                "parameters": [
                    {"name": "offer_id", "in": "path", "required": True, "schema": {"type": "integer"}}
                ],
                "responses": {
                    "200": {"description": "Zurückgezogen", "content": _json(_OFFER_RESULT)},
                    **spec.error_responses(401, 403, 404, 409),
                },
            }
        },
        "/api/v1/assignments/{assignment_id}/completion": {
            "post": {
                "summary": "Festhalten, ob ein Einsatz stattfand (Einsatzbestätigung)",
                "security": spec.BEARER,
                "parameters": [
                    {"name": "assignment_id", "in": "path", "required": True, "schema": {"type": "integer"}}
                ],
                "requestBody": {
                    "required": True,
                    "content": _json(
                        {
                            "type": "object",
                            "required": ["took_place"],
                            "additionalProperties": False,
                            "properties": {
                                "took_place": {"type": "boolean"},
                                "duration_minutes": {"type": "integer", "minimum": 1, "maximum": 1440},
                                "travel_km": {"type": "number", "minimum": 0, "maximum": 1000},
                                "cancelled": {
                                    "type": "string",
                                    "enum": ["late", "early", "no_show", "volunteer_no_show"],
                                },
                            },
                        }
                    ),
                },
                "responses": {
                    "200": {
                        "description": "Festgehalten",
                        "content": _json(
                            {
                                "type": "object",
                                "required": ["assignment", "status", "allowance"],
                                "properties": {**_BOOKED_FIELDS, "message": {"type": "string"}},
                            }
                        ),
                    },
                    **spec.error_responses(400, 401, 403, 404, 409, 413, 415, 422),
                },
            }
        },
        "/api/v1/assignments/{assignment_id}/duration": {
            "post": {
                "summary": "Längere gemeldete Dauer freigeben (approve) oder nur den gebuchten Termin zahlen",
                "security": spec.BEARER,
                "parameters": [
                    {"name": "assignment_id", "in": "path", "required": True, "schema": {"type": "integer"}}
                ],
                "requestBody": {
                    "required": True,
                    "content": _json(
                        {
                            "type": "object",
                            "required": ["approve"],
                            "additionalProperties": False,
                            "properties": {"approve": {"type": "boolean"}},
                        }
                    ),
                },
                "responses": {
                    "200": {
                        "description": "Entschieden und gebucht",
                        "content": _json(
                            {
                                "type": "object",
                                "required": ["assignment", "status", "allowance"],
                                "properties": _BOOKED_FIELDS,
                            }
                        ),
                    },
                    **spec.error_responses(400, 401, 403, 404, 409, 413, 415, 422),
                },
            }
        },
    }
)
