"""The region's municipalities and the pool's languages, shipped as data and loaded idempotently."""

from __future__ import annotations

import json
from importlib import resources

from sqlmodel import Session, select

from sprachmittlerpool.models import Language, Municipality


def _data(name: str) -> object:
    return json.loads(resources.files("sprachmittlerpool.data").joinpath(name).read_text(encoding="utf-8"))


def load(session: Session) -> None:
    """Insert or update the shipped languages and municipalities (safe to run again)."""
    for item in _data("languages.json"):  # type: ignore[union-attr]
        session.merge(Language(code=item["code"], name_de=item["de"]))
    region = _data("region-heinsberg.json")
    for item in region["municipalities"]:  # type: ignore[index]
        session.merge(
            Municipality(
                id=item["id"], name=item["name"], kind=item["kind"], lat=item["lat"], lon=item["lon"]
            )
        )
    session.flush()


def municipalities(session: Session) -> list[Municipality]:
    """Return the region's municipalities by name."""
    return list(session.exec(select(Municipality).order_by(Municipality.name)).all())
