"""Fixtures of the payout tests: a booked month, an API token."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlmodel import select

from sprachmittlerpool.db import new_session
from sprachmittlerpool.ibans import encrypt_iban, mask_iban, parse_key
from sprachmittlerpool.services import payouts
from tests.conftest import TEST_IBAN_KEY
from tests.payouts import helpers

IBAN = "DE89370400440532013000"


@pytest.fixture
def march(app):
    """Book three assignments of two volunteers (one with an IBAN) into March 2025."""
    with app.app_context():
        s = new_session(write=True)
        helpers.paying_account(s, TEST_IBAN_KEY)
        inst = helpers.institution(s, name="=Kita <Sonnenschein>")
        anna = helpers.volunteer(s, name="Anna Müller")
        anna.iban_encrypted = encrypt_iban(IBAN, key=parse_key(TEST_IBAN_KEY), row_id=str(anna.id))
        anna.iban_masked = mask_iban(IBAN)
        ben = helpers.volunteer(s, name="Ben Öztürk")
        made = [
            helpers.completed(s, anna.id, inst.id, datetime(2025, 3, 3, 9), 2500),
            helpers.completed(s, anna.id, inst.id, datetime(2025, 3, 10, 9), 3500),
            helpers.completed(s, ben.id, inst.id, datetime(2025, 3, 12, 9), 2500),
        ]
        for assignment in made:
            payouts.book_allowance(s, assignment, now=datetime(2025, 3, 20))
        s.commit()
        ids = {"anna": anna.id, "ben": ben.id, "assignments": [a.id for a in made]}
        s.close()
    return ids


@pytest.fixture
def bearer(app, coordinator) -> dict[str, str]:
    """Issue an API token to the coordinator and return the header that carries it."""
    from sprachmittlerpool.models import ApiToken, User
    from sprachmittlerpool.security import new_token, token_hash

    token = new_token()
    with app.app_context():
        s = new_session(write=True)
        user = s.exec(select(User)).one()
        s.add(ApiToken(user_id=user.id, token_hash=token_hash(token)))
        s.commit()
        s.close()
    return {"Authorization": f"Bearer {token}"}
