"""Allowances booked into monthly payout lists; closed months never change.

An assignment's allowance becomes a PayoutEntry in the month of its appointment. If that
month is already closed, the entry goes to the earliest open month after it, and a changed
amount is booked as the difference, naming the entry it corrects. Closing a month writes
its PayoutLine rows, total and checksum; after that nothing writes into it.

``book_allowance`` joins the caller's transaction (the completion service commits it);
``close_month`` owns its own.
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

from sprachmittlerpool.exports import payout_list as pl
from sprachmittlerpool.exports.csv_export import content_digest
from sprachmittlerpool.ibans import bic_for, decrypt_iban, parse_key
from sprachmittlerpool.models import (
    Assignment,
    Institution,
    InterpretingRequest,
    PayoutEntry,
    PayoutLine,
    PayoutMonth,
    Volunteer,
    local_now,
)
from sprachmittlerpool.services import audit
from sprachmittlerpool.tariff import from_cents
from sprachmittlerpool.tax_limits import BudgetStatus, budget_status, limit_for_year, limit_warning

MONTH_RE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
DEFAULT_POOL_NAME = "Sprachmittlerpool Kreis Heinsberg"


class MonthClosedError(Exception):
    """The month is closed; its list cannot change."""


class NothingToTransferError(ValueError):
    """No volunteer of the month has an IBAN and a positive sum."""


class BookingError(Exception):
    """An allowance cannot be booked (for instance, no open month could take it)."""


def parse_month(text: str) -> str:
    """Return ``text`` if it is a valid 'YYYY-MM' month, else raise ValueError."""
    if not isinstance(text, str) or not MONTH_RE.match(text):
        raise ValueError(f"month must look like YYYY-MM, got {text!r}")
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
    session: Session, assignment: Assignment, *, now: datetime, actor: str = "system"
) -> PayoutEntry | None:
    """Book the assignment's allowance so its month's list pays it; None if nothing changed.

    Runs in the caller's transaction. Re-booking the same amount is a no-op; a changed amount
    updates the entry while its month is open, else books the difference into the earliest
    open month as a correction naming the original entry.
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
            assignment_id=assignment.id,
            amount_cents=amount - already,
            corrects_entry_id=original.id,
            note=f"Korrektur zu {correction_ref(original_month, assignment.id)}",
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
    """Return the pool's spending in a year against the state budget."""
    return budget_status(year_spent(session, year, pool_id=pool_id))


def build_payout_list(
    session: Session,
    month: str,
    *,
    pool_id: int,
    pool_name: str = DEFAULT_POOL_NAME,
    iban_key: str | bytes | None = None,
) -> pl.PayoutList:
    """Build a pool's month list from its entries; with ``iban_key`` plain IBANs are filled in (SEPA only)."""
    parse_month(month)
    row = _month_row(session, pool_id, month)
    entries: list[tuple[PayoutEntry, Assignment, str]] = []
    if row is not None:
        entries = [
            (entry, assignment, institution)
            for entry, assignment, institution in session.exec(
                select(PayoutEntry, Assignment, Institution.name)
                .join(Assignment, col(Assignment.id) == PayoutEntry.assignment_id)
                .join(InterpretingRequest, col(InterpretingRequest.id) == Assignment.request_id)
                .join(Institution, col(Institution.id) == InterpretingRequest.institution_id)
                .where(PayoutEntry.payout_month_id == row.id)
            ).all()
        ]
    originals = _original_months(session, [entry.corrects_entry_id for entry, _, _ in entries])
    items: dict[int, list[pl.PayoutItem]] = defaultdict(list)
    for entry, assignment, institution in entries:
        corrects = None
        if entry.corrects_entry_id is not None:
            corrects = correction_ref(originals[entry.corrects_entry_id], assignment.id or 0)
        items[entry.volunteer_id].append(
            pl.PayoutItem(
                assignment_id=f"a{assignment.id}",
                date=assignment.start.date(),
                institution=institution,
                duration_minutes=assignment.duration_minutes or 0,
                outcome=assignment.outcome or "took_place",
                amount=from_cents(entry.amount_cents),
                corrects=corrects,
                note=entry.note,
            )
        )
    volunteer_ids = sorted(items)
    volunteers = {
        v.id: v for v in session.exec(select(Volunteer).where(col(Volunteer.id).in_(volunteer_ids))).all()
    }
    frozen: dict[int, int] = {}
    if row is not None and row.closed_at is not None:
        frozen = {
            line.volunteer_id: line.year_to_date_cents
            for line in session.exec(select(PayoutLine).where(PayoutLine.payout_month_id == row.id)).all()
        }
    live = _year_to_date_cents(session, month, [v for v in volunteer_ids if v not in frozen])
    key = parse_key(iban_key) if iban_key is not None else None
    year = int(month[:4])
    lines = []
    for volunteer_id in volunteer_ids:
        volunteer = volunteers[volunteer_id]
        ytd = from_cents(frozen.get(volunteer_id, live.get(volunteer_id, 0)))
        iban = bic = None
        if key is not None and volunteer.iban_encrypted:
            iban = decrypt_iban(volunteer.iban_encrypted, key=key, row_id=str(volunteer.id))
            bic = bic_for(iban)
        lines.append(
            pl.PayoutLine(
                volunteer_id=str(volunteer_id),
                name=volunteer.name,
                items=tuple(items[volunteer_id]),
                year_to_date=ytd,
                limit_warning=limit_warning(ytd, year),
                iban=iban,
                bic=bic,
            )
        )
    return pl.PayoutList(
        month=month,
        closed=row is not None and row.closed_at is not None,
        closed_at=row.closed_at if row is not None else None,
        pool_name=pool_name,
        lines=tuple(lines),
    )


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


