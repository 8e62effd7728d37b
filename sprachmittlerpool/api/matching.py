"""Proposals of the matching engine over all open requests; nothing is sent."""

from __future__ import annotations

from flask import current_app, g, jsonify
from werkzeug.wrappers import Response

from matching.types import REASONS
from sprachmittlerpool.api import bp, spec
from sprachmittlerpool.api.common import ApiError, coordinator_required
from sprachmittlerpool.db import get_session
from sprachmittlerpool.models import local_now
from sprachmittlerpool.services import matching_run


@bp.post("/matching/proposals")
@coordinator_required
def proposals() -> Response:
    """Run the engine over the open requests and answer its proposals and the reasons for the rest."""
    limit = float(current_app.config.get("MATCHING_TIME_LIMIT_S", 10.0))
    try:
        run = matching_run.run_matching(
            get_session(),
            pool_id=g.api_user.pool_id,
            now=local_now(),
            actor_id=g.api_user.id,
            time_limit_s=limit,
        )
    except matching_run.MatchingFailed as exc:
        raise ApiError(
            500, "matching_failed", "Die Berechnung hat kein gültiges Ergebnis geliefert."
        ) from exc
    return jsonify(
        {
            "proposals": [
                {"request": a["request"], "volunteer": a["volunteer"], "distance_km": a["distance_km"]}
                for a in run.result["assignments"]
            ],
            "unassigned": [
                {"request": u["request"], "reason": u["reason"]} for u in run.result["unassigned"]
            ],
            "proven_optimal": run.result["proven_optimal"],
            "solve_seconds": run.result["solve_seconds"],
        }
    )


_REASONS = list(REASONS)

spec.add_paths(
    {
        "/api/v1/matching/proposals": {
            "post": {
                "summary": "Vorschläge des Matchings für alle offenen Anfragen (es wird nichts gesendet)",
                "security": spec.BEARER,
                "responses": {
                    "200": {
                        "description": "Vorschläge und Gründe für nicht besetzbare Anfragen",
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Proposals"}}
                        },
                    },
                    **spec.error_responses(401, 403),
                },
            }
        }
    },
    {
        "Proposals": {
            "type": "object",
            "required": ["proposals", "unassigned"],
            "properties": {
                "proposals": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["request", "volunteer", "distance_km"],
                        "properties": {
                            "request": {"type": "string"},
                            "volunteer": {"type": "string"},
                            "distance_km": {"type": "number", "minimum": 0},
                        },
                    },
                },
                "unassigned": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["request", "reason"],
                        "properties": {
                            "request": {"type": "string"},
                            "reason": {"type": "string", "enum": _REASONS},
                        },
                    },
                },
                "proven_optimal": {"type": "boolean"},
                "solve_seconds": {"type": "number"},
            },
        }
    },
)
