"""Tariff versions as stored in the Tariff table, with Kreis Heinsberg's scheme as the default."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, select

from sprachmittlerpool import tariff as tariffs
from sprachmittlerpool.models import Tariff as TariffRow


def load_tariffs(session: Session, *, pool_id: int) -> list[tuple[int | None, tariffs.Tariff]]:
    """Load every tariff version of a pool with its row id; Heinsberg's (id None) if it has none yet."""
    rows = session.exec(
        select(TariffRow).where(TariffRow.pool_id == pool_id).order_by(TariffRow.valid_from)
    ).all()
    if not rows:
        return [(None, tariffs.HEINSBERG)]
    loaded = []
    for row in rows:
        data = {**row.scheme, "name": row.name, "valid_from": row.valid_from, "valid_until": row.valid_until}
        loaded.append((row.id, tariffs.tariff_from_dict(data)))
    return loaded


def tariff_on(session: Session, day: date, *, pool_id: int) -> tuple[int | None, tariffs.Tariff]:
    """Return the pool's tariff version (and its row id) valid on an appointment's day."""
    versions = load_tariffs(session, pool_id=pool_id)
    chosen = tariffs.tariff_for([version for _, version in versions], day)
    return next((row_id, version) for row_id, version in versions if version is chosen)
