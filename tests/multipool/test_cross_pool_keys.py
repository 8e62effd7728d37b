"""The database keeps every row in its pool: a reference from pool A's row into pool B is refused by it.

Run on SQLite and on PostgreSQL (the composite foreign keys `(pool_id, …)` of models.py). A volunteer of
another pool is named only through a loan (tests/sharing proves that the database refuses it otherwise), so
the references tried here are all the others a coordinator's work makes.
"""

# ruff: noqa: S608 (table and column names come from the CROSSINGS list above, never from input)
from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from sprachmittlerpool.db import get_engine
from tests.factories import FIRST_POOL

# (what is tried, the row of pool A changed, the column set to a row of pool B)
CROSSINGS = [
    ("an assignment naming another pool's offer", "assignment", "offer_id", "offer"),
    ("an assignment naming another pool's request", "assignment", "request_id", "interpreting_request"),
    ("an offer for another pool's request", "offer", "request_id", "interpreting_request"),
    (
        "a request preferring another pool's volunteer",
        "interpreting_request",
        "preferred_volunteer_id",
        "volunteer",
    ),
    ("a request of another pool's institution", "interpreting_request", "institution_id", "institution"),
    ("a payout entry for another pool's assignment", "payout_entry", "assignment_id", "assignment"),
    ("a payout entry in another pool's month", "payout_entry", "payout_month_id", "payout_month"),
    ("a volunteer's link to another pool's volunteer", "volunteer_link", "volunteer_id", "volunteer"),
]


def _one(connection, table: str, pool_id: int) -> int:
    return connection.execute(
        text(f"SELECT id FROM {table} WHERE pool_id = :pool ORDER BY id LIMIT 1"), {"pool": pool_id}
    ).scalar_one()


# An assignment names its offer's volunteer, a payout entry its assignment's: inside the pool, the control
# takes a target of the same volunteer, so only the pool can be what the database refuses.
SAME_VOLUNTEER = {("assignment", "offer"), ("payout_entry", "assignment")}


def _free(connection, target: str, pool_id: int, table: str, column: str, row: int | None = None) -> int:
    """Return a row of the target no row of the table names yet (else any), so no unique key refuses first."""
    same = ""
    if row is not None and (table, target) in SAME_VOLUNTEER:
        same = f" AND volunteer_id = (SELECT volunteer_id FROM {table} WHERE id = :row)"
    free = connection.execute(
        text(
            f"SELECT id FROM {target} WHERE pool_id = :pool{same} AND id NOT IN"
            f" (SELECT {column} FROM {table} WHERE {column} IS NOT NULL) ORDER BY id DESC LIMIT 1"
        ),
        {"pool": pool_id, "row": row},
    ).first()
    if free:
        return free[0]
    if same:  # the row's own target: a change to the same value is a reference inside the pool, too
        return connection.execute(
            text(f"SELECT {column} FROM {table} WHERE id = :row"), {"row": row}
        ).scalar_one()
    return _one(connection, target, pool_id)


def test_every_reference_into_another_pool_is_refused_and_inside_the_pool_stored(app, pool_b) -> None:
    refused, stored = [], []
    with app.app_context():
        engine = get_engine()
        for what, table, column, target in CROSSINGS:
            change = text(f"UPDATE {table} SET {column} = :target WHERE id = :row")
            try:
                with engine.begin() as connection:
                    row = _one(connection, table, FIRST_POOL)
                    target_b = _free(connection, target, pool_b["pool_id"], table, column)
                    connection.execute(change, {"target": target_b, "row": row})
            except IntegrityError as exc:
                assert "foreign key" in str(exc).lower(), (what, exc)
                refused.append(what)
            with engine.connect() as connection:  # the control: the same change inside pool A is stored
                transaction = connection.begin()
                row = _one(connection, table, FIRST_POOL)
                connection.execute(
                    change, {"target": _free(connection, target, FIRST_POOL, table, column, row), "row": row}
                )
                stored.append(what)
                transaction.rollback()

    assert refused == [what for what, *_ in CROSSINGS]
    assert stored == refused
