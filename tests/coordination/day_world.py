"""Builders for the day-list tests: confirmed assignments and pending offers written straight into the tables,
so a test can place them at any minute (midnight edges) without running the offer flow."""

from __future__ import annotations

from datetime import datetime, timedelta

from sprachmittlerpool.models import (
    Assignment,
    AssignmentStatus,
    Institution,
    Language,
    Loan,
    LoanStatus,
    Municipality,
    Offer,
    OfferStatus,
    Pool,
    RequestStatus,
)
from sprachmittlerpool.security import new_token, token_hash

SECOND_POOL = 2


def offer_for(db, factories, start: datetime, *, volunteer=None, status=OfferStatus.PENDING, **request):
    """Create a request at `start` and an offer of it (pending unless told) to `volunteer` (a new one if none)."""
    volunteer = volunteer or factories.VolunteerFactory(pool_id=request.get("pool_id", factories.FIRST_POOL))
    row = factories.RequestFactory(
        start=start, end=start + timedelta(hours=1), status=RequestStatus.OFFERED, **request
    )
    offer = Offer(
        pool_id=row.pool_id,
        request_id=row.id,
        volunteer_id=volunteer.id,
        volunteer_pool_id=volunteer.pool_id,
        loan_id=_agreed_loan(db, row, volunteer),
        status=status,
        token_hash=token_hash(new_token()),
        created_at=start - timedelta(days=3),
        expires_at=start - timedelta(days=1),
    )
    db.add(offer)
    db.commit()
    return row, offer, volunteer


def _agreed_loan(db, row, volunteer) -> int | None:
    """Lend a volunteer of another pool for this request (the only way the database lets them serve it)."""
    if volunteer.pool_id == row.pool_id:
        return None
    loan = Loan(
        pool_id=row.pool_id,
        lender_pool_id=volunteer.pool_id,
        request_id=row.id,
        volunteer_id=volunteer.id,
        status=LoanStatus.AGREED,
        decided_at=row.start - timedelta(days=4),
    )
    db.add(loan)
    db.commit()
    return loan.id


def assignment_at(
    db, factories, start: datetime, *, status=AssignmentStatus.CONFIRMED, **request
) -> Assignment:
    """Create a request at `start` with an accepted offer and an assignment in `status`."""
    row, offer, volunteer = offer_for(db, factories, start, status=OfferStatus.ACCEPTED, **request)
    row.status = RequestStatus.CONFIRMED if status == AssignmentStatus.CONFIRMED else RequestStatus.CANCELLED
    assignment = Assignment(
        pool_id=row.pool_id,
        request_id=row.id,
        offer_id=offer.id,
        volunteer_id=volunteer.id,
        volunteer_pool_id=offer.volunteer_pool_id,
        start=row.start,
        end=row.end,
        status=status,
    )
    db.add_all([row, assignment])
    db.commit()
    return assignment


def second_pool(db) -> dict[str, object]:
    """Create another pool with a town, a language and an institution; return RequestFactory overrides for it."""
    db.add(Pool(id=SECOND_POOL, slug="zweiter", name="Zweiter Pool"))
    db.commit()
    institution = Institution(
        pool_id=SECOND_POOL, name="Kita Anderswo", type="kita", email="kita@anderswo.example"
    )
    db.add_all(
        [
            Municipality(pool_id=SECOND_POOL, id="anderswo", name="Anderswo", lat=51.0, lon=6.0),
            Language(pool_id=SECOND_POOL, code="uk", name_de="Ukrainisch"),
            institution,
        ]
    )
    db.commit()
    return {"pool_id": SECOND_POOL, "municipality_id": "anderswo", "institution_id": institution.id}
