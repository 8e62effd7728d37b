"""Assignments over the API: the pool's assignments in a date range, and a coordinator's duration correction."""

from __future__ import annotations

from flask import g, jsonify, request
from werkzeug.wrappers import Response

from sprachmittlerpool.api import bp, spec
from sprachmittlerpool.api.common import MAX_ROW_ID, ApiError, coordinator_required, json_body
from sprachmittlerpool.db import get_session
from sprachmittlerpool.models import Assignment, local_now
from sprachmittlerpool.pools import current_pool_id, get_in_pool
from sprachmittlerpool.services import assignment_lists, completion
from sprachmittlerpool.services.completion import InvalidCompletion
from sprachmittlerpool.services.offers import Conflict


def _stamp(moment) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M")


@bp.get("/assignments")
@coordinator_required
def list_assignments() -> Response:
    """Return the pool's assignments starting from `from` to `to` (both included, at most a year; default a week from today)."""
    try:
        first, last = assignment_lists.parse_range(
            request.args.get("from"), request.args.get("to"), today=local_now().date()
        )
    except assignment_lists.InvalidRange as exc:
        raise ApiError(422, "invalid", str(exc), {"from": str(exc)}) from None
    session = get_session()
    rows = assignment_lists.between(session, pool_id=current_pool_id(session), first=first, last=last)
    return jsonify(
        {
            "assignments": [
                {
                    "id": str(assignment.id),
                    "request": str(assignment.request_id),
                    "volunteer": str(assignment.volunteer_id),
                    "volunteer_name": name,
                    "start": _stamp(assignment.start),
                    "end": _stamp(assignment.end),
                    "status": assignment.status,
                    "outcome": assignment.outcome,
                    "duration_minutes": assignment.duration_minutes,
                    "awaits_approval": completion.awaits_approval(assignment),
                }
                for assignment, name in rows
            ]
        }
    )


@bp.post(f"/assignments/<int(max={MAX_ROW_ID}):assignment_id>/correction")
@coordinator_required
def correct_assignment(assignment_id: int) -> Response:
    """Correct a completed assignment's duration; the changed allowance is booked as the page books it."""
    data = json_body({"duration_minutes", "reason"})
    session = get_session()
    assignment = get_in_pool(session, Assignment, assignment_id)
    if assignment is None:
        raise ApiError(404, "not_found", "Diesen Einsatz gibt es nicht.")
    before = assignment.allowance_cents
    try:
        done = completion.correct_duration(
            session, assignment=assignment, duration_minutes=data.get("duration_minutes"),
            reason=data.get("reason"), now=local_now(), actor=f"coordinator:{g.api_user.id}",
        )  # fmt: skip
    except InvalidCompletion as exc:
        raise ApiError(422, "invalid", "Die Angaben sind ungültig.", exc.fields) from None
    except Conflict as exc:
        raise ApiError(409, exc.code, exc.message) from None
    return jsonify(
        {
            "assignment": str(done.id),
            "status": done.status,
            "duration_minutes": done.duration_minutes,
            "allowance_before": f"{(before or 0) / 100:.2f}",
            "allowance": f"{(done.allowance_cents or 0) / 100:.2f}",
        }
    )


_MONEY = {"type": "string", "pattern": r"^-?\d+\.\d{2}$"}
_TIME = {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$"}
_DATE_PARAM = {"type": "string", "format": "date"}

spec.add_paths(
    {
        "/api/v1/assignments": {
            "get": {
                "summary": "Einsätze des Pools in einem Zeitraum (höchstens ein Jahr)",
                "security": spec.BEARER,
                "parameters": [
                    {
                        "name": "from",
                        "in": "query",
                        "required": False,
                        "description": "erster Tag (JJJJ-MM-TT), ohne Angabe heute",
                        "schema": _DATE_PARAM,
                    },
                    {
                        "name": "to",
                        "in": "query",
                        "required": False,
                        "description": "letzter Tag (JJJJ-MM-TT), ohne Angabe eine Woche ab „from“",
                        "schema": _DATE_PARAM,
                    },
                ],
                "responses": {
                    "200": {
                        "description": "Einsätze nach Beginn",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["assignments"],
                                    "properties": {
                                        "assignments": {
                                            "type": "array",
                                            "items": {"$ref": "#/components/schemas/AssignmentRow"},
                                        }
                                    },
                                }
                            }
                        },
                    },
                    **spec.error_responses(401, 403, 422),
                },
            }
        },
        "/api/v1/assignments/{assignment_id}/correction": {
            "post": {
                "summary": "Dauer eines durchgeführten Einsatzes korrigieren (Buchung im offenen Monat)",
                "security": spec.BEARER,
                "parameters": [
                    {"name": "assignment_id", "in": "path", "required": True, "schema": {"type": "integer"}}
                ],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["duration_minutes", "reason"],
                                "additionalProperties": False,
                                "properties": {
                                    "duration_minutes": {"type": "integer", "minimum": 1, "maximum": 1440},
                                    "reason": {"type": "string", "minLength": 1, "maxLength": 300},
                                },
                            }
                        }
                    },
                },
                "responses": {
                    "200": {
                        "description": "Korrigiert und gebucht",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["assignment", "status", "duration_minutes", "allowance"],
                                    "properties": {
                                        "assignment": {"type": "string"},
                                        "status": {"type": "string"},
                                        "duration_minutes": {"type": "integer"},
                                        "allowance_before": _MONEY,
                                        "allowance": _MONEY,
                                    },
                                }
                            }
                        },
                    },
                    **spec.error_responses(400, 401, 403, 404, 409, 413, 415, 422),
                },
            }
        },
    },
    {
        "AssignmentRow": {
            "type": "object",
            "required": ["id", "request", "volunteer", "volunteer_name", "start", "end", "status"],
            "properties": {
                "id": {"type": "string"},
                "request": {"type": "string"},
                "volunteer": {"type": "string"},
                "volunteer_name": {"type": "string"},
                "start": _TIME,
                "end": _TIME,
                "status": {"type": "string", "enum": ["confirmed", "completed", "cancelled"]},
                "outcome": {
                    "type": ["string", "null"],
                    "enum": ["took_place", "late", "early", "no_show", "volunteer_no_show", None],
                },
                "duration_minutes": {"type": ["integer", "null"]},
                "awaits_approval": {"type": "boolean"},
            },
        }
    },
)
