"""Two demo pools in one installation: the demo pool (A, the first pool) and the Zwiebelturm pool (B).

Pool B is the same demo (requests in every state, completed and confirmed assignments, closed payout
months, an account, tariff, grants) loaded into a second pool row, after which every text of B that people
read is given the marker "Zwiebel" (pool name, contact, Impressum, towns, volunteers, institutions,
requesters). Whatever a coordinator of A sees that contains the marker came from pool B.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from sqlmodel import Session, col, select

from sprachmittlerpool import demo, links
from sprachmittlerpool.db import new_session
from sprachmittlerpool.models import (
    ApiToken,
    Assignment,
    AssignmentStatus,
    Institution,
    InterpretingRequest,
    Municipality,
    PayoutMonth,
    Pool,
    PoolClosure,
    RequestStatus,
    User,
    Volunteer,
    VolunteerLanguage,
    VolunteerLink,
    VolunteerLinkPurpose,
    local_now,
)
from sprachmittlerpool.security import new_token, token_hash
from sprachmittlerpool.services import offers
from tests.factories import FIRST_POOL
from tests.web.test_words_sweep import coordinator_role, demo_pool  # noqa: F401 (fixtures: pool A)

MARKER = "zwiebel"  # in every text of pool B that people read, in any case
B_SLUG = "zwiebelturm"
B_LOGIN = "koordination@zwiebelturm.example"
B_IDENTITY = {
    "name": "Sprachmittlerpool Zwiebelturm",
    "organisation": "Kommunales Integrationszentrum Zwiebelturm",
    "postal_address": "Zwiebelweg 1\n12345 Zwiebelhausen",
    "phone": "01234 99999",
    "email": "kontakt@zwiebelturm.example",
    "impressum_md": "Verantwortlich: KI Zwiebelturm, Zwiebelweg 1",
    "privacy_md": "Der Pool Zwiebelturm verarbeitet Ihre Daten so.",
}


def has_marker(text: str) -> bool:
    """Tell whether a text carries anything of pool B."""
    return MARKER in text.lower()


@pytest.fixture
def pool_b(app: Flask, demo_pool) -> dict[str, object]:  # noqa: F811 (pool A first: its fixture picks rows by id)
    """Load the demo into a second pool, mark every text of it, and return its ids, tokens and accounts."""
    with app.app_context(), new_session(write=True) as session:
        pool = Pool(slug=B_SLUG, name=B_IDENTITY["name"])
        session.add(pool)
        session.commit()
        pool_id = pool.id
    with app.app_context():
        demo.seed(months=2, now=local_now(), pool_id=pool_id, login_email=B_LOGIN)
    with app.app_context(), new_session(write=True) as session:
        _mark(session, pool_id)
        session.commit()
        values = _values(session, pool_id)
        session.commit()
    return values


def _mark(session: Session, pool_id: int) -> None:
    """Give every text of pool B people read the marker (the demo loaded the same names as pool A's)."""
    pool = session.get(Pool, pool_id)
    for field, value in B_IDENTITY.items():
        setattr(pool, field, value)
    session.add(pool)
    for town in session.exec(select(Municipality).where(Municipality.pool_id == pool_id)):
        town.name = f"Zwiebel-{town.name}"
        session.add(town)
    for number, person in enumerate(session.exec(select(Volunteer).where(Volunteer.pool_id == pool_id))):
        person.name = f"{person.name.split()[0]} Zwiebelmann{number}"
        person.email = f"sprachmittlung{number}@zwiebelturm.example"
        session.add(person)
    for number, place in enumerate(session.exec(select(Institution).where(Institution.pool_id == pool_id))):
        place.name = f"Zwiebelschule {number}"
        place.email = f"sekretariat{number}@zwiebelturm.example"
        session.add(place)
    for request in session.exec(select(InterpretingRequest).where(InterpretingRequest.pool_id == pool_id)):
        request.contact_name = "Frau Zwiebelmeier"
        request.contact_email = "anfrage@zwiebelturm.example"
        request.topic = f"Zwiebelfest: {request.topic}"
        request.address = "Zwiebelgasse 7" if request.address else ""
        session.add(request)
    user = session.exec(select(User).where(User.email == B_LOGIN)).one()
    user.name = "Zwiebel-Koordination"
    session.add(user)
    session.add(
        PoolClosure(pool_id=pool_id, day=local_now().date() + timedelta(days=40), note="Zwiebelmarkt")
    )
    session.flush()


def _first(session: Session, model, *conditions):
    return session.exec(select(model).where(*conditions).order_by(col(model.id))).first()


def _values(session: Session, pool_id: int) -> dict[str, object]:
    """Return pool B's ids by URL argument name, tokens of its links, its account and an API token of it."""
    in_b = InterpretingRequest.pool_id == pool_id
    requests = session.exec(
        select(InterpretingRequest).where(in_b).order_by(col(InterpretingRequest.id))
    ).all()
    by_status: dict[str, InterpretingRequest] = {}
    for request in requests:
        by_status.setdefault(request.status, request)
    confirmed = _first(
        session, Assignment, Assignment.pool_id == pool_id, Assignment.status == AssignmentStatus.CONFIRMED
    )
    completed = _first(
        session, Assignment, Assignment.pool_id == pool_id, Assignment.status == AssignmentStatus.COMPLETED
    )
    user = session.exec(select(User).where(User.email == B_LOGIN)).one()
    api_token = new_token()
    token_row = ApiToken(user_id=user.id, token_hash=token_hash(api_token))
    session.add(token_row)
    status_token = new_token()
    confirmed_request = session.get(InterpretingRequest, confirmed.request_id)
    confirmed_request.status_token_hash = token_hash(status_token)
    session.add(confirmed_request)
    page_token = new_token()
    session.add(
        VolunteerLink(
            pool_id=pool_id, volunteer_id=completed.volunteer_id, purpose=VolunteerLinkPurpose.PAGE,
            token_hash=token_hash(page_token), expires_at=local_now() + timedelta(days=1),
        )
    )  # fmt: skip
    month = _first(session, PayoutMonth, PayoutMonth.pool_id == pool_id)
    session.flush()
    open_request = by_status[RequestStatus.OPEN]
    speakers = session.exec(
        select(VolunteerLanguage).where(
            VolunteerLanguage.pool_id == pool_id,
            VolunteerLanguage.language_code == open_request.language_code,
        )
    ).all()
    session.commit()
    _offer, offer_token = offers.make_offer(
        session, request_id=open_request.id, volunteer_id=speakers[0].volunteer_id, now=local_now(), actor="t"
    )
    return {
        "pool_id": pool_id,
        "user_id": user.id,
        "api_token": api_token,
        "status_token": status_token,
        "offer_token": offer_token,
        "page_token": page_token,
        "completion_token": links.completion_token(confirmed.id),
        "ids": {
            "request_id": [str(r.id) for r in by_status.values()],
            "assignment_id": [str(confirmed.id), str(completed.id)],
            "offer_id": [str(confirmed.offer_id)],
            "volunteer_id": [str(confirmed.volunteer_id), str(completed.volunteer_id)],
            "institution_id": [str(open_request.institution_id)],
            "user_id": [str(user.id)],
            "token_id": [str(token_row.id)],
            "absence_id": ["1"],
        },
        "month": month.month if month else None,
    }


@pytest.fixture
def a_token(app: Flask, coordinator) -> str:
    """Return an API token of pool A's coordinator."""
    token = new_token()
    with app.app_context(), new_session(write=True) as session:
        session.add(ApiToken(user_id=coordinator.id, token_hash=token_hash(token)))
        session.commit()
    return token


__all__ = ["FIRST_POOL", "has_marker"]
