"""A closed month's PDF, made once when the month is closed and sent as it was made on every download.

A closed month's files come from its snapshot and are byte-identical each time they are made, so keeping
the PDF changes nothing a coordinator receives; it only spares the layout (fpdf2 needs about a quarter of a
second for a month of a large pool). A document is used only while it carries the month's checksum.
"""

from __future__ import annotations

from sqlmodel import Session, select

from sprachmittlerpool.exports.payout_list import PayoutList
from sprachmittlerpool.models import PayoutDocument, PayoutMonth

KEPT_FORMATS = ("pdf",)


def keep(session: Session, row: PayoutMonth, frozen: PayoutList) -> None:
    """Make the closed month's PDF from its frozen list and add it to the closing transaction."""
    from sprachmittlerpool.exports.pdf_export import to_pdf  # fpdf2 is loaded only where a PDF is made

    assert row.id is not None and row.checksum is not None
    session.add(
        PayoutDocument(
            pool_id=row.pool_id,
            payout_month_id=row.id,
            format="pdf",
            checksum=row.checksum,
            data=to_pdf(frozen),
        )
    )


def kept(session: Session, row: PayoutMonth, fmt: str) -> bytes | None:
    """Return the document kept for a closed month in this format, or None (an open month, none kept)."""
    if fmt not in KEPT_FORMATS or row.closed_at is None or row.checksum is None:
        return None
    return session.exec(
        select(PayoutDocument.data).where(
            PayoutDocument.pool_id == row.pool_id,
            PayoutDocument.payout_month_id == row.id,
            PayoutDocument.format == fmt,
            PayoutDocument.checksum == row.checksum,
        )
    ).first()
