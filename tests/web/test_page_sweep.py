"""A sweep over every page a browser can GET: each answer carries the security headers, and no HTML page
loads anything from another origin (no CDN, no web fonts, no tracking pixel).

Coordinator pages are swept logged in, with their parameters filled from a small real world (a volunteer,
a request, an offer and its mail file); the public pages, the e-mail-link pages, the 404 page, an API error
and a static file are swept as well, because an attacker reaches those without logging in.
"""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from flask import Flask
from werkzeug.test import TestResponse

from notifications.relay import deliver_due
from sprachmittlerpool.models import local_now
from sprachmittlerpool.security import new_token, token_hash
from sprachmittlerpool.services import offers
from tests.coordination.helpers import now, open_request


# Attributes through which a page makes the browser fetch something (links and forms only navigate).
@pytest.fixture
def coordinator_role() -> str:
    """Sweep as an admin: an admin reaches every page, the settings included."""
    return "admin"


RESOURCE_ATTRIBUTES = {
    "script": "src",
    "img": "src",
    "iframe": "src",
    "frame": "src",
    "embed": "src",
    "source": "src",
    "audio": "src",
    "video": "src",
    "track": "src",
    "object": "data",
    "link": "href",
}
OWN_HOSTS = {None, "localhost"}  # None: a path on this site


class _ResourceCollector(HTMLParser):
    """Collect the address of every resource an HTML page makes the browser load."""

    def __init__(self) -> None:
        super().__init__()
        self.addresses: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        wanted = RESOURCE_ATTRIBUTES.get(tag)
        self.addresses += [value or "" for name, value in attrs if name in {wanted, "srcset", "poster"}]


def foreign_resources(html: str) -> list[str]:
    """Return the resources of a page that live on another origin (absolute or protocol-relative URLs)."""
    collector = _ResourceCollector()
    collector.feed(html)
    return [address for address in collector.addresses if urlsplit(address.strip()).hostname not in OWN_HOSTS]


def csp_directives(header: str) -> dict[str, list[str]]:
    """Split a Content-Security-Policy header into its directives."""
    parts = [part.split() for part in header.split(";") if part.strip()]
    return {words[0].lower(): words[1:] for words in parts}


def header_problems(response: TestResponse) -> list[str]:
    """Name every security header the response lacks or weakens."""
    problems = []
    csp = csp_directives(response.headers.get("Content-Security-Policy", ""))
    script_src = csp.get("script-src", csp.get("default-src"))
    if script_src is None or "'unsafe-inline'" in script_src or "'unsafe-eval'" in script_src:
        problems.append(f"script-src {script_src}")
    if csp.get("frame-ancestors") != ["'none'"] and response.headers.get("X-Frame-Options") != "DENY":
        problems.append("no frame protection")
    if response.headers.get("X-Content-Type-Options") != "nosniff":
        problems.append("X-Content-Type-Options")
    if response.headers.get("Referrer-Policy") not in {"same-origin", "no-referrer", "strict-origin"}:
        problems.append(f"Referrer-Policy {response.headers.get('Referrer-Policy')}")
    return problems


def fetch(client, path: str) -> TestResponse:
    """GET a path, read the body and close the response (a static file holds an open file until then)."""
    response = client.get(path)
    response.get_data()
    response.close()
    return response


def sweep_problems(client, paths: list[str]) -> dict[str, object]:
    """GET each path and report server errors, header gaps and foreign resources by path."""
    found: dict[str, object] = {}
    for path in paths:
        response = fetch(client, path)
        problems = header_problems(response)
        if response.status_code >= 500:
            problems.append(f"status {response.status_code}")
        if response.mimetype == "text/html":
            problems += [
                f"foreign {address}" for address in foreign_resources(response.get_data(as_text=True))
            ]
        if problems:
            found[path] = problems
    return found


