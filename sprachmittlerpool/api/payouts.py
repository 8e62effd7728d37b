"""Payout lists over the API: read a month, close it, make its SEPA file."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, g, jsonify

from sprachmittlerpool.api import bp, spec
from sprachmittlerpool.api.common import ApiError, coordinator_required
from sprachmittlerpool.db import get_session
from sprachmittlerpool.exports.api_json import to_api_dict
from sprachmittlerpool.pools import current_pool_id
from sprachmittlerpool.services import payouts


def _month(month: str) -> str:
    """Return a valid 'YYYY-MM' or answer 404."""
    try:
        return payouts.parse_month(month)
    except ValueError:
        raise ApiError(404, "not_found", "Den Monat gibt es nicht (Format JJJJ-MM).") from None


def _payload(month: str) -> dict[str, Any]:
    """Return the month's list in api.md's shape (ids as strings), with warnings in German."""
    db = get_session()
    payout_list = payouts.build_payout_list(db, month, pool_id=current_pool_id(db))
    data = to_api_dict(payout_list)
    warning = payouts.iban_warning(payout_list)
    data["warnings"] = [warning] if warning else []
    return data


@bp.get("/payouts/<month>")
@coordinator_required
def payout_month(month: str):
    """Return a month's payout list with money as two-decimal strings."""
    return jsonify(_payload(_month(month)))


@bp.post("/payouts/<month>/close")
@coordinator_required
def close_payout_month(month: str):
    """Close a month for good; 409 if it was closed already."""
    month = _month(month)
    user = g.api_user
    try:
        payouts.close_month(
            get_session(),
            month,
            pool_id=user.pool_id,
            user_id=user.id,
            actor=f"user:{user.id}",
        )
    except payouts.MonthClosedError:
        raise ApiError(409, "month_closed", f"Der Monat {month} ist bereits abgeschlossen.") from None
    except payouts.MonthNotClosableError as error:
        raise ApiError(409, "month_too_early", str(error)) from None
    return jsonify(_payload(month))


@bp.post("/payouts/<month>/sepa")
@coordinator_required
def payout_month_sepa(month: str):
    """Make a new SEPA transfer file (pain.001.001.09) of a closed month; 409 with a German reason if not."""
    month = _month(month)
    try:
        export = payouts.create_sepa_file(
            get_session(),
            month,
            current_app.config,
            pool_id=g.api_user.pool_id,
            actor=f"user:{g.api_user.id}",
        )
    except payouts.SepaRefusedError as error:
        raise ApiError(409, "sepa_refused", str(error)) from None
    response = Response(export.data, content_type=export.mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    return response


MONEY = {"type": "string", "pattern": r"^-?\d+\.\d{2}$", "example": "104.00"}
PAYOUT_LIST = {
    "type": "object",
    "required": ["month", "closed", "volunteers", "total"],
    "properties": {
        "month": {"type": "string", "pattern": r"^\d{4}-\d{2}$"},
        "closed": {"type": "boolean"},
        "volunteers": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["volunteer", "name", "assignments", "amount", "year_to_date"],
                "properties": {
                    "volunteer": {"type": "string"},
                    "name": {"type": "string"},
                    "assignments": {"type": "integer"},
                    "amount": MONEY,
                    "year_to_date": MONEY,
                },
            },
        },
        "total": MONEY,
        "warnings": {
            "type": "array",
            "items": {"type": "string"},
            "description": "Hinweise vor dem Abschluss, z. B. Sprachmittelnde ohne IBAN",
        },
    },
}
_MONTH_PARAM = [{"name": "month", "in": "path", "required": True, "schema": {"type": "string"}}]
_LIST_RESPONSE = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/PayoutList"}}}}

spec.add_paths(
    {
        "/api/v1/payouts/{month}": {
            "get": {
                "summary": "Auszahlungsliste eines Monats",
                "parameters": _MONTH_PARAM,
                "security": spec.BEARER,
                "responses": {
                    "200": {"description": "Liste", **_LIST_RESPONSE},
                    **spec.error_responses(401, 403, 404),
                },
            }
        },
        "/api/v1/payouts/{month}/close": {
            "post": {
                "summary": "Monat abschließen (danach nur Korrekturen in einem späteren Monat)",
                "parameters": _MONTH_PARAM,
                "security": spec.BEARER,
                "responses": {
                    "200": {"description": "Abgeschlossene Liste", **_LIST_RESPONSE},
                    **spec.error_responses(401, 403, 404, 409),
                },
            }
        },
        "/api/v1/payouts/{month}/sepa": {
            "post": {
                "summary": "SEPA-Überweisung (pain.001.001.09) eines abgeschlossenen Monats erstellen",
                "parameters": _MONTH_PARAM,
                "security": spec.BEARER,
                "responses": {
                    "200": {
                        "description": "Neue SEPA-Datei (eigener Zahlungsauftrag)",
                        "content": {"application/xml": {"schema": {"type": "string"}}},
                    },
                    **spec.error_responses(401, 403, 404, 409),
                },
            }
        },
    },
    {"PayoutList": PAYOUT_LIST},
)
