"""Requests in the JSON API: public submission and status, the coordinators' list and review decisions."""

from __future__ import annotations

from typing import Any

from flask import current_app, g, jsonify, request
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlmodel import Session, col, select

from matching.eligibility import APPOINTMENT_TYPES, INSTITUTION_TYPES
from sprachmittlerpool.api import bp, spec
from sprachmittlerpool.api.common import ApiError, _user_for_bearer, coordinator_required, json_body
from sprachmittlerpool.db import get_session, reads_alone
from sprachmittlerpool.limits import public_submission
from sprachmittlerpool.models import (
    Assignment,
    AssignmentStatus,
    Institution,
    InterpretingRequest,
    Offer,
    OfferStatus,
    RequestStatus,
    User,
    local_now,
)
from sprachmittlerpool.pools import base_url_of, current_pool_id, get_in_pool, use_pool
from sprachmittlerpool.services import intake

INVALID = "Einige Angaben fehlen oder sind ungültig."
TIME = "%Y-%m-%dT%H:%M"


@bp.post("/requests")
@public_submission
@reads_alone
def submit_request() -> ResponseReturnValue:
    """Take a request from another system; the same Idempotency-Key and body again answer with the first."""
    key = request.headers.get("Idempotency-Key")
    if not intake.valid_idempotency_key(key):
        raise ApiError(
            400, "bad_request", "Der Idempotency-Key muss aus 1 bis 128 druckbaren ASCII-Zeichen bestehen."
        )
    caller = _bearer_caller()
    if caller is not None:  # a pool's own system sends for its pool, under any address
        use_pool(caller.pool_id)
    data = json_body(intake.FIELDS)
    config = current_app.config
    db = get_session()
    pool_id = current_pool_id(db)
    try:
        found, token = intake.submit(
            db,
            pool_id=pool_id,
            data=data,
            idempotency_key=key,
            idempotency_scope=_caller_scope(caller) if key else "public",
            now=local_now(),
            instance_path=current_app.instance_path,
            base_url=base_url_of(db, pool_id),
            secret=config["SECRET_KEY"],
        )
    except intake.InvalidRequest as exc:
        raise ApiError(422, "invalid", INVALID, exc.fields) from exc
    except intake.IdempotencyMismatch as exc:
        raise ApiError(
            422, "idempotency_mismatch", KEY_REUSED, {"Idempotency-Key": KEY_REUSED_FIELD}
        ) from exc
    if token is None:
        raise ApiError(409, "conflict", "Zu diesem Idempotency-Key gibt es schon eine andere Anfrage.")
    return jsonify(_receipt(found, token, base_url_of(get_session(), found.pool_id))), 201


KEY_REUSED = (
    "Dieser Idempotency-Key wurde schon für eine andere Anfrage verwendet. "
    "Bitte senden Sie jede neue Anfrage mit einem neuen Idempotency-Key."
)
KEY_REUSED_FIELD = "Schon für eine andere Anfrage verwendet (key already used with another body)."


def _bearer_caller() -> User | None:
    """Return the account of the call's bearer token, None without one; a wrong token is refused (401).

    Checked once per call: the pool choice and the idempotency scope both use this one answer.
    """
    header = request.headers.get("Authorization")
    return _user_for_bearer(header) if header else None


def _caller_scope(caller: User | None) -> str:
    """Scope keys to the authenticated caller when there is one, else to the anonymous public.

    A bearer token or a coordinator's session makes the caller's keys their own, so a key someone else
    sent first cannot swallow their request.
    """
    if caller is not None:
        return f"user:{caller.id}"
    if current_user.is_authenticated:
        return f"user:{current_user.id}"
    return "public"


# What the receipt says first, in words a secretary's program can show as it is.
RECEIPT_MESSAGES = {
    "open": "Die Anfrage ist eingegangen. Der Sprachmittlerpool sucht eine Sprachmittlerin oder einen "
    "Sprachmittler und meldet sich per E-Mail.",
    "review": "Die Anfrage ist eingegangen und wird von der Koordination geprüft. Eine Sprachmittlung ist "
    "noch nicht zugesagt.",
    "rejected": "Diese Anfrage kann der Sprachmittlerpool nicht vermitteln. Die Gründe stehen unter „reasons“.",
}


