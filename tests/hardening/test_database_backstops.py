"""The database itself refuses bad money and broken references, whatever code writes to it.

The services validate first, but a bug, a script or a hand-written SQL fix goes around them.
These tests write raw SQL behind the app's back and expect the database to say no, on SQLite
(PRAGMA foreign_keys must be on for every connection, it is off by default) and on PostgreSQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from sprachmittlerpool.db import SQLITE_BUSY_TIMEOUT_MS, make_engine
from sprachmittlerpool.models import PayoutMonth
from tests.factories import FIRST_POOL
from tests.payouts import helpers

NOW = datetime(2030, 2, 1, 9, 0)


@dataclass(frozen=True)
class Booked:
    """Ids of a completed, paid assignment and the open payout month it belongs to."""

    volunteer_id: int
    assignment_id: int
    month_id: int


@pytest.fixture
def booked(db: Session) -> Booked:
    """Arrange a completed assignment of 25 € and an open payout month through the models."""
    volunteer = helpers.volunteer(db)
    institution = helpers.institution(db)
    assignment = helpers.completed(db, volunteer.id, institution.id, datetime(2030, 1, 14, 10), 2500)
    month = PayoutMonth(pool_id=FIRST_POOL, month="2030-01")
    db.add(month)
    db.commit()
    return Booked(volunteer.id, assignment.id, month.id)


def _raw(db: Session, sql: str, **params: object) -> None:
    """Run one statement as plain SQL and commit it, as a script or a console session would."""
    db.execute(text(sql), params)
    db.commit()


def _entry(db: Session, booked: Booked, amount_cents: int, corrects: int | None = None) -> None:
    _raw(
        db,
        "INSERT INTO payout_entry (pool_id, payout_month_id, volunteer_id, volunteer_pool_id, assignment_id,"
        " amount_cents, corrects_entry_id, note, created_at) VALUES (:pool, :month, :volunteer, :pool,"
        " :assignment, :amount, :corrects, '', :now)",
        pool=FIRST_POOL,
        month=booked.month_id,
        volunteer=booked.volunteer_id,
        assignment=booked.assignment_id,
        amount=amount_cents,
        corrects=corrects,
        now=NOW,
    )


def _line(db: Session, booked: Booked) -> None:
    _raw(
        db,
        "INSERT INTO payout_line (pool_id, payout_month_id, volunteer_id, assignments, amount_cents,"
        " year_to_date_cents) VALUES (:pool, :month, :volunteer, 1, 2500, 2500)",
        pool=FIRST_POOL,
        month=booked.month_id,
        volunteer=booked.volunteer_id,
    )


def test_a_negative_allowance_written_by_hand_is_refused_by_the_database(db, booked) -> None:
    with pytest.raises(IntegrityError, match="assignment_allowance_nonnegative"):
        _raw(db, "UPDATE assignment SET allowance_cents = -2500 WHERE id = :id", id=booked.assignment_id)


def test_a_negative_payout_entry_that_corrects_nothing_is_refused_by_the_database(db, booked) -> None:
    with pytest.raises(IntegrityError, match="payout_entry_negative_only_as_correction"):
        _entry(db, booked, -2500)


def test_a_negative_payout_entry_naming_the_entry_it_corrects_is_stored(db, booked) -> None:
    """The control for the test above: the constraint refuses only what it should."""
    _entry(db, booked, 2500)
    original = db.execute(text("SELECT id FROM payout_entry")).scalar_one()

    _entry(db, booked, -2500, corrects=original)

    assert db.execute(text("SELECT sum(amount_cents) FROM payout_entry")).scalar_one() == 0


def test_a_language_for_a_volunteer_who_does_not_exist_is_refused_by_the_database(db, booked) -> None:
    with pytest.raises(IntegrityError, match="(?i)foreign key"):
        _raw(
            db,
            "INSERT INTO volunteer_language (pool_id, volunteer_id, language_code) VALUES (:pool, 987654, 'uk')",
            pool=FIRST_POOL,
        )


def test_deleting_a_volunteer_who_still_has_assignments_is_refused_by_the_database(db, booked) -> None:
    with pytest.raises(IntegrityError, match="(?i)foreign key"):
        _raw(db, "DELETE FROM volunteer WHERE id = :id", id=booked.volunteer_id)


def test_a_second_payout_line_for_one_volunteer_and_month_is_refused_by_the_database(db, booked) -> None:
    _line(db, booked)

    unique = "one_line_per_volunteer_month|payout_line.payout_month_id, payout_line.volunteer_id"
    with pytest.raises(IntegrityError, match=unique):
        _line(db, booked)


def test_every_new_sqlite_connection_has_foreign_keys_wal_and_the_busy_timeout(database_url: str) -> None:
    if not database_url.startswith("sqlite"):
        pytest.skip("PRAGMAs are SQLite's; PostgreSQL always checks foreign keys")
    engine = make_engine(database_url)
    with engine.connect() as first, engine.connect() as second:
        settings = [
            tuple(
                connection.exec_driver_sql(f"PRAGMA {name}").scalar_one()
                for name in ("foreign_keys", "journal_mode", "busy_timeout")
            )
            for connection in (first, second)
        ]
    engine.dispose()
    assert settings == [(1, "wal", SQLITE_BUSY_TIMEOUT_MS)] * 2


@pytest.fixture
def other_pool(db: Session) -> int:
    """Add a second pool with one municipality and one institution of its own, by plain SQL."""
    _raw(db, "INSERT INTO pool (slug, name) VALUES ('kleve', 'Sprachmittlerpool Kreis Kleve')")
    pool_id = db.execute(text("SELECT id FROM pool WHERE slug = 'kleve'")).scalar_one()
    _raw(
        db,
        "INSERT INTO municipality (pool_id, id, name, kind, lat, lon)"
        " VALUES (:pool, 'kleve', 'Kleve', 'Stadt', 51.79, 6.14)",
        pool=pool_id,
    )
    _raw(
        db,
        "INSERT INTO institution (pool_id, name, type, email, created_at)"
        " VALUES (:pool, 'Kita Schwanenburg', 'kita', 'kita@kleve.example', :now)",
        pool=pool_id,
        now=NOW,
    )
    return pool_id


def test_a_request_of_one_pool_naming_another_pools_institution_is_refused_by_the_database(
    db, other_pool
) -> None:
    institution = db.execute(
        text("SELECT id FROM institution WHERE pool_id = :p"), {"p": other_pool}
    ).scalar_one()

    with pytest.raises(IntegrityError, match="(?i)foreign key"):
        _raw(
            db,
            "INSERT INTO interpreting_request (pool_id, institution_id, contact_name, contact_email,"
            ' contact_phone, language_code, dialect, appointment_type, topic, start, "end", municipality_id,'
            " address, status, urgent, reasons, decision_note, status_token_hash, created_at, updated_at)"
            " VALUES (:pool, :institution, 'Frau A', 'a@kita.example', '', 'uk', '', 'elterngespraech', '',"
            " :start, :end, 'heinsberg', 'Weg 1', 'open', false, '[]', '', :token, :now, :now)",
            pool=FIRST_POOL,
            institution=institution,
            start=datetime(2030, 3, 1, 10),
            end=datetime(2030, 3, 1, 11),
            token="f" * 64,
            now=NOW,
        )


def test_a_volunteer_living_in_another_pools_municipality_is_refused_by_the_database(db, other_pool) -> None:
    with pytest.raises(IntegrityError, match="(?i)foreign key"):
        _raw(
            db,
            "INSERT INTO volunteer (pool_id, name, email, phone, home_id, max_distance_km, max_per_week,"
            " active, contact_route, created_at) VALUES (:pool, 'Anna B.', 'anna@example.org', '', 'kleve',"
            " 25, 3, true, '', :now)",
            pool=FIRST_POOL,
            now=NOW,
        )


def test_the_same_rows_inside_their_own_pool_are_stored(db, other_pool) -> None:
    """The control for the two tests above: only the crossing is refused."""
    _raw(
        db,
        "INSERT INTO volunteer (pool_id, name, email, phone, home_id, max_distance_km, max_per_week,"
        " active, contact_route, created_at) VALUES (:pool, 'Anna B.', 'anna@example.org', '', 'kleve',"
        " 25, 3, true, '', :now)",
        pool=other_pool,
        now=NOW,
    )

    assert (
        db.execute(text("SELECT pool_id FROM volunteer WHERE home_id = 'kleve'")).scalar_one() == other_pool
    )
