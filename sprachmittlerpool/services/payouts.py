"""Allowances booked into monthly payout lists; closed months never change.

An assignment's allowance becomes a PayoutEntry in the month of its appointment. If that
month is already closed, the entry goes to the earliest open month after it, and a changed
amount is booked as the difference, naming the entry it corrects. Closing a month writes
its snapshot (PayoutLine per volunteer with name and IBAN ciphertext, PayoutLineItem per entry),
total and checksum; after that nothing writes into it, and its files are made from the snapshot.

A SEPA file is made only from a closed month, and each one is a new payment order numbered by a
SepaFile row. ``book_allowance`` joins the caller's transaction (the completion service commits
it); ``close_month`` and ``create_sepa_file`` own theirs.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from sprachmittlerpool.bank_days import bank_days_after
from sprachmittlerpool.exports import payout_list as pl
from sprachmittlerpool.exports.csv_export import content_digest
from sprachmittlerpool.exports.formatting import date_long_de, month_de
from sprachmittlerpool.ibans import bic_for, decrypt_iban, parse_key
from sprachmittlerpool.models import (
    BERLIN,
    Assignment,
    Institution,
    InterpretingRequest,
    PayoutEntry,
    PayoutLine,
    PayoutLineItem,
    PayoutMonth,
    SepaFile,
    Volunteer,
    local_now,
)
from sprachmittlerpool.services import audit, grants, identity, payout_documents
from sprachmittlerpool.tariff import from_cents
from sprachmittlerpool.tax_limits import (
    EHRENAMTSPAUSCHALE,
    BudgetStatus,
    budget_status,
    limit_for_year,
    limit_warning,
)

MONTH_RE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
# Payout months exist from the year the Ehrenamtspauschale began; the last year keeps next_month 4 digits.
FIRST_YEAR, LAST_YEAR = EHRENAMTSPAUSCHALE[0][0], 9998


class MonthClosedError(Exception):
    """The month is closed; its list cannot change."""


class MonthNotClosableError(ValueError):
    """The month lies more than one month ahead; the message is a German sentence."""


class SepaRefusedError(ValueError):
    """No SEPA file can be made (open month, unusable paying account …); the message is a German sentence."""


class NothingToTransferError(SepaRefusedError):
    """No volunteer of the month has an IBAN and a positive sum."""


class BookingError(Exception):
    """An allowance cannot be booked (for instance, no open month could take it)."""


def parse_month(text: str) -> str:
    """Return ``text`` if it is a valid 'YYYY-MM' month of a year payouts can have, else raise ValueError."""
    if not isinstance(text, str) or not MONTH_RE.match(text):
        raise ValueError(f"month must look like YYYY-MM, got {text!r}")
    if not FIRST_YEAR <= int(text[:4]) <= LAST_YEAR:
        raise ValueError(f"month must lie in the years {FIRST_YEAR}-{LAST_YEAR}, got {text!r}")
    return text


def month_of(day: date | datetime) -> str:
    """Return the payout month ('YYYY-MM') a day belongs to."""
    return f"{day.year:04d}-{day.month:02d}"


def next_month(month: str) -> str:
    """Return the month after ``month``."""
    year, number = int(month[:4]), int(month[5:])
    return f"{year + 1:04d}-01" if number == 12 else f"{year:04d}-{number + 1:02d}"


def _month_row(session: Session, pool_id: int, month: str, *, lock: bool = False) -> PayoutMonth | None:
    """Load a pool's month row, locked for update on PostgreSQL when booking or closing."""
    statement = select(PayoutMonth).where(PayoutMonth.pool_id == pool_id, PayoutMonth.month == month)
    if lock:
        statement = statement.with_for_update()
    return session.exec(statement).first()


def _open_month_from(session: Session, pool_id: int, month: str) -> PayoutMonth:
    """Return the pool's earliest open month at or after ``month``, created if it does not exist yet."""
    current = month
    for _ in range(1200):
        row = _month_row(session, pool_id, current, lock=True)
        if row is None:
            row = PayoutMonth(pool_id=pool_id, month=current)
            session.add(row)
            session.flush()
            return row
        if row.closed_at is None:
            return row
        current = next_month(current)
    raise BookingError(f"no open payout month after {month}")


