"""The lists the form offers: languages and municipalities."""

from flask import jsonify
from sqlmodel import col, select

from sprachmittlerpool.api import bp, spec
from sprachmittlerpool.db import get_session
from sprachmittlerpool.models import Language, Municipality
from sprachmittlerpool.pools import current_pool_id


@bp.get("/languages")
def languages():
    """List the languages the pool offers (retired ones are not offered for new requests)."""
    db = get_session()
    statement = (
        select(Language)
        .where(Language.pool_id == current_pool_id(db), col(Language.retired_at).is_(None))
        .order_by(Language.name_de)
    )
    rows = db.exec(statement).all()
    return jsonify({"languages": [{"code": row.code, "name": row.name_de} for row in rows]})


@bp.get("/municipalities")
def municipalities():
    """List the municipalities of the pool's region that it offers (not retired ones)."""
    db = get_session()
    statement = (
        select(Municipality)
        .where(Municipality.pool_id == current_pool_id(db), col(Municipality.retired_at).is_(None))
        .order_by(Municipality.name)
    )
    rows = db.exec(statement).all()
    return jsonify(
        {"municipalities": [{"id": m.id, "name": m.name, "lat": m.lat, "lon": m.lon} for m in rows]}
    )


def _list_schema(key: str, item: dict) -> dict:
    return {
        "200": {
            "description": "Liste",
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "required": [key],
                        "properties": {key: {"type": "array", "items": item}},
                    }
                }
            },
        }
    }


spec.add_paths(
    {
        "/api/v1/languages": {
            "get": {
                "summary": "Sprachen, die der Pool anbietet (ohne nicht mehr angebotene)",
                "responses": _list_schema(
                    "languages",
                    {
                        "type": "object",
                        "required": ["code", "name"],
                        "properties": {"code": {"type": "string"}, "name": {"type": "string"}},
                    },
                ),
            }
        },
        "/api/v1/municipalities": {
            "get": {
                "summary": "Kommunen der Region, die der Pool anbietet (ohne nicht mehr angebotene)",
                "responses": _list_schema(
                    "municipalities",
                    {
                        "type": "object",
                        "required": ["id", "name", "lat", "lon"],
                        "properties": {
                            "id": {"type": "string"},
                            "name": {"type": "string"},
                            "lat": {"type": "number"},
                            "lon": {"type": "number"},
                        },
                    },
                ),
            }
        },
    }
)
