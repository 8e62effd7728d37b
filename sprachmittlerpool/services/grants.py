"""The state grant per year (PoolGrant): the budget the pool's allowances are set against, kept by its admins."""

from __future__ import annotations

from decimal import Decimal

from sqlmodel import Session, col, select

from sprachmittlerpool.models import PoolGrant
from sprachmittlerpool.services import audit
from sprachmittlerpool.tariff import from_cents


def grants_of(session: Session, *, pool_id: int) -> list[PoolGrant]:
    """Return the pool's grants, newest year first."""
    return list(
        session.exec(
            select(PoolGrant).where(PoolGrant.pool_id == pool_id).order_by(col(PoolGrant.year).desc())
        ).all()
    )


def grant_for(session: Session, *, pool_id: int, year: int) -> Decimal | None:
    """Return the grant of a year in euros, or None when none is on record (never a made-up default)."""
    row = session.get(PoolGrant, (pool_id, year))
    return None if row is None else from_cents(row.amount_cents)


def set_grant(session: Session, *, pool_id: int, year: int, amount_cents: int, actor: str) -> bool:
    """Record or change a year's grant, audit it and commit; tell whether anything changed."""
    row = session.get(PoolGrant, (pool_id, year))
    before = None if row is None else row.amount_cents
    if before == amount_cents:
        return False
    if row is None:
        row = PoolGrant(pool_id=pool_id, year=year, amount_cents=amount_cents)
    row.amount_cents = amount_cents
    session.add(row)
    audit.record(
        session,
        actor=actor,
        entity="pool_grant",
        entity_id=f"{pool_id}:{year}",
        action="grant_set",
        detail={"year": year, "amount_cents": amount_cents, "before_cents": before},
    )
    session.commit()
    return True


def remove_grant(session: Session, *, pool_id: int, year: int, actor: str) -> bool:
    """Delete a year's grant (the budget then reads "kein Zuschuss hinterlegt"), audit and commit."""
    row = session.get(PoolGrant, (pool_id, year))
    if row is None:
        return False
    audit.record(
        session,
        actor=actor,
        entity="pool_grant",
        entity_id=f"{pool_id}:{year}",
        action="grant_removed",
        detail={"year": year, "before_cents": row.amount_cents},
    )
    session.delete(row)
    session.commit()
    return True
