"""A sweep over every public page of the URL map: each carries the pool's contact and links to Impressum and
Datenschutz in its footer, read from the pool row (a district's data protection officer signs nothing less).

The token pages are filled from a small real world (a request's status link, a pending offer, a confirmed
assignment's confirmation link, a volunteer's own page and address confirmation); a new public page with a parameter fails here until it gets a sample.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask import Flask

from sprachmittlerpool import links
from sprachmittlerpool.db import new_session
from sprachmittlerpool.models import Feedback, Pool, User, VolunteerLink
from sprachmittlerpool.security import new_token, token_hash, unusable_password_hash
from sprachmittlerpool.services import offers
from sprachmittlerpool.services.accounts import fingerprint
from tests.coordination.helpers import confirmed, now, open_request
from tests.factories import FIRST_POOL
from tests.web.test_route_sweep import PUBLIC

KLEVE = {
    "name": "Sprachmittlerpool Kreis Kleve",
    "organisation": "Kommunales Integrationszentrum Kreis Kleve",
    "postal_address": "Nassauerallee 15–23\n47533 Kleve",
    "phone": "02821 85-0",
    "email": "sprachmittlerpool@kreis-kleve.example",
    "opening_hours": "Mo–Do 8–12 Uhr",
}
IN_THE_FOOTER = [
    "Sprachmittlerpool Kreis Kleve",
    "Kommunales Integrationszentrum Kreis Kleve",
    "Nassauerallee 15–23",
    "47533 Kleve",
    'href="tel:02821850"',
    'href="mailto:sprachmittlerpool@kreis-kleve.example"',
    "Mo–Do 8–12 Uhr",
    'href="/impressum"',
    'href="/datenschutz"',
]


@pytest.fixture
def kleve(app: Flask) -> None:
    """Give the pool Kreis Kleve's identity, as its admins would."""
    with app.app_context(), new_session(write=True) as session:
        pool = session.get(Pool, FIRST_POOL)
        for field, value in KLEVE.items():
            setattr(pool, field, value)
        session.add(pool)
        session.commit()


@pytest.fixture
def samples(app: Flask, db, factories, kleve) -> dict[str, dict[str, str]]:
    """Return the URL values of every public page with parameters, by endpoint."""
    status_token = new_token()
    request = open_request(factories, status_token_hash=token_hash(status_token))
    with app.app_context():
        _offer, offer_token = offers.make_offer(
            db, request_id=request.id, volunteer_id=factories.VolunteerFactory().id, now=now(), actor="t"
        )
    _request, _offer, _token, assignment = confirmed(app, factories)
    with app.app_context():
        completion_token = links.completion_token(assignment.id)
    account = User(
        pool_id=FIRST_POOL, email="neu@kreis-kleve.example", password_hash=unusable_password_hash()
    )
    db.add(account)
    volunteer_links = _volunteer_links(db, factories.VolunteerFactory().id)
    feedback_token = new_token()
    db.add(
        Feedback(
            pool_id=FIRST_POOL, assignment_id=assignment.id, side="institution", token_hash=token_hash(feedback_token),
            expires_at=now() + timedelta(days=30),
        )
    )  # fmt: skip
    db.commit()
    with app.app_context():
        account_links = {
            purpose: links.account_token(purpose, account.id, fingerprint(account))
            for purpose in ("invite", "reset")
        }
    return {
        "auth.accept_invitation": {"token": account_links["invite"]},
        "auth.reset_password": {"token": account_links["reset"]},
        "intake.status": {"token": status_token},
        "volunteer.show_offer": {"token": offer_token},
        "volunteer.show_completion": {"token": completion_token},
        "volunteer.self_page": {"token": volunteer_links["page"]},
        "volunteer.confirm_email": {"token": volunteer_links["email"]},
        "volunteer.show_feedback": {"token": feedback_token},
    }


def _volunteer_links(db, volunteer_id: int) -> dict[str, str]:
    """Store a volunteer's page link and address confirmation link; return their tokens by purpose."""
    tokens = {}
    for purpose in ("page", "email"):
        tokens[purpose] = new_token()
        db.add(
            VolunteerLink(
                pool_id=FIRST_POOL,
                volunteer_id=volunteer_id,
                purpose=purpose,
                token_hash=token_hash(tokens[purpose]),
                new_email="neu@example.org" if purpose == "email" else "",
                expires_at=now() + timedelta(days=1),
            )
        )
    return tokens


def public_pages(app: Flask, samples: dict[str, dict[str, str]]) -> list[str]:
    """Return the path of every public HTML page a browser can GET (the JSON API and static files aside)."""
    paths = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint not in PUBLIC or "GET" not in rule.methods or rule.endpoint == "static":
            continue
        if rule.rule.startswith("/api/"):
            continue
        values = samples[rule.endpoint] if rule.arguments else {}  # KeyError: give the new page a sample
        paths.append(rule.build(values, append_unknown=False)[1])
    return paths


def footer(html: str) -> str:
    """Return the page's footer element."""
    match = re.search(r'<footer class="site-footer">(.*?)</footer>', html, re.S)
    assert match is not None, "no footer"
    return match.group(1)


def test_every_public_page_carries_the_pools_contact_impressum_and_datenschutz(app, client, samples) -> None:
    paths = public_pages(app, samples) + ["/gibt-es-nicht"]  # the error page is public too

    missing = {}
    for path in paths:
        response = client.get(path)
        assert response.status_code == (404 if path == "/gibt-es-nicht" else 200), (
            path,
            response.status_code,
        )
        absent = [text for text in IN_THE_FOOTER if text not in footer(response.get_data(as_text=True))]
        if absent:
            missing[path] = absent

    assert len(paths) >= 9, paths
    assert missing == {}


def test_the_footer_links_lead_to_pages_that_answer(client, kleve) -> None:
    assert client.get("/impressum").status_code == client.get("/datenschutz").status_code == 200


def test_the_sweep_would_notice_a_page_without_footer_links() -> None:
    html = '<footer class="site-footer"><strong>Sprachmittlerpool Kreis Kleve</strong></footer>'

    assert [text for text in IN_THE_FOOTER if text not in footer(html)] == IN_THE_FOOTER[1:]