def _is_closed(session: Session, month_id: int) -> bool:
    """Tell whether the month with this id is closed."""
    row = session.get(PayoutMonth, month_id)
    return row is not None and row.closed_at is not None


def booked_cents(session: Session, assignment_id: int) -> int:
    """Return what has been booked for an assignment so far, corrections included."""
    total = session.exec(
        select(func.coalesce(func.sum(PayoutEntry.amount_cents), 0)).where(
            PayoutEntry.assignment_id == assignment_id
        )
    ).one()
    return int(total)


def book_allowance(
    session: Session, assignment: Assignment, *, now: datetime, actor: str = "system", reason: str = ""
) -> PayoutEntry | None:
    """Book the assignment's allowance so its month's list pays it; None if nothing changed.

    Runs in the caller's transaction. Re-booking the same amount is a no-op; a changed amount
    updates the entry while its month is open, else books the difference into the earliest
    open month as a correction naming the original entry. A coordinator's ``reason`` for a
    changed amount is kept in the entry's note, so the list says why it changed.
    """
    if assignment.id is None:
        raise BookingError("the assignment has no id yet (flush it first)")
    amount = assignment.allowance_cents
    if amount is None:
        return None
    if amount < 0:
        raise BookingError("an allowance cannot be negative")
    entries = session.exec(
        select(PayoutEntry).where(PayoutEntry.assignment_id == assignment.id).order_by(col(PayoutEntry.id))
    ).all()
    already = sum(entry.amount_cents for entry in entries)
    if amount == already:
        return None
    original = next((entry for entry in entries if entry.corrects_entry_id is None), None)
    appointment_month = month_of(assignment.start)
    if original is None:
        target = _open_month_from(session, assignment.pool_id, appointment_month)
        note = "" if target.month == appointment_month else f"Nachtrag zu {appointment_month}"
        entry = PayoutEntry(
            pool_id=assignment.pool_id,
            payout_month_id=target.id,
            volunteer_id=assignment.volunteer_id,
            volunteer_pool_id=assignment.volunteer_pool_id,
            assignment_id=assignment.id,
            amount_cents=amount,
            note=note,
            created_at=now,
        )
        session.add(entry)
        action = "booked"
    elif not _is_closed(session, original.payout_month_id) and len(entries) == 1:
        _month_row(session, assignment.pool_id, month_of_id(session, original.payout_month_id), lock=True)
        original.amount_cents = amount
        original.created_at = now
        if reason:
            original.note = _joined_note(original.note, f"korrigiert: {reason}")
        session.add(original)
        entry = original
        action = "rebooked"
    else:
        original_month = month_of_id(session, original.payout_month_id)
        target = _open_month_from(session, assignment.pool_id, next_month(original_month))
        entry = PayoutEntry(
            pool_id=assignment.pool_id,
            payout_month_id=target.id,
            volunteer_id=assignment.volunteer_id,
            volunteer_pool_id=assignment.volunteer_pool_id,
            assignment_id=assignment.id,
            amount_cents=amount - already,
            corrects_entry_id=original.id,
            note=_joined_note(
                f"Korrektur zu {correction_ref(original_month, assignment.id)}", reason, sep=": "
            ),
            created_at=now,
        )
        session.add(entry)
        action = "corrected"
    session.flush()
    audit.record(
        session,
        actor=actor,
        entity="payout_entry",
        entity_id=str(entry.id),
        action=action,
        detail={"assignment": assignment.id, "amount_cents": entry.amount_cents, "total_cents": amount},
    )
    return entry


@dataclass(frozen=True)
class BookingPlace:
    """Where a changed allowance of an assignment will be booked, for a confirm page to say before it happens."""

    month: str  # the month of the entry that is changed or corrected
    closed: bool  # True: a correction entry goes into a later open month, naming `ref`
    ref: str


def booking_place(session: Session, assignment: Assignment) -> BookingPlace | None:
    """Tell where ``book_allowance`` would book a changed amount; None when nothing was booked yet."""
    entries = session.exec(
        select(PayoutEntry).where(PayoutEntry.assignment_id == assignment.id).order_by(col(PayoutEntry.id))
    ).all()
    original = next((entry for entry in entries if entry.corrects_entry_id is None), None)
    if original is None:
        return None
    month = month_of_id(session, original.payout_month_id)
    closed = _is_closed(session, original.payout_month_id) or len(entries) > 1
    return BookingPlace(month, closed, correction_ref(month, assignment.id or 0))


