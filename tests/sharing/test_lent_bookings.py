"""A lent volunteer's time in the borrowing pool holds in the lending pool's own runs too."""

from __future__ import annotations

from datetime import timedelta

import matching
from sprachmittlerpool.models import Loan, LoanStatus, Offer, RequestMode, local_now
from sprachmittlerpool.security import new_token, token_hash
from sprachmittlerpool.services.matching_run import build_instance_data
from tests.factories import FIRST_POOL
from tests.sharing.world import lender_pool, phone_request, shared_volunteer


def test_the_lenders_run_sees_the_loaned_time_in_the_other_pools_town(app, db, factories):
    pool_b = lender_pool(db)
    lent = shared_volunteer(factories, pool_b)
    borrowed = phone_request(factories)
    loan = Loan(
        pool_id=FIRST_POOL, lender_pool_id=pool_b.id, request_id=borrowed.id, volunteer_id=lent.id,
        status=LoanStatus.AGREED, decided_at=local_now(),
    )  # fmt: skip
    db.add(loan)
    db.commit()
    db.add(
        Offer(
            pool_id=FIRST_POOL, request_id=borrowed.id, volunteer_id=lent.id, volunteer_pool_id=pool_b.id,
            loan_id=loan.id, token_hash=token_hash(new_token()), expires_at=borrowed.start - timedelta(days=1),
        )
    )  # fmt: skip
    own = factories.RequestFactory(
        pool_id=pool_b.id,
        institution_id=factories.InstitutionFactory(pool_id=pool_b.id).id,
        municipality_id="viersen",
        language_code="ti",
        mode=RequestMode.PHONE,
        address="",
        start=borrowed.start + timedelta(minutes=30),
        end=borrowed.end + timedelta(minutes=30),
    )

    with app.app_context():
        data = build_instance_data(db, pool_id=pool_b.id, now=local_now())
    (volunteer,) = data["volunteers"]
    assert [b["municipality"] for b in volunteer["booked"]] == [f"{FIRST_POOL}/heinsberg"]
    assert f"{FIRST_POOL}/heinsberg" in {m["id"] for m in data["municipalities"]}
    result = matching.solve(matching.parse_instance(data), matching.SolverConfig(time_limit_s=5))
    assert [u.request for u in result.unassigned] == [str(own.id)] and not result.assignments
