"""A pool's public pages under its own address: the prefix /p/<slug>/ or its host name; token links anywhere."""

from __future__ import annotations

import re

from sqlmodel import select

from sprachmittlerpool.db import new_session
from sprachmittlerpool.models import InterpretingRequest, OutboxMail, Pool
from tests.factories import FIRST_POOL
from tests.intake.test_form import form_data
from tests.multipool.conftest import B_IDENTITY, B_LOGIN, B_SLUG, has_marker
from tests.web.test_words_sweep import visible_text

PREFIX = f"/p/{B_SLUG}"


def _text(client, path: str, **kwargs) -> tuple[int, str]:
    response = client.get(path, **kwargs)
    return response.status_code, response.get_data(as_text=True)


def test_pool_b_s_form_rules_and_identity_live_under_its_prefix(client, pool_b) -> None:
    status, form = _text(client, f"{PREFIX}/anfrage")
    _, default_form = _text(client, "/anfrage")
    pages = {
        path: _text(client, f"{PREFIX}{path}") for path in ("/", "/regeln", "/impressum", "/datenschutz")
    }

    assert status == 200
    assert '<option value="heinsberg">Zwiebel-Heinsberg</option>' in form
    assert B_IDENTITY["name"] in form and B_IDENTITY["email"] in form
    assert f'action="{PREFIX}/anfrage"' in form or f"{PREFIX}/anfrage" in form  # its links keep the prefix
    assert not has_marker(default_form) and "Kreis Heinsberg" in default_form  # the default pool: unprefixed
    assert all(code == 200 and B_IDENTITY["name"] in page for code, page in pages.values())
    assert "KI Zwiebelturm, Zwiebelweg 1" in visible_text(pages["/impressum"][1])


def test_a_request_sent_through_pool_b_s_form_lands_in_pool_b_with_its_status_link(
    app, client, db, pool_b
) -> None:
    response = client.post(f"{PREFIX}/anfrage", data=form_data(idempotency_key="multipool-key-1"))
    receipt = client.get(response.headers["Location"]).get_data(as_text=True)

    stored = db.exec(
        select(InterpretingRequest).where(InterpretingRequest.idempotency_key.is_not(None))
    ).all()
    mail = db.exec(
        select(OutboxMail).where(OutboxMail.dedupe_key == f"request:{stored[-1].id}:received")
    ).one()
    link = re.search(r"http://localhost/p/zwiebelturm/status/[\w-]+", receipt)
    assert response.status_code == 302 and response.headers["Location"].startswith(f"{PREFIX}/anfrage/")
    assert [r.pool_id for r in stored] == [pool_b["pool_id"]]
    assert link and link.group(0) in mail.body_text and mail.reply_to == B_IDENTITY["email"]
    assert client.get(link.group(0).removeprefix("http://localhost")).status_code == 200


def test_pool_b_s_own_host_name_serves_its_pages_and_its_mail_links(app, client, db, pool_b) -> None:
    with app.app_context(), new_session(write=True) as session:
        pool = session.get(Pool, pool_b["pool_id"])
        pool.host = "dolmetschen.zwiebelturm.example"
        session.add(pool)
        session.commit()

    _, form = _text(client, "/anfrage", base_url="http://dolmetschen.zwiebelturm.example")
    _, other = _text(client, "/anfrage", base_url="http://localhost")
    sent = client.post(
        "/anfrage",
        data=form_data(idempotency_key="multipool-key-2"),
        base_url="http://dolmetschen.zwiebelturm.example",
    )

    assert sent.status_code == 302, sent.get_data(as_text=True)[-3000:]
    request = db.exec(
        select(InterpretingRequest)
        .where(InterpretingRequest.idempotency_key.is_not(None))
        .order_by(InterpretingRequest.id.desc())
    ).first()
    mail = db.exec(select(OutboxMail).where(OutboxMail.dedupe_key == f"request:{request.id}:received")).one()
    assert "Zwiebel-Heinsberg" in form and not has_marker(other)
    assert request.pool_id == pool_b["pool_id"]
    assert "http://dolmetschen.zwiebelturm.example/status/" in mail.body_text