def _receipt(found: InterpretingRequest, token: str, base_url: str) -> dict[str, Any]:
    return {
        "id": str(found.id),
        "status": found.status,
        "message": RECEIPT_MESSAGES[found.status],
        "reasons": intake.readable_reasons(get_session(), found),
        "status_url": intake.status_url(base_url, token),
    }


@bp.get("/requests/status/<token>")
def request_status(token: str) -> ResponseReturnValue:
    """Show the requester's view of its request."""
    db = get_session()
    found = intake.find_by_token(db, token)
    if found is None:
        raise ApiError(404, "not_found", "Diese Anfrage gibt es nicht.")
    view = intake.status_view(db, found, now=local_now())
    return jsonify({k: view[k] for k in STATUS_KEYS})


STATUS_KEYS = (
    "status",
    "status_label",
    "start",
    "end",
    "language",
    "municipality",
    "volunteer_first_name",
    "reasons",
    "decision_note",
    "cancellable",
)


@bp.get("/requests")
@coordinator_required
def list_requests() -> ResponseReturnValue:
    """List requests for coordinators, optionally of one status."""
    wanted = request.args.get("status")
    if wanted is not None and wanted not in set(RequestStatus):
        raise ApiError(422, "invalid", INVALID, {"status": "Diesen Status gibt es nicht."})
    return jsonify({"requests": _rows(get_session(), wanted)})


def _rows(db: Session, wanted: str | None) -> list[dict[str, Any]]:
    statement = (
        select(InterpretingRequest, Institution)
        .join(Institution, col(Institution.id) == InterpretingRequest.institution_id)
        .where(InterpretingRequest.pool_id == current_pool_id(db))
    )
    if wanted:
        statement = statement.where(InterpretingRequest.status == wanted)
    rows = db.exec(statement.order_by(col(InterpretingRequest.start), col(InterpretingRequest.id))).all()
    ids = [row.id for row, _ in rows]
    assignments = _active_assignments(db, ids)
    offers = _pending_offers(db, ids)
    return [_row(row, inst, assignments.get(row.id), offers.get(row.id)) for row, inst in rows]


def _active_assignments(db: Session, ids: list[int | None]) -> dict[int, Assignment]:
    if not ids:
        return {}
    statement = select(Assignment).where(
        col(Assignment.request_id).in_(ids), Assignment.status != AssignmentStatus.CANCELLED
    )
    return {a.request_id: a for a in db.exec(statement).all()}


def _pending_offers(db: Session, ids: list[int | None]) -> dict[int, Offer]:
    if not ids:
        return {}
    statement = select(Offer).where(col(Offer.request_id).in_(ids), Offer.status == OfferStatus.PENDING)
    return {o.request_id: o for o in db.exec(statement).all()}


def _row(
    row: InterpretingRequest, inst: Institution, assignment: Assignment | None, offer: Offer | None
) -> dict[str, Any]:
    volunteer = assignment.volunteer_id if assignment else offer.volunteer_id if offer else None
    return {
        "id": str(row.id),
        "status": row.status,
        "language": row.language_code,
        "start": row.start.strftime(TIME),
        "end": row.end.strftime(TIME),
        "municipality": row.municipality_id,
        "institution_name": inst.name,
        "institution_type": inst.type,
        "appointment_type": row.appointment_type,
        "reasons": [{"rule": r["rule"], "message": r["message"]} for r in row.reasons],
        "volunteer": str(volunteer) if volunteer is not None else None,
        "assignment": str(assignment.id) if assignment else None,
    }


@bp.post("/requests/<request_id>/decision")
@coordinator_required
def decide_request(request_id: str) -> ResponseReturnValue:
    """Settle a request in review: accept opens it for matching, reject ends it."""
    db = get_session()
    found = get_in_pool(db, InterpretingRequest, int(request_id)) if _is_id(request_id) else None
    if found is None:
        raise ApiError(404, "not_found", "Diese Anfrage gibt es nicht.")
    data = json_body({"decision", "note"})
    try:
        note = intake.check_note(data.get("note"))
        decision = data.get("decision")
        if decision not in ("accept", "reject"):
            raise intake.InvalidRequest(
                {"decision": "Bitte „accept“ (annehmen) oder „reject“ (ablehnen) angeben."}
            )
        settled = intake.decide_review(
            db, request=found, decision=decision, note=note, now=local_now(), actor=f"user:{g.api_user.id}"
        )
    except intake.InvalidRequest as exc:
        raise ApiError(422, "invalid", INVALID, exc.fields) from exc
    except intake.StateConflict as exc:
        raise ApiError(409, "conflict", "Die Anfrage wartet nicht (mehr) auf eine Prüfung.") from exc
    return jsonify({"id": str(settled.id), "status": settled.status})


