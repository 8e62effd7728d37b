"""Add a tariff version without touching closed months.

A new version starts on a day after the pool's last closed payout month and runs until the next
version starts; the version in force before it ends the day before. A version under which an
allowance was booked is never changed in place: a change is a new version. Allowances already
recorded for days the new version covers lie in open months and are recomputed under it, booked
through the payout service as always (a changed entry, or a correction naming the original).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from sprachmittlerpool import tariff as tariffs
from sprachmittlerpool.german import date_long
from sprachmittlerpool.models import Assignment, PayoutMonth, Pool
from sprachmittlerpool.models import Tariff as TariffRow
from sprachmittlerpool.services import audit, payouts
from sprachmittlerpool.services.tariffs import load_tariffs
from sprachmittlerpool.tariff import EPOCH, Tariff, allowance, from_cents, tariff_to_dict, to_cents

MAX_YEARS_AHEAD = 5
DEFAULT_SUFFIX = " (Voreinstellung)"


class TariffChangeRefused(ValueError):
    """The version cannot be added as asked; `field` names the form field the German message belongs to."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Version:
    """A stored version with what was booked under it."""

    id: int | None
    tariff: Tariff
    booked: int


@dataclass(frozen=True)
class Recompute:
    """An allowance already recorded on a day the new version covers, before and after."""

    assignment_id: int
    day: date
    before_cents: int
    after_cents: int


@dataclass(frozen=True)
class Plan:
    """What adding a version will do, for the confirmation page and for the change itself."""

    tariff: Tariff  # with its real end date
    replaces: Version | None  # a version of the same start day under which nothing was booked
    predecessor: Version | None  # the version in force on the start day, which then ends the day before
    recompute: tuple[Recompute, ...]

    @property
    def changed(self) -> tuple[Recompute, ...]:
        """Return the recorded allowances whose amount changes."""
        return tuple(item for item in self.recompute if item.before_cents != item.after_cents)

    @property
    def difference(self) -> Decimal:
        """Return how much more (or less) the open months pay after the change."""
        return from_cents(sum(item.after_cents - item.before_cents for item in self.recompute))


def versions(session: Session, *, pool_id: int) -> list[Version]:
    """List the pool's versions, oldest first, each with the number of allowances booked under it."""
    counts = dict(
        session.exec(
            select(Assignment.tariff_id, func.count())
            .where(Assignment.pool_id == pool_id, col(Assignment.allowance_cents).is_not(None))
            .group_by(Assignment.tariff_id)
        ).all()
    )
    return [
        Version(row_id, tariff, counts.get(row_id, 0))
        for row_id, tariff in load_tariffs(session, pool_id=pool_id)
    ]


def version_in_force(session: Session, day: date, *, pool_id: int) -> Version | None:
    """Return the version that applies to an appointment on `day`, if any."""
    return next((v for v in versions(session, pool_id=pool_id) if v.tariff.is_valid_on(day)), None)


