"""Migrations build the schema from nothing, match the models, and keep the integrity backstops."""

from __future__ import annotations

from datetime import datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.exc import IntegrityError
from sqlmodel import SQLModel

from sprachmittlerpool import migrate
from sprachmittlerpool.db import make_engine
from sprachmittlerpool.models import Assignment, Offer
from tests.factories import FIRST_POOL


def test_migrations_match_the_models(database_url: str) -> None:
    engine = make_engine(database_url)

    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, SQLModel.metadata)

    engine.dispose()
    assert differences == []


def test_downgrade_to_base_and_upgrade_again(database_url: str) -> None:
    engine = make_engine(database_url)

    migrate.downgrade(engine, "base")
    migrate.upgrade(engine)

    with engine.connect() as connection:
        tables = set(engine.dialect.get_table_names(connection))
    engine.dispose()
    assert {"interpreting_request", "offer", "assignment", "outbox_mail", "payout_entry"} <= tables


def _offer(db, request, volunteer, status: str, token: str) -> Offer:
    offer = Offer(
        pool_id=FIRST_POOL,
        request_id=request.id,
        volunteer_id=volunteer.id,
        status=status,
        token_hash=token,
        expires_at=request.start,
    )
    db.add(offer)
    db.commit()
    return offer


def test_second_accepted_offer_for_a_request_is_refused_by_the_database(db, factories) -> None:
    request = factories.RequestFactory()
    first, second = factories.VolunteerFactory(), factories.VolunteerFactory()
    _offer(db, request, first, "accepted", "a" * 64)

    with pytest.raises(IntegrityError):
        _offer(db, request, second, "accepted", "b" * 64)


def test_overlapping_assignments_of_one_volunteer_are_refused_by_the_database(db, factories) -> None:
    volunteer = factories.VolunteerFactory()
    early = factories.RequestFactory()
    overlapping = factories.RequestFactory(
        start=early.start.replace(minute=30), end=early.end.replace(minute=30)
    )
    db.add(Assignment(pool_id=FIRST_POOL, request_id=early.id, offer_id=_offer(db, early, volunteer, "accepted", "c" * 64).id,
                      volunteer_id=volunteer.id, start=early.start, end=early.end))  # fmt: skip
    db.commit()
    offer = _offer(db, overlapping, volunteer, "accepted", "d" * 64)

    db.add(Assignment(pool_id=FIRST_POOL, request_id=overlapping.id, offer_id=offer.id, volunteer_id=volunteer.id,
                      start=overlapping.start, end=overlapping.end))  # fmt: skip
    with pytest.raises(IntegrityError):
        db.commit()


def test_end_before_start_is_refused_by_the_database(db, factories) -> None:
    with pytest.raises(IntegrityError):
        factories.RequestFactory(start=datetime(2030, 1, 7, 11), end=datetime(2030, 1, 7, 10))
