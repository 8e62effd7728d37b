"""`next=` after login follows only paths on this site, whatever the spelling; nothing there is a 500.

Browsers strip tabs and newlines from URLs and read a backslash as a slash, so `/\\t/host` or `/\\host`
lead away just like `//host`; every such spelling must land on the dashboard instead.
"""

from __future__ import annotations

from urllib.parse import quote, urlsplit

import pytest

from sprachmittlerpool.auth.views import _safe_next
from tests.conftest import COORDINATOR_EMAIL, COORDINATOR_PASSWORD

AWAY = [
    "//evil.example/phish",
    "///evil.example",
    "////evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "\\/evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r\n/evil.example",
    "\t//evil.example",
    " //evil.example",
    "/ /evil.example",
    "https://evil.example",
    "HTTPS://evil.example",
    "https:/evil.example",
    "https:evil.example",
    "http:\\\\evil.example",
    "//evil.example@localhost",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "data:text/html,hi",
    "/\x00/evil.example",
    "/\x0b/evil.example",
    "/\u3000/evil.example",
    "/\uff0f/evil.example",
    "\uff0f\uff0fevil.example",
    "evil.example",
    "",
]
LOCAL = ["/koordination/", "/koordination/anfragen?status=open", "/einstellungen/"]


def login(client, target: str):
    url = "/anmelden?next=" + quote(target, safe="")
    return client.post(url, data={"email": COORDINATOR_EMAIL, "password": COORDINATOR_PASSWORD})


def test_next_never_leads_away_and_never_fails(client, coordinator) -> None:
    """Each spelling through a real login (one client, logged out in between)."""
    for target in AWAY:
        response = login(client, target)
        client.post("/abmelden")

        assert response.status_code == 302, repr(target)
        location = response.headers["Location"]
        assert urlsplit(location).path == "/koordination/", repr(target)
        assert urlsplit(location).netloc in ("", "localhost"), repr(target)


@pytest.mark.parametrize("target", AWAY, ids=repr)
def test_next_encoded_once_more_is_kept_local_or_replaced(app, target) -> None:
    """A doubly encoded target reaches the check still encoded: what passes is only ever a local path."""
    with app.test_request_context():
        location = _safe_next(quote(target, safe=""))

    assert location.startswith("/") and not location.startswith(("//", "/\\"))
    assert urlsplit(location).netloc == "" and urlsplit(location).scheme == ""


@pytest.mark.parametrize("target", LOCAL)
def test_a_local_next_is_followed(client, coordinator, target) -> None:
    assert login(client, target).headers["Location"] == target
