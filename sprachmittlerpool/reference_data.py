"""The demo region's municipalities and the standard languages, shipped as data and loaded idempotently."""

from __future__ import annotations

import json
from importlib import resources

from sqlmodel import Session, select

from sprachmittlerpool.models import Language, Municipality


def _data(name: str) -> object:
    return json.loads(resources.files("sprachmittlerpool.data").joinpath(name).read_text(encoding="utf-8"))


def standard_languages() -> list[tuple[str, str]]:
    """Return the shipped standard list of languages as (code, German name)."""
    return [(item["code"], item["de"]) for item in _data("languages.json")]  # type: ignore[union-attr]


def load(session: Session, *, pool_id: int) -> None:
    """Insert or update the standard languages and Kreis Heinsberg's municipalities in a pool (safe to run again)."""
    for code, name in standard_languages():
        session.merge(Language(pool_id=pool_id, code=code, name_de=name))
    region = _data("regions/kreis-heinsberg.json")
    for item in region["municipalities"]:  # type: ignore[index]
        session.merge(
            Municipality(
                pool_id=pool_id,
                id=item["id"],
                name=item["name"],
                kind=item["kind"],
                lat=item["lat"],
                lon=item["lon"],
            )
        )
    session.flush()


def municipalities(session: Session, *, pool_id: int) -> list[Municipality]:
    """Return a pool's municipalities by name."""
    statement = select(Municipality).where(Municipality.pool_id == pool_id).order_by(Municipality.name)
    return list(session.exec(statement).all())