def latest_entry_month(session: Session, assignment: Assignment) -> str:
    """Return the month of the assignment's newest booking (where a correction just went), else its own month."""
    entry = session.exec(
        select(PayoutEntry)
        .where(PayoutEntry.assignment_id == assignment.id)
        .order_by(col(PayoutEntry.id).desc())
    ).first()
    return month_of_id(session, entry.payout_month_id) if entry else month_of(assignment.start)


def _joined_note(note: str, addition: str, *, sep: str = "; ") -> str:
    """Add a sentence to an entry's note, within the column's 500 characters."""
    return (sep.join(part for part in (note, addition) if part))[:500]


def correction_ref(month: str, assignment_id: int) -> str:
    """Return how a list names a corrected entry: '2025-02/a17'."""
    return f"{month}/a{assignment_id}"


def month_of_id(session: Session, month_id: int) -> str:
    """Return the 'YYYY-MM' of a month row."""
    row = session.get(PayoutMonth, month_id)
    if row is None:
        raise LookupError(f"payout month {month_id} does not exist")
    return row.month


# ---------------------------------------------------------------------------
# Reading lists


@dataclass(frozen=True)
class MonthSummary:
    """One row of the months overview."""

    month: str
    closed: bool
    closed_at: datetime | None
    volunteers: int
    entries: int
    total: Decimal


def list_months(session: Session, *, pool_id: int) -> list[MonthSummary]:
    """Return every payout month of the pool, newest first, with its sum and counts."""
    months = session.exec(
        select(PayoutMonth).where(PayoutMonth.pool_id == pool_id).order_by(col(PayoutMonth.month).desc())
    ).all()
    stats = {
        month_id: (int(total or 0), int(count), int(volunteers))
        for month_id, total, count, volunteers in session.exec(
            select(
                PayoutEntry.payout_month_id,
                func.sum(PayoutEntry.amount_cents),
                func.count(),
                func.count(func.distinct(PayoutEntry.volunteer_id)),
            )
            .where(PayoutEntry.pool_id == pool_id)
            .group_by(PayoutEntry.payout_month_id)
        ).all()
    }
    summaries = []
    for row in months:
        total, count, volunteers = stats.get(row.id, (0, 0, 0))
        if row.closed_at is not None and row.total_cents is not None:
            total = row.total_cents
        summaries.append(
            MonthSummary(
                row.month, row.closed_at is not None, row.closed_at, volunteers, count, from_cents(total)
            )
        )
    return summaries


def _year_to_date_cents(session: Session, month: str, volunteer_ids: list[int]) -> dict[int, int]:
    """Sum each volunteer's booked allowances from January up to and including ``month``.

    Across pools: the tax-free limit is the person's, whichever pool paid.
    """
    if not volunteer_ids:
        return {}
    rows = session.exec(
        select(PayoutEntry.volunteer_id, func.sum(PayoutEntry.amount_cents))
        .join(PayoutMonth, col(PayoutMonth.id) == PayoutEntry.payout_month_id)
        .where(col(PayoutMonth.month) >= f"{month[:4]}-01", col(PayoutMonth.month) <= month)
        .where(col(PayoutEntry.volunteer_id).in_(volunteer_ids))
        .group_by(PayoutEntry.volunteer_id)
    ).all()
    return {volunteer_id: int(total or 0) for volunteer_id, total in rows}


def volunteer_year_total(session: Session, volunteer_id: int, year: int) -> Decimal:
    """Return a volunteer's allowances booked into the months of ``year``, counted as the payout lists count them."""
    return from_cents(_year_to_date_cents(session, f"{year:04d}-12", [volunteer_id]).get(volunteer_id, 0))


def year_spent(session: Session, year: int, *, pool_id: int) -> Decimal:
    """Return all allowances booked into the pool's months of ``year``."""
    total = session.exec(
        select(func.coalesce(func.sum(PayoutEntry.amount_cents), 0))
        .join(PayoutMonth, col(PayoutMonth.id) == PayoutEntry.payout_month_id)
        .where(PayoutMonth.pool_id == pool_id)
        .where(col(PayoutMonth.month) >= f"{year:04d}-01", col(PayoutMonth.month) <= f"{year:04d}-12")
    ).one()
    return from_cents(int(total))