def _is_id(value: str) -> bool:
    return value.isascii() and value.isdigit() and len(value) <= 12


# --- OpenAPI ------------------------------------------------------------------------------------

_TEXT = {"type": "string"}
_NULLABLE_TEXT = {"type": ["string", "null"]}
_TIME = {"type": "string", "description": "Ortszeit YYYY-MM-DDTHH:MM", "examples": ["2025-03-18T10:00"]}
_REASON = {
    "type": "object",
    "required": ["rule", "message"],
    "properties": {
        "rule": _TEXT,
        "title": {
            **_TEXT,
            "description": "Titel der Regel auf Deutsch, zum Anzeigen (die Kennung `rule` nicht)",
        },
        "message": _TEXT,
    },
}
_JSON = "application/json"


def _body(ref: str) -> dict[str, Any]:
    return {"content": {_JSON: {"schema": {"$ref": f"#/components/schemas/{ref}"}}}}


SCHEMAS = {
    "RequestSubmission": {
        "type": "object",
        "additionalProperties": False,
        "required": [
            "institution_name",
            "institution_type",
            "contact_name",
            "contact_email",
            "language",
            "appointment_type",
            "municipality",
        ],
        "description": "start und end sind Pflicht, außer bei mode written: dann due und pages.",
        "properties": {
            "institution_name": {"type": "string", "maxLength": 200},
            "institution_type": {"type": "string", "enum": list(INSTITUTION_TYPES)},
            "contact_name": {"type": "string", "maxLength": 200},
            "contact_email": {"type": "string", "format": "email", "maxLength": 254},
            "contact_phone": {"type": ["string", "null"], "maxLength": 60},
            "language": {"type": "string", "description": "Code aus GET /api/v1/languages"},
            "dialect": {"type": ["string", "null"], "maxLength": 200},
            "appointment_type": {"type": "string", "enum": list(APPOINTMENT_TYPES)},
            "topic": {"type": ["string", "null"], "maxLength": 2000},
            "start": {**_TIME, "description": "Beginn; Pflicht außer bei mode written"},
            "end": {**_TIME, "description": "Ende, am selben Tag; Pflicht außer bei mode written"},
            "municipality": {"type": "string", "description": "id aus GET /api/v1/municipalities"},
            "address": {
                "type": "string",
                "maxLength": 300,
                "description": "Straße und Hausnummer; Pflicht, wenn mode in_person ist",
            },
            "mode": {
                "enum": ["in_person", "phone", "video", "written", None],
                "description": "vor Ort (Standard), am Telefon, per Video oder schriftliche Übersetzung; "
                "Telefon, Video und schriftliche Übersetzung nur, wenn der Pool sie vermittelt",
            },
            "due": {
                "type": ["string", "null"],
                "format": "date",
                "description": "Pflicht bei written: Abgabe bis (JJJJ-MM-TT); sonst nicht beachtet",
            },
            "pages": {
                "type": ["integer", "null"],
                "minimum": 1,
                "maximum": intake.MAX_PAGES,
                "description": "Pflicht bei written: geschätzter Umfang in Seiten; sonst nicht beachtet",
            },
            "call_details": {
                "type": ["string", "null"],
                "maxLength": 300,
                "description": "Pflicht bei phone und video: wie das Gespräch zustande kommt",
            },
            "persons": {"type": ["integer", "null"], "minimum": 1, "maximum": intake.MAX_PERSONS},
            "gender_required": {"enum": ["f", "m", None]},
            "preferred_volunteer": {"type": ["string", "null"]},
        },
    },
    "RequestReceipt": {
        "type": "object",
        "required": ["id", "status", "message", "reasons", "status_url"],
        "properties": {
            "id": _TEXT,
            "status": {"type": "string", "enum": ["open", "review", "rejected"]},
            "message": _TEXT,
            "reasons": {"type": "array", "items": _REASON},
            "status_url": {"type": "string", "format": "uri"},
        },
    },
    "RequestStatusView": {
        "type": "object",
        "required": list(STATUS_KEYS),
        "properties": {
            "status": {"type": "string", "enum": [s.value for s in RequestStatus]},
            "status_label": _TEXT,
            "start": _TIME,
            "end": _TIME,
            "language": _TEXT,
            "municipality": _TEXT,
            "volunteer_first_name": _NULLABLE_TEXT,
            "reasons": {"type": "array", "items": _REASON},
            "decision_note": {
                **_TEXT,
                "description": "Hinweis der Koordination zur Prüfung (leer, wenn keiner)",
            },
            "cancellable": {"type": "boolean"},
        },
    },
    "RequestList": {
        "type": "object",
        "required": ["requests"],
        "properties": {
            "requests": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": [
                        "id",
                        "status",
                        "language",
                        "start",
                        "end",
                        "municipality",
                        "institution_name",
                        "institution_type",
                        "appointment_type",
                        "reasons",
                        "volunteer",
                        "assignment",
                    ],
                    "properties": {
                        "id": _TEXT,
                        "status": {"type": "string", "enum": [s.value for s in RequestStatus]},
                        "language": _TEXT,
                        "start": _TIME,
                        "end": _TIME,
                        "municipality": _TEXT,
                        "institution_name": _TEXT,
                        "institution_type": _TEXT,
                        "appointment_type": _TEXT,
                        "reasons": {"type": "array", "items": _REASON},
                        "volunteer": _NULLABLE_TEXT,
                        "assignment": _NULLABLE_TEXT,
                    },
                },
            }
        },
    },
    "ReviewDecision": {
        "type": "object",
        "additionalProperties": False,
        "required": ["decision"],
        "properties": {
            "decision": {"type": "string", "enum": ["accept", "reject"]},
            "note": {"type": ["string", "null"], "maxLength": 2000},
        },
    },
    "ReviewResult": {
        "type": "object",
        "required": ["id", "status"],
        "properties": {"id": _TEXT, "status": {"type": "string", "enum": ["open", "rejected"]}},
    },
}

