"""A sweep over the whole URL map: deny by default — every route not meant for the public refuses anonymous callers."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from flask import Flask

from sprachmittlerpool import create_app
from tests.conftest import make_test_config

# Routes that are public on purpose: the institution's form and status page, the volunteer's e-mail links
# and own page and the feedback page after an assignment (their tokens authorise), the login and the password links (signed, bound to one password),
# the catalog and the description of the API, the Impressum and the privacy notice.
PUBLIC = {
    "static",
    "public.home",
    "public.rules",
    "public.impressum",
    "public.privacy",
    "auth.login",
    "auth.logout",
    "auth.forgot_password",
    "auth.accept_invitation",
    "auth.reset_password",
    "intake.new_request",
    "intake.receipt",
    "intake.status",
    "intake.cancel",
    "api.languages",
    "api.municipalities",
    "api.openapi",
    "api.submit_request",
    "api.request_status",
    "volunteer.show_offer",
    "volunteer.accept",
    "volunteer.decline",
    "volunteer.withdraw",
    "volunteer.show_completion",
    "volunteer.submit_completion",
    "volunteer.ask_for_link",
    "volunteer.self_page",
    "volunteer.self_availability",
    "volunteer.self_absence_preview",
    "volunteer.self_absence_add",
    "volunteer.self_absence_delete",
    "volunteer.self_contact",
    "volunteer.self_offer_accept",
    "volunteer.self_offer_decline",
    "volunteer.self_statement",
    "volunteer.self_export",
    "volunteer.confirm_email",
    "volunteer.show_feedback",
    "volunteer.submit_feedback",
}
SAMPLE_VALUES = {
    "month": "2025-03",
    "ext": "csv",
    "token": "x",
    "name": "x.eml",
    "filename": "x",
    "change": "deaktivieren",
}


def _protected_calls(app: Flask) -> list[tuple[str, str, str]]:
    calls = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC:
            continue
        values = {arg: SAMPLE_VALUES.get(arg, "1") for arg in rule.arguments}
        path = rule.build(values, append_unknown=False)[1]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            calls.append((rule.endpoint, method, path))
    return calls


def _app_for_listing() -> Flask:
    """Build an app on a scratch SQLite file just to read its URL map at collection time."""
    folder = Path(tempfile.mkdtemp())
    return create_app(make_test_config(f"sqlite:///{folder / 'list.sqlite'}", folder))


@pytest.mark.parametrize(("endpoint", "method", "path"), _protected_calls(_app_for_listing()))
def test_every_coordinator_route_refuses_anonymous_callers(
    client, endpoint: str, method: str, path: str
) -> None:
    response = client.open(path, method=method, json={} if path.startswith("/api/") else None)

    if path.startswith("/api/"):
        assert response.status_code == 401, (endpoint, response.status_code)
        assert response.get_json()["error"] == "unauthorized"
    else:
        assert response.status_code in {302, 401}, (endpoint, response.status_code)
        if response.status_code == 302:
            assert "/anmelden" in response.headers["Location"], endpoint


def test_the_sweep_covers_every_area(app: Flask) -> None:
    areas = {endpoint.split(".")[0] for endpoint, _, _ in _protected_calls(app)}

    assert {"coordination", "payouts", "reports", "devmail", "api"} <= areas


def test_every_route_is_classified_so_new_public_routes_are_a_decision(app: Flask) -> None:
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}

    assert endpoints >= PUBLIC
