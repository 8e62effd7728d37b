"""One request over the API: read it with its history, change its time, place or language, cancel it.

The same services as the coordinators' request page: a change tells everyone concerned and moves or
releases the booked volunteer; a cancellation is the institution's, made by the coordinator.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, g, jsonify
from werkzeug.wrappers import Response

from sprachmittlerpool.api import bp, spec
from sprachmittlerpool.api.common import MAX_ROW_ID, ApiError, coordinator_required, json_body
from sprachmittlerpool.api.requests import INVALID, TIME
from sprachmittlerpool.db import get_session
from sprachmittlerpool.models import InterpretingRequest, RequestStatus, local_now
from sprachmittlerpool.pools import current_pool_id, get_in_pool
from sprachmittlerpool.services import intake, request_changes
from sprachmittlerpool.services.offers import Conflict
from sprachmittlerpool.services.pool_rules import rule_titles
from sprachmittlerpool.services.request_history import RequestPage, request_page
from sprachmittlerpool.web import status_de

ROUTE = f"/requests/<int(max={MAX_ROW_ID}):request_id>"


def _actor() -> str:
    return f"user:{g.api_user.id}"


def _load(request_id: int) -> InterpretingRequest:
    found = get_in_pool(get_session(), InterpretingRequest, request_id)
    if found is None:
        raise ApiError(404, "not_found", "Diese Anfrage gibt es nicht.")
    return found


def _detail(found: InterpretingRequest) -> dict[str, Any]:
    db = get_session()
    titles = rule_titles(db, pool_id=current_pool_id(db), instance_path=current_app.instance_path)
    return _as_json(request_page(db, found, rule_titles=titles))


def _as_json(page: RequestPage) -> dict[str, Any]:
    row = page.request
    return {
        "id": str(row.id),
        "status": row.status,
        "status_label": status_de(row.status),
        "start": row.start.strftime(TIME),
        "end": row.end.strftime(TIME),
        "language": row.language_code,
        "language_name": page.language,
        "municipality": row.municipality_id,
        "municipality_name": page.municipality,
        "address": row.address,
        "institution_name": page.institution.name if page.institution else "",
        "institution_type": page.institution.type if page.institution else "",
        "appointment_type": row.appointment_type,
        "reasons": [{"rule": r.get("rule"), "message": r.get("message", "")} for r in row.reasons],
        "decision_note": row.decision_note,
        "volunteer": str(page.volunteer.id) if page.volunteer else None,
        "assignment": str(page.assignment.id) if page.assignment else None,
        "history": [
            {"at": entry.at.strftime(TIME), "who": entry.who, "what": entry.what} for entry in page.entries
        ],
    }


@bp.get(ROUTE)
@coordinator_required
def request_detail(request_id: int) -> Response:
    """Show one request with its assignment and its whole history."""
    return jsonify(_detail(_load(request_id)))


@bp.patch(ROUTE)
@coordinator_required
def change_request(request_id: int) -> Response:
    """Change time, place or language; the institution and the volunteers concerned are told by mail."""
    data = json_body(request_changes.FIELDS)
    found = _load(request_id)
    db = get_session()
    now = local_now()
    try:
        request_changes.check_editable(found, now=now)
        values = request_changes.check(db, found, data, now=now)
        request_changes.apply(db, request_id=request_id, values=values, now=now, actor=_actor())
    except request_changes.InvalidChange as exc:
        raise ApiError(422, "invalid", INVALID, exc.fields) from exc
    except Conflict as exc:
        if exc.code != "unchanged":  # the same values again change nothing, as PATCH should
            raise ApiError(409, exc.code, exc.message) from exc
        db.rollback()
    return jsonify(_detail(_load(request_id)))


@bp.post(f"{ROUTE}/cancel")
@coordinator_required
def cancel_request(request_id: int) -> Response:
    """Cancel a request for its institution; it and a booked volunteer are told by mail."""
    found = _load(request_id)
    try:
        intake.cancel_request(get_session(), request=found, now=local_now(), actor=_actor())
    except intake.StateConflict as exc:
        message = str(exc) if exc.shown else "Diese Anfrage lässt sich nicht mehr stornieren."
        raise ApiError(409, "conflict", message) from exc
    return jsonify({"id": str(found.id), "status": RequestStatus.CANCELLED.value})


# --- OpenAPI ------------------------------------------------------------------------------------

_TEXT = {"type": "string"}
_NULLABLE_TEXT = {"type": ["string", "null"]}
_TIME = {"type": "string", "description": "Ortszeit YYYY-MM-DDTHH:MM", "examples": ["2025-03-18T10:00"]}
_JSON = "application/json"
_ID = [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}]
DETAIL_KEYS = [
    "id",
    "status",
    "status_label",
    "start",
    "end",
    "language",
    "language_name",
    "municipality",
    "municipality_name",
    "address",
    "institution_name",
    "institution_type",
    "appointment_type",
    "reasons",
    "decision_note",
    "volunteer",
    "assignment",
    "history",
]


def _body(ref: str) -> dict[str, Any]:
    return {"content": {_JSON: {"schema": {"$ref": f"#/components/schemas/{ref}"}}}}


SCHEMAS = {
    "RequestDetail": {
        "type": "object",
        "required": DETAIL_KEYS,
        "properties": {
            "id": _TEXT,
            "status": {"type": "string", "enum": [s.value for s in RequestStatus]},
            "status_label": {"type": "string", "description": "Der Stand in Worten, z. B. „bestätigt“"},
            "start": _TIME,
            "end": _TIME,
            "language": _TEXT,
            "language_name": _TEXT,
            "municipality": _TEXT,
            "municipality_name": _TEXT,
            "address": _TEXT,
            "institution_name": _TEXT,
            "institution_type": _TEXT,
            "appointment_type": _TEXT,
            "reasons": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["rule", "message"],
                    "properties": {"rule": _NULLABLE_TEXT, "message": _TEXT},
                },
            },
            "decision_note": _TEXT,
            "volunteer": _NULLABLE_TEXT,
            "assignment": _NULLABLE_TEXT,
            "history": {
                "type": "array",
                "description": "Alles, was mit der Anfrage geschah, das Älteste zuerst, in Worten",
                "items": {
                    "type": "object",
                    "required": ["at", "who", "what"],
                    "properties": {"at": _TIME, "who": _TEXT, "what": _TEXT},
                },
            },
        },
    },
    "RequestChange": {
        "type": "object",
        "additionalProperties": False,
        "description": "Nur die Felder, die sich ändern; fehlende bleiben, wie sie sind.",
        "properties": {
            "start": _TIME,
            "end": _TIME,
            "municipality": {"type": "string", "description": "id aus GET /api/v1/municipalities"},
            "address": {"type": "string", "maxLength": request_changes.MAX_ADDRESS},
            "language": {"type": "string", "description": "Code aus GET /api/v1/languages"},
        },
    },
    "RequestCancelled": {
        "type": "object",
        "required": ["id", "status"],
        "properties": {"id": _TEXT, "status": {"type": "string", "enum": ["cancelled"]}},
    },
}

spec.add_paths(
    {
        "/api/v1/requests/{id}": {
            "get": {
                "summary": "Eine Anfrage mit ihrem Verlauf (Koordination)",
                "security": spec.BEARER,
                "parameters": _ID,
                "responses": {
                    "200": {"description": "Die Anfrage", **_body("RequestDetail")},
                    **spec.error_responses(401, 403, 404),
                },
            },
            "patch": {
                "summary": "Zeit, Ort oder Sprache einer Anfrage ändern (Koordination)",
                "description": (
                    "Die Einrichtung bekommt eine E-Mail. Passt die zugesagte Person weiter, bekommt sie den "
                    "geänderten Kalendereintrag (gleiche UID, höhere SEQUENCE); sonst wird der Einsatz "
                    "freigegeben und die Anfrage ist wieder offen. Offene Angebote, die nicht mehr passen, "
                    "werden zurückgezogen."
                ),
                "security": spec.BEARER,
                "parameters": _ID,
                "requestBody": {"required": True, **_body("RequestChange")},
                "responses": {
                    "200": {"description": "Geändert (oder schon so)", **_body("RequestDetail")},
                    **spec.error_responses(400, 401, 403, 404, 409, 413, 422),
                },
            },
        },
        "/api/v1/requests/{id}/cancel": {
            "post": {
                "summary": "Eine Anfrage für die Einrichtung stornieren (Koordination)",
                "description": "Die Einrichtung und eine zugesagte Person bekommen eine E-Mail.",
                "security": spec.BEARER,
                "parameters": _ID,
                "responses": {
                    "200": {"description": "Storniert", **_body("RequestCancelled")},
                    **spec.error_responses(401, 403, 404, 409),
                },
            }
        },
    },
    SCHEMAS,
)