def close_month(
    session: Session,
    month: str,
    *,
    pool_id: int,
    user_id: int | None,
    actor: str,
    pool_name: str = DEFAULT_POOL_NAME,
) -> PayoutMonth:
    """Freeze a pool's month: write its lines, total and checksum, and commit; MonthClosedError if closed."""
    parse_month(month)
    try:
        row = _month_row(session, pool_id, month, lock=True)
        if row is None:
            row = PayoutMonth(pool_id=pool_id, month=month)
            session.add(row)
            session.flush()
        if row.closed_at is not None:
            raise MonthClosedError(f"{month} ist bereits abgeschlossen.")
        now = local_now().replace(microsecond=0)
        row.closed_at = now
        row.closed_by_id = user_id
        payout_list = build_payout_list(session, month, pool_id=pool_id, pool_name=pool_name)
        for line in payout_list.lines:
            session.add(
                PayoutLine(
                    pool_id=pool_id,
                    payout_month_id=row.id,
                    volunteer_id=int(line.volunteer_id),
                    assignments=len(line.items),
                    amount_cents=_cents(line.amount),
                    year_to_date_cents=_cents(line.year_to_date),
                )
            )
        row.total_cents = _cents(payout_list.total)
        row.checksum = content_digest(payout_list)
        session.add(row)
        audit.record(
            session,
            actor=actor,
            entity="payout_month",
            entity_id=month,
            action="closed",
            from_state="open",
            to_state="closed",
            detail={
                "total_cents": row.total_cents,
                "lines": len(payout_list.lines),
                "checksum": row.checksum,
            },
        )
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return row


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

POOL_DEFAULTS = {
    "POOL_NAME": DEFAULT_POOL_NAME,
    "POOL_IBAN": "DE02370502990000684712",
    "POOL_BIC": "COKSDE33XXX",
}


@dataclass(frozen=True)
class ExportFile:
    """A rendered export with what a download needs."""

    data: bytes
    mimetype: str
    filename: str


def pool_settings(config: Mapping[str, Any]) -> dict[str, str]:
    """Return the pool's name and the debtor account for SEPA, with the documented defaults."""
    return {key: str(config.get(key) or default) for key, default in POOL_DEFAULTS.items()}


def render_export(
    session: Session, month: str, fmt: str, config: Mapping[str, Any], *, pool_id: int
) -> ExportFile:
    """Render a month's list in one format; only the SEPA file is built with plain IBANs."""
    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"unknown export format {fmt!r}")
    settings = pool_settings(config)
    if fmt == "sepa":
        data = _sepa_file(session, pool_id, month, settings, config.get("IBAN_KEY"))
    else:
        payout_list = build_payout_list(session, month, pool_id=pool_id, pool_name=settings["POOL_NAME"])
        data = _document(payout_list, fmt)
    mimetype, extension = EXPORT_FORMATS[fmt]
    return ExportFile(data, mimetype, f"auszahlung-{month}.{extension}")


def _document(payout_list: pl.PayoutList, fmt: str) -> bytes:
    """Render the list for people (CSV, XLSX, PDF); it was built without IBANs."""
    from sprachmittlerpool.exports.csv_export import to_csv
    from sprachmittlerpool.exports.pdf_export import to_pdf
    from sprachmittlerpool.exports.xlsx_export import to_xlsx

    return {"csv": to_csv, "xlsx": to_xlsx, "pdf": to_pdf}[fmt](payout_list)


def _sepa_file(
    session: Session, pool_id: int, month: str, settings: dict[str, str], iban_key: str | None
) -> bytes:
    """Build the SEPA transfer file, the one export that decrypts IBANs (tests pin this as the only caller)."""
    from sprachmittlerpool.exports.sepa import payable_lines, to_sepa

    payout_list = build_payout_list(
        session, month, pool_id=pool_id, pool_name=settings["POOL_NAME"], iban_key=iban_key
    )
    if not payable_lines(payout_list):
        raise NothingToTransferError(f"nobody to pay by transfer in {month}")
    return to_sepa(
        payout_list,
        debtor_name=settings["POOL_NAME"],
        debtor_iban=settings["POOL_IBAN"],
        debtor_bic=settings["POOL_BIC"],
        execution_date=execution_date(month),
        message_id=f"SMP-{month}",
    )


def execution_date(month: str) -> date:
    """Pay on the first day of the following month, so a regenerated file is identical."""
    following = next_month(month)
    return date(int(following[:4]), int(following[5:]), 1)


def has_iban(session: Session, volunteer_id: int) -> bool:
    """Tell whether a volunteer gave an IBAN."""
    volunteer = session.get(Volunteer, volunteer_id)
    return volunteer is not None and bool(volunteer.iban_encrypted)


def masked_ibans(session: Session, volunteer_ids: list[int]) -> dict[str, str]:
    """Return the masked IBANs of volunteers (by id as text), never the digits."""
    if not volunteer_ids:
        return {}
    rows = session.exec(select(Volunteer).where(col(Volunteer.id).in_(volunteer_ids))).all()
    return {str(v.id): v.iban_masked or "" for v in rows if v.iban_encrypted}