@pytest.fixture
def world(app: Flask, db, factories) -> dict[str, str]:
    """A volunteer, a request with a known status token, an offer with its link and the mail file it sent."""
    status_token = new_token()
    request = open_request(factories, status_token_hash=token_hash(status_token))
    volunteer = factories.VolunteerFactory()
    with app.app_context():
        _offer, offer_token = offers.make_offer(
            db, request_id=request.id, volunteer_id=volunteer.id, now=now(), actor="t"
        )
    deliver_due(app)
    mail_file = sorted(Path(app.config["MAIL_DIR"]).glob("*.eml"))[0].name
    return {
        "volunteer_id": str(volunteer.id),
        "request_id": str(request.id),
        "institution_id": str(request.institution_id),
        "action": "sperren",  # the confirm page only; the sweep GETs
        "month": local_now().strftime("%Y-%m"),
        "ext": "csv",
        "name": mail_file,
        "status_token": status_token,
        "offer_token": offer_token,
    }


def coordinator_get_paths(app: Flask, world: dict[str, str]) -> tuple[list[str], list[str]]:
    """Return the GET paths of the URL map: those without parameters, and those filled from the world."""
    plain, filled = [], []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        if rule.arguments <= world.keys():
            path = rule.build({arg: world[arg] for arg in rule.arguments}, append_unknown=False)[1]
            (filled if rule.arguments else plain).append(path)
    return plain, filled


OPERATOR_PREFIX = "/betrieb/"  # the installation operator's pages: a pool's accounts get 403 there


def test_every_get_page_of_a_logged_in_coordinator_carries_the_headers_and_no_foreign_resource(
    app, coordinator_client, operator_client, world
) -> None:
    plain, filled = coordinator_get_paths(app, world)
    operator_paths = [path for path in plain + filled if path.startswith(OPERATOR_PREFIX)]
    plain = [path for path in plain if path not in operator_paths]
    filled = [path for path in filled if path not in operator_paths]

    statuses = {path: fetch(coordinator_client, path).status_code for path in plain}

    assert len(plain) >= 15 and len(filled) >= 8, (plain, filled)
    assert statuses.pop("/anmelden") == 302  # a logged-in coordinator is sent on to the dashboard
    assert set(statuses.values()) == {200}, statuses  # so the pages were really swept logged in
    assert sweep_problems(coordinator_client, plain + filled) == {}
    assert operator_paths and {fetch(operator_client, path).status_code for path in operator_paths} == {200}
    assert sweep_problems(operator_client, operator_paths) == {}


def test_public_link_error_and_static_answers_carry_the_headers_and_no_foreign_resource(
    client, world
) -> None:
    paths = [
        "/",
        "/regeln",
        "/anmelden",
        "/anfrage",
        "/anfrage/eingegangen",
        f"/status/{world['status_token']}",
        f"/o/{world['offer_token']}",
        f"/api/v1/requests/status/{world['status_token']}",
        f"/bestaetigung/{new_token()}",  # unknown token: the 404 page
        "/gibt-es-nicht",
        "/api/v1/requests",  # 401 as JSON
        "/api/v1/gibt-es-nicht",  # 404 as JSON
        "/static/style.css",
        "/static/progress.js",
    ]

    statuses = [fetch(client, path).status_code for path in paths]

    assert statuses == [200, 200, 200, 200, 200, 200, 200, 200, 404, 404, 401, 404, 200, 200]
    assert sweep_problems(client, paths) == {}


@pytest.mark.parametrize(
    ("html", "foreign"),
    [
        ('<script src="https://cdn.example.com/x.js"></script>', ["https://cdn.example.com/x.js"]),
        ('<link rel="stylesheet" href="//fonts.example.net/a.css">', ["//fonts.example.net/a.css"]),
        ('<img src="http://tracker.example/p.gif">', ["http://tracker.example/p.gif"]),
        ('<script src="/static/progress.js"></script><a href="https://example.org">x</a>', []),
    ],
)
def test_the_sweep_would_notice_a_resource_from_another_origin(html: str, foreign: list[str]) -> None:
    assert foreign_resources(html) == foreign


def test_the_sweep_would_notice_inline_script_allowed_or_a_missing_header(app, client) -> None:
    response = fetch(client, "/")
    response.headers["Content-Security-Policy"] = "default-src 'self'; script-src 'self' 'unsafe-inline'"
    del response.headers["X-Content-Type-Options"]
    del response.headers["X-Frame-Options"]

    assert header_problems(response) == [
        "script-src [\"'self'\", \"'unsafe-inline'\"]",
        "no frame protection",
        "X-Content-Type-Options",
    ]