def test_an_unknown_prefix_is_not_found_and_never_the_default_pool(client, pool_b) -> None:
    status, page = _text(client, "/p/gibt-es-nicht/anfrage")

    assert (
        status == 404 and "Kreis Heinsberg" not in page and not has_marker(page.replace("gibt-es-nicht", ""))
    )


def test_token_links_work_for_their_own_pool_under_any_address(client, demo_pool, pool_b) -> None:
    offer_plain = _text(client, f"/o/{pool_b['offer_token']}")
    offer_prefixed = _text(client, f"{PREFIX}/o/{pool_b['offer_token']}")
    status_page = _text(client, f"/status/{pool_b['status_token']}")
    own_page = _text(client, f"/mein-bereich/{pool_b['page_token']}")
    a_offer_under_b = _text(client, f"{PREFIX}/o/{demo_pool['offer_token'][1]}")

    for code, page in (offer_plain, offer_prefixed, status_page, own_page):
        assert code == 200 and B_IDENTITY["name"] in page
    assert a_offer_under_b[0] == 200 and not has_marker(a_offer_under_b[1].replace(f"{PREFIX}/", "/"))


def test_pool_b_s_coordinator_works_in_pool_b(app, pool_b) -> None:
    """The control of the sweep: the same pages show B's people to B's own coordinator."""
    from sprachmittlerpool.models import User
    from sprachmittlerpool.security import hash_password

    with app.app_context(), new_session(write=True) as session:
        user = session.exec(select(User).where(User.email == B_LOGIN)).one()
        user.password_hash = hash_password("zwiebel-passwort-1234")
        user.role = "admin"  # the settings too
        session.add(user)
        session.commit()
    client = app.test_client()
    client.post("/anmelden", data={"email": B_LOGIN, "password": "zwiebel-passwort-1234"})

    _, volunteers = _text(client, "/koordination/sprachmittelnde")
    _, settings = _text(client, "/einstellungen/")
    _, requests = _text(client, "/koordination/anfragen")

    assert "Zwiebelmann" in volunteers and "Zwiebelschule" in requests
    assert "Kreis Heinsberg" not in volunteers
    assert '<a href="http://localhost/p/zwiebelturm/anfrage">' in settings  # where its form lives


def test_a_single_pool_keeps_its_unprefixed_addresses_and_mail_links(app, client, db) -> None:
    client.post("/anfrage", data=form_data(idempotency_key="single-pool-key"))

    mail = db.exec(select(OutboxMail)).one()
    assert re.search(r"http://localhost/status/[\w-]+", mail.body_text)
    assert "/p/" not in mail.body_text and mail.pool_id == FIRST_POOL
    assert client.get("/p/pool/anfrage").status_code == 200  # its slug works too


def test_the_api_takes_a_request_for_the_pool_of_its_address_or_of_its_token(client, db, pool_b) -> None:
    from tests.intake.conftest import payload

    by_prefix = client.post(f"{PREFIX}/api/v1/requests", json=payload(), headers={"Idempotency-Key": "mp-1"})
    by_token = client.post(
        "/api/v1/requests",
        json=payload(),
        headers={"Idempotency-Key": "mp-2", "Authorization": f"Bearer {pool_b['api_token']}"},
    )
    by_default = client.post("/api/v1/requests", json=payload(), headers={"Idempotency-Key": "mp-3"})
    towns = client.get(f"{PREFIX}/api/v1/municipalities").get_json()["municipalities"]

    landed = [
        (
            answer.get_json()["status_url"].split("/status/")[0],
            db.get(InterpretingRequest, int(answer.get_json()["id"])).pool_id,
        )
        for answer in (by_prefix, by_token, by_default)
    ]
    b_address = ("http://localhost/p/zwiebelturm", pool_b["pool_id"])
    assert landed == [b_address, b_address, ("http://localhost", FIRST_POOL)]
    assert [answer.status_code for answer in (by_prefix, by_token, by_default)] == [201, 201, 201]
    assert all(town["name"].startswith("Zwiebel-") for town in towns)


def test_link_tokens_under_a_prefix_are_masked_in_logs_too() -> None:
    from sprachmittlerpool.logsafe import mask_tokens

    assert "geheim" not in mask_tokens(f"GET {PREFIX}/o/geheim123 HTTP/1.1")
    assert "geheim" not in mask_tokens(f"GET {PREFIX}/status/geheim123 HTTP/1.1")