def year_budget(session: Session, year: int, *, pool_id: int) -> BudgetStatus:
    """Return the pool's spending in a year against the grant it recorded for that year."""
    grant = grants.grant_for(session, pool_id=pool_id, year=year)
    return budget_status(year, year_spent(session, year, pool_id=pool_id), grant)


def build_payout_list(
    session: Session,
    month: str,
    *,
    pool_id: int,
    iban_key: str | bytes | None = None,
) -> pl.PayoutList:
    """Build a month's list: a closed month from its snapshot, an open one from current data.

    With ``iban_key`` the plain IBANs are filled in (the SEPA export only). A closed month carries the
    pool's name as it was at closing, so its files and checksum never change.
    """
    parse_month(month)
    key = parse_key(iban_key) if iban_key is not None else None
    row = _month_row(session, pool_id, month)
    if row is not None and row.closed_at is not None:
        return _frozen_list(session, row, key=key)
    return _live_list(session, month, row, pool_name=identity.pool_row(session, pool_id).name, key=key)


@dataclass(frozen=True)
class _Payee:
    """A volunteer as a list shows them: from the volunteer row (open month) or the snapshot (closed)."""

    volunteer_id: int
    name: str
    year_to_date_cents: int
    iban_encrypted: str | None
    iban_masked: str | None


def _entries(session: Session, row: PayoutMonth | None) -> list[tuple[PayoutEntry, Assignment, str]]:
    """Return a month's entries with their assignments and the institutions' current names."""
    if row is None:
        return []
    return [
        (entry, assignment, institution)
        for entry, assignment, institution in session.exec(
            select(PayoutEntry, Assignment, Institution.name)
            .join(Assignment, col(Assignment.id) == PayoutEntry.assignment_id)
            .join(InterpretingRequest, col(InterpretingRequest.id) == Assignment.request_id)
            .join(Institution, col(Institution.id) == InterpretingRequest.institution_id)
            .where(PayoutEntry.payout_month_id == row.id)
            .order_by(col(PayoutEntry.id))
        ).all()
    ]


def _live_items(session: Session, row: PayoutMonth | None) -> list[tuple[PayoutEntry, pl.PayoutItem]]:
    """Return each entry of an open month with the item its files show today."""
    entries = _entries(session, row)
    originals = _original_months(session, [entry.corrects_entry_id for entry, _, _ in entries])
    items = []
    for entry, assignment, institution in entries:
        corrects = None
        if entry.corrects_entry_id is not None:
            corrects = correction_ref(originals[entry.corrects_entry_id], assignment.id or 0)
        item = pl.PayoutItem(
            assignment_id=f"a{assignment.id}",
            date=assignment.start.date(),
            institution=institution,
            duration_minutes=assignment.duration_minutes or 0,
            outcome=assignment.outcome or "took_place",
            amount=from_cents(entry.amount_cents),
            corrects=corrects,
            note=entry.note,
        )
        items.append((entry, item))
    return items


def _live_list(
    session: Session, month: str, row: PayoutMonth | None, *, pool_name: str, key: bytes | None
) -> pl.PayoutList:
    """Build an open month's list from the entries and the volunteers as they are now."""
    items: dict[int, list[pl.PayoutItem]] = defaultdict(list)
    for entry, item in _live_items(session, row):
        items[entry.volunteer_id].append(item)
    ids = sorted(items)
    ytd = _year_to_date_cents(session, month, ids)
    payees = [
        _Payee(
            v.id or 0,
            v.name,
            ytd.get(v.id or 0, 0),
            v.iban_encrypted,
            v.iban_masked if v.iban_encrypted else None,
        )
        for v in session.exec(select(Volunteer).where(col(Volunteer.id).in_(ids))).all()
    ]
    return pl.PayoutList(
        month=month,
        closed=False,
        closed_at=None,
        pool_name=pool_name,
        lines=tuple(_line(payee, items[payee.volunteer_id], month, key) for payee in payees),
    )


