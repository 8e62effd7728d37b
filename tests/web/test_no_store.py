"""`Cache-Control: no-store` on every answer that is not a static asset: no browser, proxy or shared
computer keeps a copy of a page with personal data or a live link (issue 14).

The sweep walks the whole URL map logged in as an admin (settings, payouts, reports, the dev mail page
included), then the public, link, error and API answers anonymously; a POST answer is checked too.
"""

from __future__ import annotations

from flask import Flask

from sprachmittlerpool.security import new_token
from tests.web import test_page_sweep
from tests.web.test_page_sweep import coordinator_get_paths, fetch

# The sweep's fixtures: an admin (who reaches every page) and a small real world to fill the paths.
coordinator_role = test_page_sweep.coordinator_role
world = test_page_sweep.world


def not_no_store(client, paths: list[str]) -> dict[str, str]:
    """Return each path whose answer lacks no-store, with the header it had."""
    found = {}
    for path in paths:
        header = fetch(client, path).headers.get("Cache-Control", "")
        if "no-store" not in header:
            found[path] = header
    return found


def test_every_page_of_a_logged_in_coordinator_is_no_store(app: Flask, coordinator_client, world) -> None:
    plain, filled = coordinator_get_paths(app, world)

    assert len(plain) >= 15 and len(filled) >= 8
    assert any(path.startswith("/einstellungen") for path in plain)
    assert any("/dev/" in path or "mail" in path for path in plain + filled), plain + filled
    assert not_no_store(coordinator_client, plain + filled) == {}


def test_public_link_error_and_api_answers_are_no_store(client, world) -> None:
    paths = [
        "/",
        "/regeln",
        "/impressum",
        "/datenschutz",
        "/anmelden",
        "/anfrage",
        "/anfrage/eingegangen",
        f"/status/{world['status_token']}",
        f"/o/{world['offer_token']}",
        f"/bestaetigung/{new_token()}",
        f"/rueckmeldung/{new_token()}",
        "/gibt-es-nicht",
        "/koordination/",  # the redirect to the login
        "/api/v1/languages",
        "/api/v1/requests",
    ]

    assert not_no_store(client, paths) == {}


def test_a_form_answer_after_a_post_is_no_store(client) -> None:
    response = client.post("/anfrage", data={"institution_name": "Kita"})

    assert response.status_code in (400, 422) and "no-store" in response.headers["Cache-Control"]


def test_static_assets_stay_cacheable(client) -> None:
    assert "no-store" not in fetch(client, "/static/style.css").headers.get("Cache-Control", "")
