"""Link tokens are bound to their purpose: an offer token opens no confirmation page and the other way round.

The completion link is signed with the app's secret under its own salt and SHA-256; anything signed
another way (another salt, Flask's SHA-1 default, a changed signature) must be refused as if it did
not exist, and a genuine but old link must say in German that it has expired. Every refused request
is checked to have changed nothing: no state, no mail, no audit row.
"""

from __future__ import annotations

import hashlib
import time

import pytest
from flask import Flask
from flask.testing import FlaskClient
from itsdangerous import TimestampSigner, URLSafeTimedSerializer

from sprachmittlerpool import links
from sprachmittlerpool.models import OfferStatus, RequestStatus
from tests.coordination.helpers import confirmed, reload
from tests.coordination.helpers import trail_counts as counts

# An answer the genuine link accepts before the appointment, so a wrongly accepted token would change state.
VALID_COMPLETION = {"outcome": "early"}
OFFER_POSTS = ("accept", "decline", "withdraw")


@pytest.fixture
def booked(app: Flask, factories):
    """A confirmed assignment with its offer token and its genuine completion token."""
    request, offer, offer_token, assignment = confirmed(app, factories)
    return request, offer, offer_token, assignment, booked_token(app, assignment.id)


def assert_unchanged(db, booked, before: tuple[int, int]) -> None:
    """Nothing a refused link could touch has moved."""
    request, offer, _offer_token, assignment, _completion = booked
    assert reload(db, request).status == RequestStatus.CONFIRMED
    assert reload(db, offer).status == OfferStatus.ACCEPTED
    current = reload(db, assignment)
    assert current.status == "confirmed" and current.outcome is None
    assert counts(db) == before


def serializer(secret: str, *, salt: str, digest, signer=TimestampSigner) -> URLSafeTimedSerializer:
    """Build an itsdangerous serializer as an attacker or another part of the app would."""
    return URLSafeTimedSerializer(secret, salt=salt, signer=signer, signer_kwargs={"digest_method": digest})


def refused(client: FlaskClient, token: str) -> None:
    """GET and POST of the confirmation page answer 404 with the German page."""
    shown = client.get(f"/bestaetigung/{token}")
    posted = client.post(f"/bestaetigung/{token}", data=VALID_COMPLETION)
    for response in (shown, posted):
        assert response.status_code == 404
        assert "Diese Seite gibt es nicht (mehr)." in response.get_data(as_text=True)


def test_an_offer_token_on_the_completion_route_is_404_and_changes_nothing(db, client, booked):
    before = counts(db)
    refused(client, booked[2])
    assert_unchanged(db, booked, before)


@pytest.mark.parametrize("path", ["", *(f"/{verb}" for verb in OFFER_POSTS)])
def test_a_completion_token_on_the_offer_route_is_404_and_changes_nothing(db, client, booked, path):
    completion = booked[4]
    before = counts(db)
    response = client.post(f"/o/{completion}{path}") if path else client.get(f"/o/{completion}")
    assert response.status_code == 404
    assert "Diese Seite gibt es nicht (mehr)." in response.get_data(as_text=True)
    assert_unchanged(db, booked, before)


def forgeries(app: Flask, assignment_id: int) -> dict[str, str]:
    """Tokens for the right assignment that the app never signed for this purpose."""
    secret = app.config["SECRET_KEY"]
    genuine = booked_token(app, assignment_id)
    payload, _, signature = genuine.rpartition(".")
    # The first character: all six of its bits count. The last one of a base64 signature carries padding
    # bits, so swapping it for a neighbour (B for A) can decode to the very same signature.
    flipped = ("A" if signature[0] != "A" else "B") + signature[1:]
    with app.test_request_context():
        from flask_wtf.csrf import generate_csrf

        csrf_token = generate_csrf()
    return {
        "another salt": serializer(secret, salt="sprachmittlerpool.other", digest=hashlib.sha256).dumps(
            assignment_id
        ),
        "SHA-1 digest": serializer(secret, salt=links.COMPLETION_SALT, digest=hashlib.sha1).dumps(
            assignment_id
        ),
        "another secret": serializer(
            "guessed-secret", salt=links.COMPLETION_SALT, digest=hashlib.sha256
        ).dumps(assignment_id),
        "changed signature": f"{payload}.{flipped}",
        "signature cut off": payload,
        "a CSRF token of the app": csrf_token,
        "a string id": serializer(secret, salt=links.COMPLETION_SALT, digest=hashlib.sha256).dumps(
            str(assignment_id)
        ),
        "true as id": serializer(secret, salt=links.COMPLETION_SALT, digest=hashlib.sha256).dumps(True),
    }


def booked_token(app: Flask, assignment_id: int) -> str:
    """Return the genuine completion token of an assignment."""
    with app.app_context():
        return links.completion_token(assignment_id)


def test_forged_completion_tokens_are_refused_and_change_nothing(app, db, client, booked):
    assignment = booked[3]
    before = counts(db)
    for name, token in forgeries(app, assignment.id).items():
        assert client.get(f"/bestaetigung/{token}").status_code == 404, name
        assert client.post(f"/bestaetigung/{token}", data=VALID_COMPLETION).status_code == 404, name
    assert_unchanged(db, booked, before)


def test_the_genuine_completion_token_opens_the_page_and_records(db, client, booked):
    """The control for the refusals above: the same requests with the real token do work."""
    assert client.get(f"/bestaetigung/{booked[4]}").status_code == 200
    assert client.post(f"/bestaetigung/{booked[4]}", data=VALID_COMPLETION).status_code == 200
    assert reload(db, booked[3]).outcome == "early"


class _SignedLongAgo(TimestampSigner):
    """A signer whose clock stands one day past the link's lifetime in the past."""

    def get_timestamp(self) -> int:
        return int(time.time()) - links.COMPLETION_MAX_AGE_SECONDS - 24 * 3600


def test_an_expired_completion_token_gets_410_with_a_german_page_and_changes_nothing(app, db, client, booked):
    assignment = booked[3]
    token = serializer(
        app.config["SECRET_KEY"], salt=links.COMPLETION_SALT, digest=hashlib.sha256, signer=_SignedLongAgo
    ).dumps(assignment.id)
    before = counts(db)
    for response in (
        client.get(f"/bestaetigung/{token}"),
        client.post(f"/bestaetigung/{token}", data=VALID_COMPLETION),
    ):
        assert response.status_code == 410
        html = response.get_data(as_text=True)
        assert "Dieser Link ist abgelaufen. Bitte wenden Sie sich an die Koordination." in html
        assert response.headers["Cache-Control"] == "no-store"
    assert_unchanged(db, booked, before)