def _frozen_list(session: Session, row: PayoutMonth, *, key: bytes | None) -> pl.PayoutList:
    """Build a closed month's list from the snapshot its closing wrote, never from current data."""
    items: dict[int, list[pl.PayoutItem]] = defaultdict(list)
    for frozen in session.exec(select(PayoutLineItem).where(PayoutLineItem.payout_month_id == row.id)).all():
        items[frozen.volunteer_id].append(
            pl.PayoutItem(
                assignment_id=frozen.assignment_ref,
                date=frozen.day,
                institution=frozen.institution,
                duration_minutes=frozen.duration_minutes,
                outcome=frozen.outcome,
                amount=from_cents(frozen.amount_cents),
                corrects=frozen.corrects,
                note=frozen.note,
            )
        )
    payees = [
        _Payee(line.volunteer_id, line.name, line.year_to_date_cents, line.iban_encrypted, line.iban_masked)
        for line in session.exec(select(PayoutLine).where(PayoutLine.payout_month_id == row.id)).all()
    ]
    return pl.PayoutList(
        month=row.month,
        closed=True,
        closed_at=row.closed_at,
        pool_name=row.pool_name or "",
        lines=tuple(_line(payee, items[payee.volunteer_id], row.month, key) for payee in payees),
    )


def _line(payee: _Payee, items: list[pl.PayoutItem], month: str, key: bytes | None) -> pl.PayoutLine:
    """Make one volunteer's line; the IBAN is decrypted only when a key is given (SEPA)."""
    ytd = from_cents(payee.year_to_date_cents)
    iban = bic = None
    if key is not None and payee.iban_encrypted:
        iban = _plain_iban(payee.iban_encrypted, payee.volunteer_id, key)
        bic = bic_for(iban)
    return pl.PayoutLine(
        volunteer_id=str(payee.volunteer_id),
        name=payee.name,
        items=tuple(items),
        year_to_date=ytd,
        limit_warning=limit_warning(ytd, int(month[:4])),
        iban=iban,
        bic=bic,
        iban_masked=payee.iban_masked,
    )


def _plain_iban(ciphertext: str, volunteer_id: int, key: bytes) -> str:
    """Decrypt a volunteer's IBAN (the ciphertext is bound to the volunteer's row, snapshot or not)."""
    return decrypt_iban(ciphertext, key=key, row_id=str(volunteer_id))


def _original_months(session: Session, entry_ids: list[int | None]) -> dict[int, str]:
    """Map corrected entry ids to the month they were booked in."""
    ids = sorted({entry_id for entry_id in entry_ids if entry_id is not None})
    if not ids:
        return {}
    rows = session.exec(
        select(PayoutEntry.id, PayoutMonth.month)
        .join(PayoutMonth, col(PayoutMonth.id) == PayoutEntry.payout_month_id)
        .where(col(PayoutEntry.id).in_(ids))
    ).all()
    return {entry_id: month for entry_id, month in rows if entry_id is not None}


def limit_of(month: str) -> Decimal:
    """Return the tax-free limit of the month's year."""
    return limit_for_year(int(month[:4]))


# ---------------------------------------------------------------------------
# Closing


def closable_from(month: str) -> date:
    """Return the first day on which ``month`` may be closed: the first day of the month before it."""
    year, number = int(month[:4]), int(month[5:])
    return date(year - 1, 12, 1) if number == 1 else date(year, number - 1, 1)


def check_closable(month: str, today: date) -> None:
    """Refuse to close a month more than one month ahead of today (German message)."""
    if today < closable_from(month):
        raise MonthNotClosableError(
            f"{month_de(month)} liegt mehr als einen Monat in der Zukunft und kann erst ab dem "
            f"{date_long_de(closable_from(month))} abgeschlossen werden."
        )


