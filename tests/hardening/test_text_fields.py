"""Every door a person types through refuses control characters, direction tricks and invisible-only names.

One shared check (`sprachmittlerpool/text_check.py`) serves the request API, the volunteer API and form,
the import file and the pool's settings; each door is driven with each class of bad text.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlmodel import func, select

from sprachmittlerpool.db import new_session
from sprachmittlerpool.models import BERLIN, ApiToken, InterpretingRequest, Offer, Volunteer, local_now
from sprachmittlerpool.security import new_token, token_hash
from sprachmittlerpool.services import offers
from sprachmittlerpool.text_check import text_problem
from sprachmittlerpool.wallclock import exists_in_berlin
from tests.intake.conftest import payload

BAD_TEXTS = [
    "\u200b\u200b",  # zero-width spaces only
    "\u202e",  # right-to-left override only
    "\u2066\u2069",  # isolates only
    "Olena\u202eoknevoK",  # an override inside a name
    "Olena\x00Kowalenko",  # NUL
    "Olena\x1b[31m",  # an escape sequence
    "\u00a0\u2060\ufeff",  # no-break space, word joiner, BOM
]


@pytest.fixture
def coordinator_role() -> str:
    return "admin"


def _count(db, model) -> int:
    db.rollback()
    return db.exec(select(func.count()).select_from(model)).one()


@pytest.mark.parametrize("bad", BAD_TEXTS)
def test_the_shared_check_names_every_class_in_german(bad):
    assert text_problem(bad) is not None
    assert text_problem("Olena Kowalenko-Schmidt, Zeile\u00a0eins") is None
    assert text_problem("Zeile eins\nZeile zwei", multiline=True) is None


@pytest.mark.parametrize("bad", BAD_TEXTS)
def test_the_request_api_refuses_bad_text_at_the_field(client, db, bad):
    answer = client.post("/api/v1/requests", json=payload(contact_name=bad))

    assert answer.status_code == 422
    assert "contact_name" in answer.get_json()["fields"]
    assert _count(db, InterpretingRequest) == 0


@pytest.mark.parametrize("bad", BAD_TEXTS)
def test_the_volunteer_form_and_api_refuse_bad_names(app, coordinator, coordinator_client, db, bad):
    token = new_token()
    db.add(ApiToken(user_id=coordinator.id, token_hash=token_hash(token)))
    db.commit()
    form = {
        "name": bad,
        "email": "neu@example.org",
        "home": "heinsberg",
        "languages": ["uk"],
        "availability": "Mo 08:00-12:00",
    }
    page = coordinator_client.post("/koordination/sprachmittelnde/neu", data=form)
    api = app.test_client().post(
        "/api/v1/volunteers",
        headers={"Authorization": f"Bearer {token}"},
        json={"name": bad, "email": "neu2@example.org", "home": "heinsberg", "languages": ["uk"]},
    )

    assert page.status_code == 422 and "Text" in page.get_data(as_text=True)
    assert api.status_code == 422 and "name" in api.get_json()["fields"]
    assert _count(db, Volunteer) == 0


@pytest.mark.parametrize("bad", BAD_TEXTS)
def test_the_settings_refuse_a_bad_pool_name(coordinator_client, bad):
    page = coordinator_client.get("/einstellungen/auftritt")
    assert page.status_code == 200

    answer = coordinator_client.post("/einstellungen/auftritt", data={"name": bad})

    assert answer.status_code in (400, 422)
    assert "Name des Pools" in answer.get_data(as_text=True)


@pytest.mark.parametrize("bad", BAD_TEXTS)
def test_the_newer_doors_refuse_bad_text_too(coordinator_client, coordinator, factories, bad):
    """Languages, invitations, token labels and the institutions register: the same check, a 422 each."""
    institution = factories.InstitutionFactory()
    doors = {
        "/einstellungen/sprachen": {"code": "xx", "name": bad},
        "/einstellungen/sprachen/uk/name": {"name": bad},
        "/einstellungen/konten": {"email": "neu@kreis.example", "name": bad, "role": "coordinator"},
        "/einstellungen/api-tokens": {"user_id": str(coordinator.id), "label": bad},
        f"/koordination/einrichtungen/{institution.id}": {
            "name": bad, "type": institution.type, "email": institution.email, "note": "",
        },
    }  # fmt: skip
    answers = {path: coordinator_client.post(path, data=data).status_code for path, data in doors.items()}

    assert answers == dict.fromkeys(doors, 422)


def _next_spring_gap() -> datetime:
    """Return 02:30 on the next night Berlin's clocks go forward."""
    day = local_now().date() + timedelta(days=1)
    while exists_in_berlin(datetime.combine(day, datetime.min.time()).replace(hour=2, minute=30)):
        day += timedelta(days=1)
    return datetime.combine(day, datetime.min.time()).replace(hour=2, minute=30)


def test_a_local_time_the_clocks_skip_gets_a_german_422_at_the_field(client, db):
    gap = _next_spring_gap()
    assert gap.replace(tzinfo=BERLIN).utcoffset() is not None

    answer = client.post(
        "/api/v1/requests",
        json=payload(start=f"{gap:%Y-%m-%dT%H:%M}", end=f"{gap + timedelta(hours=2):%Y-%m-%dT%H:%M}"),
    )

    assert answer.status_code == 422
    assert "vorgestellt" in answer.get_json()["fields"]["start"]
    assert _count(db, InterpretingRequest) == 0


@pytest.mark.parametrize("bad", BAD_TEXTS)
def test_a_decline_reason_with_bad_text_is_refused_and_the_offer_stays_open(app, client, db, factories, bad):
    request = factories.RequestFactory()
    volunteer = factories.VolunteerFactory()
    with app.app_context(), new_session(write=True) as session:
        offer, token = offers.make_offer(
            session, request_id=request.id, volunteer_id=volunteer.id, now=local_now(), actor="t"
        )

    answer = client.post(f"/o/{token}/decline", data={"reason": bad})

    assert answer.status_code == 422 and "Begründung" in answer.get_data(as_text=True)
    db.rollback()
    assert db.get(Offer, offer.id).status == "pending"


def test_a_whole_number_is_read_from_ascii_digits_only_and_bounded():
    from sprachmittlerpool.text_check import whole_number

    assert [whole_number(v) for v in ("0", "42", "000123456789")] == [0, 42, 123456789]
    assert [whole_number(v) for v in ("²", "١٢", "4²", "", " 4", "-4", "4.0", "1" * 13, None)] == [None] * 9
    assert whole_number("1234", max_digits=3) is None
