"""CSRF on every state-changing route, found from the URL map: a forged cross-site POST changes nothing.

A logged-in coordinator's browser carries the session cookie to any site's form. So every POST, PUT,
PATCH and DELETE route is called with that cookie but without a CSRF token, on rows that exist (the
seeded world), and must answer 400 (pages, Flask-WTF) or 403 (API, `api/common.py`) while no table
changes. A new write route joins the sweep by itself; exempting one is a decision named in EXEMPT.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session, func, select

from sprachmittlerpool import create_app
from sprachmittlerpool.models import Absence, User
from tests.conftest import COORDINATOR_EMAIL, COORDINATOR_PASSWORD, make_test_config
from tests.hardening import world as world_module


@pytest.fixture
def coordinator_role() -> str:
    """Sweep as an admin: an admin reaches every page, the settings included."""
    return "admin"


WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
# The public JSON intake: institutions' systems call it without cookies and it acts on no one's authority
# (anyone may submit a request, rate-limited per IP), so a forged cross-site call gains nothing.
EXEMPT = {"api.submit_request"}
PAGE_CSRF_MESSAGE = "Das Formular ist abgelaufen oder unvollständig"


def _write_rules(app: Flask) -> list[tuple[str, str, str, set[str]]]:
    """Return (endpoint, method, rule, arguments) for every write method of every rule."""
    calls = []
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods & WRITE_METHODS):
            calls.append((rule.endpoint, method, rule.rule, set(rule.arguments)))
    return calls


def _swept(app: Flask) -> list[tuple[str, str]]:
    return [(endpoint, method) for endpoint, method, _, _ in _write_rules(app) if endpoint not in EXEMPT]


def _app_for_listing() -> Flask:
    """Build an app on a scratch SQLite file just to read its URL map at collection time."""
    folder = Path(tempfile.mkdtemp())
    return create_app(make_test_config(f"sqlite:///{folder / 'list.sqlite'}", folder))


@pytest.fixture
def app_config(app_config: dict[str, object]) -> dict[str, object]:
    """Check CSRF as production does."""
    app_config["WTF_CSRF_ENABLED"] = True
    return app_config


@pytest.fixture
def world(app: Flask, db: Session, coordinator: User) -> world_module.World:
    """Seed one row of every kind."""
    return world_module.seed(app, db, coordinator)


@pytest.fixture
def cookie_client(app: Flask, coordinator: User) -> FlaskClient:
    """Log the coordinator in through the real form, CSRF token included, so only the cookie remains."""
    client = app.test_client()
    response = client.post(
        "/anmelden",
        data={
            "email": COORDINATOR_EMAIL,
            "password": COORDINATOR_PASSWORD,
            "csrf_token": _token(client, "/anmelden"),
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


def _token(client: FlaskClient, page: str) -> str:
    html = client.get(page).get_data(as_text=True)
    found = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html)
    assert found, f"no CSRF token on {page}"
    return found.group(1)


def _path(app: Flask, endpoint: str, method: str, world: world_module.World) -> str:
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint and method in r.methods)
    return rule.build(world.path_values(endpoint, set(rule.arguments)), append_unknown=False)[1]


def _forged_call(client: FlaskClient, method: str, path: str, world: world_module.World) -> Any:
    """Send what a foreign page could: the cookie and a plausible body, but no CSRF token."""
    if path.startswith("/api/"):
        return client.open(
            path, method=method, json={"note": "gefälscht", "volunteer": world.ids["volunteer_id"]}
        )
    form = {"volunteer_id": world.ids["volunteer_id"], "decision": "approve", "note": "gefälscht"}
    return client.open(path, method=method, data=form)


SWEPT = _swept(_app_for_listing())


@pytest.mark.parametrize(("endpoint", "method"), SWEPT)
def test_a_write_without_csrf_token_is_refused_and_changes_no_table(
    app: Flask, db: Session, world: world_module.World, cookie_client: FlaskClient, endpoint: str, method: str
) -> None:
    path = _path(app, endpoint, method, world)
    before = world_module.snapshot(db)

    response = _forged_call(cookie_client, method, path, world)

    if path.startswith("/api/"):
        assert response.status_code == 403, (endpoint, response.status_code, response.get_data(as_text=True))
        assert response.get_json()["error"] == "csrf"
    else:
        assert response.status_code == 400, (endpoint, response.status_code)
        assert PAGE_CSRF_MESSAGE in response.get_data(as_text=True)
    after = world_module.snapshot(db)
    assert world_module.without_csrf_failures(after) == world_module.without_csrf_failures(before), endpoint


def test_every_write_route_is_swept_or_named_exempt_and_the_world_fills_its_parameters(
    app: Flask, world: world_module.World
) -> None:
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    write_rules = _write_rules(app)

    assert endpoints >= EXEMPT, EXEMPT - endpoints
    assert {endpoint for endpoint, _, _, _ in write_rules} >= EXEMPT, (
        "EXEMPT names a route that writes nothing"
    )
    assert set(SWEPT) == {(e, m) for e, m, _, _ in write_rules if e not in EXEMPT}
    for endpoint, method, _, _ in write_rules:
        assert _path(app, endpoint, method, world)  # a parameter the world cannot fill raises KeyError
    assert {e.split(".")[0] for e, _ in SWEPT} >= {
        "api",
        "auth",
        "coordination",
        "intake",
        "payouts",
        "volunteer",
    }


def _absences(db: Session, volunteer_id: int) -> int:
    db.rollback()
    return db.exec(
        select(func.count()).select_from(Absence).where(Absence.volunteer_id == volunteer_id)
    ).one()


def test_a_bearer_token_writes_through_the_api_without_csrf_token(
    app: Flask, db: Session, world: world_module.World
) -> None:
    volunteer_id = world.ids["volunteer_id"]
    headers = {"Authorization": f"Bearer {world_module.BEARER_TOKEN}"}

    response = app.test_client().post(
        f"/api/v1/volunteers/{volunteer_id}/absences",
        json={"start": "2031-03-03", "end": "2031-03-04"},
        headers=headers,
    )

    assert response.status_code == 201, response.get_data(as_text=True)
    assert _absences(db, volunteer_id) == 2


def test_the_same_cookie_calls_with_the_csrf_token_go_through(
    app: Flask, db: Session, world: world_module.World, cookie_client: FlaskClient
) -> None:
    """The control of the sweep: the refusal is about the missing token, not about the call."""
    volunteer_id = world.ids["volunteer_id"]
    token = _token(cookie_client, f"/koordination/sprachmittelnde/{volunteer_id}")

    page = cookie_client.post(
        f"/koordination/sprachmittelnde/{volunteer_id}/abwesenheiten",
        data={"start": "2031-03-03", "end": "2031-03-04", "csrf_token": token},
    )
    api = cookie_client.post(
        f"/api/v1/volunteers/{volunteer_id}/absences",
        json={"start": "2031-04-07", "end": "2031-04-08"},
        headers={"X-CSRFToken": token},
    )

    assert page.status_code == 302 and api.status_code == 201, api.get_data(as_text=True)
    assert _absences(db, volunteer_id) == 3