def close_month(
    session: Session,
    month: str,
    *,
    pool_id: int,
    user_id: int | None,
    actor: str,
) -> PayoutMonth:
    """Freeze a month: write its snapshot, total and checksum, and commit.

    MonthClosedError if closed already, MonthNotClosableError if it lies too far ahead.
    """
    parse_month(month)
    now = local_now().replace(microsecond=0)
    check_closable(month, now.date())
    try:
        row = _month_row(session, pool_id, month, lock=True)
        if row is None:
            row = PayoutMonth(pool_id=pool_id, month=month)
            session.add(row)
            session.flush()
        if row.closed_at is not None:
            raise MonthClosedError(f"{month} ist bereits abgeschlossen.")
        pool_name = identity.pool_row(session, pool_id).name
        _write_snapshot(session, row, month, pool_name)
        row.closed_at = now
        row.closed_by_id = user_id
        row.pool_name = pool_name
        session.flush()
        frozen = _frozen_list(session, row, key=None)
        row.total_cents = _cents(frozen.total)
        row.checksum = content_digest(frozen)
        session.add(row)
        payout_documents.keep(session, row, frozen)
        audit.record(
            session,
            actor=actor,
            entity="payout_month",
            entity_id=month,
            action="closed",
            from_state="open",
            to_state="closed",
            detail={"total_cents": row.total_cents, "lines": len(frozen.lines), "checksum": row.checksum},
        )
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return row


def _write_snapshot(session: Session, row: PayoutMonth, month: str, pool_name: str) -> None:
    """Copy what the month's files show into its snapshot: names, institutions, dates, amounts, IBANs."""
    live = _live_list(session, month, row, pool_name=pool_name, key=None)
    volunteers = {
        v.id: v
        for v in session.exec(
            select(Volunteer).where(col(Volunteer.id).in_([int(line.volunteer_id) for line in live.lines]))
        ).all()
    }
    for line in live.lines:
        volunteer = volunteers[int(line.volunteer_id)]
        session.add(
            PayoutLine(
                pool_id=row.pool_id,
                payout_month_id=row.id,
                volunteer_id=volunteer.id,
                assignments=len(line.items),
                amount_cents=_cents(line.amount),
                year_to_date_cents=_cents(line.year_to_date),
                name=volunteer.name,
                iban_encrypted=volunteer.iban_encrypted,  # still bound to the volunteer's row id
                iban_masked=volunteer.iban_masked if volunteer.iban_encrypted else None,
            )
        )
    for entry, item in _live_items(session, row):
        session.add(
            PayoutLineItem(
                pool_id=row.pool_id,
                payout_month_id=row.id,
                volunteer_id=entry.volunteer_id,
                entry_id=entry.id,
                assignment_ref=item.assignment_id,
                day=item.date,
                institution=item.institution,
                duration_minutes=item.duration_minutes,
                outcome=item.outcome,
                amount_cents=entry.amount_cents,
                corrects=item.corrects,
                note=item.note,
            )
        )


def missing_ibans(payout_list: pl.PayoutList) -> list[str]:
    """Name the volunteers with an allowance this month but no IBAN: a transfer cannot pay them."""
    return sorted(line.name for line in payout_list.lines if line.amount > 0 and not line.iban_masked)


def iban_warning(payout_list: pl.PayoutList) -> str | None:
    """Say in German, before closing, who cannot be paid by transfer for lack of an IBAN."""
    names = missing_ibans(payout_list)
    if not names:
        return None
    who = ", ".join(names)
    return (
        f"{len(names)} Sprachmittelnde mit Aufwandsentschädigung in {month_de(payout_list.month)} haben keine "
        f"IBAN hinterlegt und fehlen in der SEPA-Datei: {who}. Bitte die IBAN vor dem Abschluss eintragen "
        "oder bar bzw. anders auszahlen."
    )


def _cents(amount: Decimal) -> int:
    """Convert an exact amount of euros to integer cents."""
    return int((amount * 100).to_integral_value())


# ---------------------------------------------------------------------------
# Exports