def last_closed_day(session: Session, *, pool_id: int) -> date | None:
    """Return the last day of the pool's latest closed payout month (allowances up to it are frozen)."""
    month = session.exec(
        select(func.max(PayoutMonth.month)).where(
            PayoutMonth.pool_id == pool_id, col(PayoutMonth.closed_at).is_not(None)
        )
    ).one()
    if month is None:
        return None
    year, number = int(month[:4]), int(month[5:7])
    first_of_next = date(year + number // 12, number % 12 + 1, 1)
    return first_of_next - timedelta(days=1)


def plan(session: Session, tariff: Tariff, *, pool_id: int, today: date) -> Plan:
    """Check a new version against closed months and booked versions, and say what it will change."""
    start = tariff.valid_from
    _check_start(session, start, pool_id=pool_id, today=today)
    known = versions(session, pool_id=pool_id)
    same = next((v for v in known if v.id is not None and v.tariff.valid_from == start), None)
    if same is not None and same.booked:
        raise TariffChangeRefused(
            "valid_from",
            f"Nach der Fassung ab dem {date_long(start)} sind schon Aufwandsentschädigungen abgerechnet; "
            "sie bleibt unverändert. Bitte legen Sie die Änderung als neue Fassung ab einem späteren Tag an.",
        )
    later = [v.tariff.valid_from for v in known if v.tariff.valid_from > start]
    until = min(later) - timedelta(days=1) if later else None
    predecessor = next(
        (v for v in known if v is not same and v.tariff.valid_from < start and v.tariff.is_valid_on(start)),
        None,
    )
    new = replace(tariff, valid_until=until)
    return Plan(new, same, predecessor, tuple(_recompute(session, new, pool_id=pool_id)))


def _check_start(session: Session, start: date, *, pool_id: int, today: date) -> None:
    if start < EPOCH:
        raise TariffChangeRefused(
            "valid_from", f"Eine Fassung kann frühestens ab dem {date_long(EPOCH)} gelten."
        )
    latest = date(today.year + MAX_YEARS_AHEAD, 12, 31)
    if start > latest:
        raise TariffChangeRefused(
            "valid_from", f"Bitte wählen Sie einen Tag bis spätestens {date_long(latest)}."
        )
    closed = last_closed_day(session, pool_id=pool_id)
    if closed is not None and start <= closed:
        raise TariffChangeRefused(
            "valid_from",
            f"Die Auszahlungslisten bis einschließlich {date_long(closed)} sind abgeschlossen und ändern sich "
            f"nicht mehr. Eine neue Fassung kann frühestens ab dem {date_long(closed + timedelta(days=1))} gelten.",
        )


def _recompute(session: Session, new: Tariff, *, pool_id: int) -> list[Recompute]:
    """Recompute every allowance recorded on a day the new version covers, with the booking function."""
    statement = select(Assignment).where(
        Assignment.pool_id == pool_id,
        col(Assignment.allowance_cents).is_not(None),
        col(Assignment.start) >= datetime.combine(new.valid_from, time.min),
    )
    if new.valid_until is not None:
        statement = statement.where(
            col(Assignment.start) < datetime.combine(new.valid_until + timedelta(days=1), time.min)
        )
    return [
        Recompute(row.id, row.start.date(), row.allowance_cents, to_cents(_allowance(new, row)))  # type: ignore[arg-type]
        for row in session.exec(statement.order_by(col(Assignment.start), col(Assignment.id))).all()
    ]


def _allowance(tariff: Tariff, row: Assignment) -> Decimal:
    """Compute an assignment's allowance from what was recorded for it."""
    return allowance(
        tariff,
        outcome=row.outcome or tariffs.Outcome.TOOK_PLACE,
        duration_minutes=row.duration_minutes or 0,
        travel_km=Decimal(str(row.travel_km or 0)),
        travel_minutes=row.travel_minutes or 0,
    )


def add_version(
    session: Session, tariff: Tariff, *, pool_id: int, today: date, now: datetime, actor: str
) -> Plan:
    """Store a new version as planned, end the one before, rebook open months, audit it and commit."""
    # One change at a time per pool: the pool row's lock orders two admins saving at once.
    session.exec(select(Pool).where(Pool.id == pool_id).with_for_update()).one()
    change = plan(session, tariff, pool_id=pool_id, today=today)
    try:
        if (
            not any(v.id is not None for v in versions(session, pool_id=pool_id))
            and change.tariff.valid_from > EPOCH
        ):
            _store_default(session, pool_id=pool_id, until=change.tariff.valid_from - timedelta(days=1))
            change = plan(session, tariff, pool_id=pool_id, today=today)
        if change.predecessor is not None and change.predecessor.id is not None:
            _end(session, change.predecessor.id, change.tariff.valid_from - timedelta(days=1))
        row = _store(session, change, pool_id=pool_id)
        _rebook(session, change, row_id=row.id, now=now, actor=actor)  # type: ignore[arg-type]
        audit.record(
            session, actor=actor, entity="tariff", entity_id=str(row.id),
            action="version_replaced" if change.replaces else "version_added",
            detail={"pool": pool_id, **tariff_to_dict(change.tariff), "recomputed": len(change.recompute),
                    "ended": change.predecessor.id if change.predecessor else None},
        )  # fmt: skip
        session.commit()
    except IntegrityError:
        session.rollback()
        raise TariffChangeRefused(
            "valid_from", "Ab diesem Tag wurde gerade eine andere Fassung gespeichert."
        ) from None
    return change


def _store_default(session: Session, *, pool_id: int, until: date) -> None:
    """Write the built-in default down as the pool's first version, so the days before the new one keep it."""
    default = tariffs.HEINSBERG
    row = TariffRow(
        pool_id=pool_id, name=default.name + DEFAULT_SUFFIX, valid_from=default.valid_from, valid_until=until,
        scheme=tariff_to_dict(default),
    )  # fmt: skip
    session.add(row)
    session.flush()
    # Allowances booked under the built-in default were booked under this version.
    for assignment in session.exec(
        select(Assignment).where(
            Assignment.pool_id == pool_id,
            col(Assignment.tariff_id).is_(None),
            col(Assignment.allowance_cents).is_not(None),
        )
    ).all():
        assignment.tariff_id = row.id
        session.add(assignment)
    session.flush()


def _end(session: Session, row_id: int, day: date) -> None:
    row = session.get(TariffRow, row_id)
    assert row is not None
    row.valid_until = day
    session.add(row)


def _store(session: Session, change: Plan, *, pool_id: int) -> TariffRow:
    scheme = tariff_to_dict(change.tariff)
    if change.replaces is not None and change.replaces.id is not None:
        row = session.get(TariffRow, change.replaces.id)
        assert row is not None
    else:
        row = TariffRow(pool_id=pool_id, valid_from=change.tariff.valid_from)
    row.name = change.tariff.name
    row.valid_until = change.tariff.valid_until
    row.scheme = scheme
    session.add(row)
    session.flush()
    return row


def _rebook(session: Session, change: Plan, *, row_id: int, now: datetime, actor: str) -> None:
    """Move the recorded allowances of the covered days to the new version and book any changed amount."""
    for item in change.recompute:
        assignment = session.get(Assignment, item.assignment_id)
        assert assignment is not None
        assignment.tariff_id = row_id
        assignment.allowance_cents = item.after_cents
        session.add(assignment)
        session.flush()
        payouts.book_allowance(session, assignment, now=now, actor=actor)