spec.add_paths(
    {
        "/api/v1/requests": {
            "post": {
                "summary": "Eine Sprachmittlung anfragen (ohne Anmeldung)",
                "security": [],
                "parameters": [
                    {
                        "name": "Idempotency-Key",
                        "in": "header",
                        "required": False,
                        "description": (
                            "Derselbe Schlüssel mit demselben Inhalt liefert dieselbe Antwort; derselbe "
                            "Schlüssel mit anderem Inhalt wird mit 422 abgelehnt. Schlüssel gelten je "
                            "Aufrufer (mit Token: je Konto)."
                        ),
                        "schema": {"type": "string", "minLength": 1, "maxLength": 128},
                    }
                ],
                "requestBody": {"required": True, **_body("RequestSubmission")},
                "responses": {
                    "201": {"description": "Angelegt (auch abgelehnte Anfragen)", **_body("RequestReceipt")},
                    **spec.error_responses(400, 401, 403, 409, 413, 422, 429),
                },
            },
            "get": {
                "summary": "Anfragen auflisten (Koordination)",
                "security": spec.BEARER,
                "parameters": [
                    {
                        "name": "status",
                        "in": "query",
                        "required": False,
                        "schema": {"type": "string", "enum": [s.value for s in RequestStatus]},
                    }
                ],
                "responses": {
                    "200": {"description": "Anfragen", **_body("RequestList")},
                    **spec.error_responses(401, 403, 422),
                },
            },
        },
        "/api/v1/requests/status/{token}": {
            "get": {
                "summary": "Stand einer Anfrage für die anfragende Einrichtung (Token aus dem Status-Link)",
                "security": [],
                "parameters": [
                    {"name": "token", "in": "path", "required": True, "schema": {"type": "string"}}
                ],
                "responses": {
                    "200": {"description": "Stand", **_body("RequestStatusView")},
                    **spec.error_responses(404),
                },
            }
        },
        "/api/v1/requests/{id}/decision": {
            "post": {
                "summary": "Eine Anfrage in Prüfung annehmen oder ablehnen (Koordination)",
                "security": spec.BEARER,
                "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}],
                "requestBody": {"required": True, **_body("ReviewDecision")},
                "responses": {
                    "200": {"description": "Entschieden", **_body("ReviewResult")},
                    **spec.error_responses(400, 401, 403, 404, 409, 413, 422),
                },
            }
        },
    },
    SCHEMAS,
)