EXPORT_FORMATS: dict[str, tuple[str, str]] = {
    "csv": ("text/csv; charset=utf-8", "csv"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "pdf": ("application/pdf", "pdf"),
    "sepa": ("application/xml", "xml"),
}
DOCUMENT_FORMATS = ("csv", "xlsx", "pdf")
DEFAULT_EXECUTION_DAYS = 2


@dataclass(frozen=True)
class ExportFile:
    """A rendered export with what a download needs."""

    data: bytes
    mimetype: str
    filename: str


def render_export(
    session: Session, month: str, fmt: str, config: Mapping[str, Any], *, pool_id: int
) -> ExportFile:
    """Render a month's list for people (CSV, XLSX, PDF); it is built without IBANs.

    A closed month's PDF is the one made at closing (services/payout_documents.py).
    """
    if fmt not in DOCUMENT_FORMATS:
        raise ValueError(f"unknown export format {fmt!r}")
    from sprachmittlerpool.exports.csv_export import to_csv
    from sprachmittlerpool.exports.pdf_export import to_pdf
    from sprachmittlerpool.exports.xlsx_export import to_xlsx

    row = _month_row(session, pool_id, month)
    data = payout_documents.kept(session, row, fmt) if row is not None else None
    if data is None:
        payout_list = build_payout_list(session, month, pool_id=pool_id)
        data = {"csv": to_csv, "xlsx": to_xlsx, "pdf": to_pdf}[fmt](payout_list)
    mimetype, extension = EXPORT_FORMATS[fmt]
    return ExportFile(data, mimetype, f"auszahlung-{month}.{extension}")


def create_sepa_file(
    session: Session,
    month: str,
    config: Mapping[str, Any],
    *,
    pool_id: int,
    actor: str,
    now: datetime | None = None,
) -> ExportFile:
    """Make a new SEPA transfer file of a closed month, numbered in the database, and commit.

    Every call is a new payment order with its own MsgId and PmtInfId; SepaRefusedError (German
    sentence) for an open month, an unusable paying account or nobody to pay.
    """
    parse_month(month)
    try:
        return _sepa_file(session, pool_id, month, config, actor=actor, now=now)
    except BaseException:
        session.rollback()
        raise


def _sepa_file(
    session: Session, pool_id: int, month: str, config: Mapping[str, Any], *, actor: str, now: datetime | None
) -> ExportFile:
    """Build the SEPA transfer file, the one export that decrypts IBANs (tests pin this as the only caller)."""
    from sprachmittlerpool.exports.sepa import payable_lines, to_sepa

    row = _month_row(session, pool_id, month)
    if row is None or row.closed_at is None:
        raise SepaRefusedError(
            f"{month_de(month)} ist noch nicht abgeschlossen: eine SEPA-Datei gibt es erst für einen "
            "abgeschlossenen Monat, damit die Bank genau die endgültige Liste auszahlt."
        )
    try:
        debtor = identity.paying_account(session, pool_id=pool_id, key=parse_key(config["IBAN_KEY"]))
    except identity.NoPayingAccountError as error:
        raise SepaRefusedError(str(error)) from None
    payout_list = build_payout_list(session, month, pool_id=pool_id, iban_key=config.get("IBAN_KEY"))
    lines = payable_lines(payout_list)
    if not lines:
        raise NothingToTransferError(
            f"In {month_de(month)} hat niemand mit einem Betrag über 0 € eine IBAN hinterlegt: keine SEPA-Datei."
        )
    created = (now or datetime.now(BERLIN)).astimezone(BERLIN).replace(microsecond=0)
    file_row = SepaFile(
        pool_id=pool_id,
        payout_month_id=row.id or 0,
        created_at=created.replace(tzinfo=None),
        created_by=actor[:60],
        transactions=len(lines),
        total_cents=sum(_cents(line.amount) for line in lines),
        execution_date=bank_days_after(created.date(), execution_days(config)),
    )
    session.add(file_row)
    session.flush()
    file_row.message_id = f"SMP-{created:%Y%m%d-%H%M%S}-{file_row.id}"
    data = to_sepa(
        payout_list,
        debtor_name=debtor.holder,
        debtor_iban=debtor.iban,
        debtor_bic=debtor.bic,
        execution_date=file_row.execution_date or created.date(),
        message_id=file_row.message_id,
        payment_id=f"SMP-{month}-{file_row.id}",
        created_at=created,
    )
    audit.record(
        session,
        actor=actor,
        entity="payout_month",
        entity_id=month,
        action="sepa_file",
        detail={
            "message_id": file_row.message_id,
            "transactions": len(lines),
            "total_cents": file_row.total_cents,
        },
    )
    session.commit()
    return ExportFile(data, EXPORT_FORMATS["sepa"][0], f"sepa-{month}-{file_row.id}.xml")


def execution_days(config: Mapping[str, Any]) -> int:
    """Return how many bank working days after the export the transfer is to be executed (setting)."""
    value = config.get("SEPA_EXECUTION_DAYS", DEFAULT_EXECUTION_DAYS)
    return (
        value
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0
        else DEFAULT_EXECUTION_DAYS
    )
