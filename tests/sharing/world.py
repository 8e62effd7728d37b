"""A second pool (Kreis Viersen) beside the first (Kreis Heinsberg), made with the factories, and its coordinator."""

from __future__ import annotations

import json
from datetime import date
from importlib import resources

from sqlmodel import Session

from sprachmittlerpool.models import Language, Municipality, Pool, RequestMode, User
from sprachmittlerpool.reference_data import standard_languages
from sprachmittlerpool.security import hash_password

LENDER_EMAIL = "koordination@kreis-viersen.example"
LENDER_PASSWORD = "auch-ein-langes-passwort"
CONSENT = date(2026, 1, 5)


def lender_pool(db: Session) -> Pool:
    """Create pool B with Kreis Viersen's towns, the standard languages and one coordinator."""
    pool = Pool(slug="kreis-viersen", name="Sprachmittlerpool Kreis Viersen")
    db.add(pool)
    db.commit()
    for code, name in standard_languages():
        db.add(Language(pool_id=pool.id, code=code, name_de=name))
    region = json.loads(
        resources.files("sprachmittlerpool.data").joinpath("regions/kreis-viersen.json").read_text("utf-8")
    )
    for town in region["municipalities"]:
        db.add(
            Municipality(pool_id=pool.id, id=town["id"], name=town["name"], lat=town["lat"], lon=town["lon"])
        )
    db.add(
        User(
            pool_id=pool.id,
            email=LENDER_EMAIL,
            name="Vera Viersen",
            password_hash=hash_password(LENDER_PASSWORD),
        )
    )
    db.commit()
    return pool


def lender_client(app):
    """Return a test client logged in as pool B's coordinator."""
    client = app.test_client()
    response = client.post("/anmelden", data={"email": LENDER_EMAIL, "password": LENDER_PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


def shared_volunteer(factories, pool: Pool, **overrides):
    """A volunteer of pool B in Viersen speaking Tigrinya who takes calls and is shared for them."""
    values = {
        "pool_id": pool.id,
        "name": "Semhar Tesfay",
        "email": "semhar@example.org",
        "phone": "02162 998877",
        "home_id": "viersen",
        "remote": True,
        "shared_remote": True,
        "shared_consent_on": CONSENT,
        "languages": ["ti"],
    }
    values.update(overrides)
    return factories.VolunteerFactory(**values)


def phone_request(factories, **overrides):
    """A Tigrinya phone request of pool A (Heinsberg)."""
    values = {
        "language_code": "ti",
        "mode": RequestMode.PHONE,
        "address": "",
        "call_details": "Die Beratungsstelle ruft an.",
    }
    values.update(overrides)
    return factories.RequestFactory(**values)
