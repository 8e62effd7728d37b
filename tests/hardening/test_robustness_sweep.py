"""No request answers 500: every JSON endpoint and every form POST gets the payload classes that broke it.

The classes (issue 14): deeply nested JSON, digits that are not ASCII, huge numbers, NaN and Infinity,
far-past and far-future months and years, a local time the clocks skip in Europe/Berlin, control and
invisible characters. Routes come from the URL map, field names from the OpenAPI description and from
the forms on the pages, so a new route or field joins the sweep by itself.
"""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session

from sprachmittlerpool.models import User
from tests.hardening import world as world_module

WRITE_METHODS = {"POST", "PUT", "PATCH"}
TEXT_VALUES = [
    "١٢",  # Arabic-Indic digits
    "𝟏𝟐",  # mathematical bold digits
    "²",
    "1e400",
    "9" * 40,
    "NaN",
    "-Infinity",
    "0001-01",
    "9999-12",
    "0001-01-01",
    "9999-12-31",
    "2026-03-29T02:30",
    "2026-03-29",
    "02:30",
    "\x00\x1b",
    "\u202e\u2066\u200b",
]
JSON_VALUES = [*TEXT_VALUES, 10**30, -(10**30), 1e308, -1.5, [], {}, True]
RAW_JSON = [
    "[" * 100_000 + "]" * 100_000,
    '{"a":' * 50_000 + "1" + "}" * 50_000,
    '{"duration_minutes": NaN, "travel_km": Infinity, "start": 1e400, "volunteer": -Infinity}',
    '{"volunteer": 1' + "0" * 5000 + "}",
]
GET_PATHS = [
    "/auszahlungen/{month}",
    "/auszahlungen/{month}/abschliessen",
    "/api/v1/payouts/{month}",
    "/payouts/{month}.csv",
    "/payouts/{month}.pdf",
    "/berichte?from={year}-01-01&to={year}-12-31",
    "/berichte.csv?from={year}-01-01&to={year}-12-31",
    "/berichte.xlsx?from={year}-12-01&to={year}-12-31",
    "/berichte?from={month}-01",
    "/berichte?year={year}&part=Q4",
    "/berichte.pdf?from={year}-12-01&to={year}-12-31",
    "/einstellungen/kalender?jahr={year}",
    "/api/v1/requests?status={year}",
]
FAR_MONTHS = ["0001-01", "0000-00", "9999-12", "١٢٣٤-٠١", "2026-13", "99999-01"]
FAR_YEARS = ["0001", "9999", "0", "99999999999999999999", "١٢٣٤", "-5", "1e400"]


@pytest.fixture
def coordinator_role() -> str:
    """Sweep as an admin: an admin reaches every route, the settings included."""
    return "admin"


@pytest.fixture
def world(app: Flask, db: Session, coordinator: User) -> world_module.World:
    return world_module.seed(app, db, coordinator)


def _write_rules(app: Flask) -> list[tuple[str, str, str]]:
    return [
        (rule.endpoint, method, rule.rule)
        for rule in app.url_map.iter_rules()
        for method in sorted(rule.methods & WRITE_METHODS)
    ]


def _path(app: Flask, endpoint: str, method: str, world: world_module.World) -> str:
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint and method in r.methods)
    return rule.build(world.path_values(endpoint, set(rule.arguments)), append_unknown=False)[1]


def _api_fields(client: FlaskClient) -> dict[tuple[str, str], set[str]]:
    """Map (OpenAPI path, method) to the properties of its JSON body."""
    spec = client.get("/api/v1/openapi.json").get_json()
    fields = {}
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            schema = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
            fields[(path, method.upper())] = set(schema.get("schema", {}).get("properties", {}))
    return fields


def _form_fields(client: FlaskClient, app: Flask, world: world_module.World) -> set[str]:
    """Collect every input name on every page a coordinator can GET."""
    names: set[str] = set()
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static" or rule.rule.startswith("/api/"):
            continue
        try:
            path = rule.build(world.path_values(rule.endpoint, set(rule.arguments)), append_unknown=False)[1]
        except KeyError:
            continue
        page = client.get(path)
        if page.mimetype != "text/html":
            continue
        html = page.get_data(as_text=True)
        names |= set(re.findall(r'name="([a-z_0-9\-]+)"', html))
    return names - {"csrf_token"}


def _server_errors(responses) -> list:
    return [(label, response.status_code) for label, response in responses if response.status_code >= 500]


def test_every_json_endpoint_answers_every_payload_class_without_a_server_error(
    app: Flask, world: world_module.World
) -> None:
    client = app.test_client()
    headers = {"Authorization": f"Bearer {world_module.BEARER_TOKEN}"}
    fields = _api_fields(client)
    answers = []
    for endpoint, method, rule in _write_rules(app):
        if not rule.startswith("/api/"):
            continue
        path = _path(app, endpoint, method, world)
        spec_path = re.sub(r"<(?:[^:>]+:)?([^>(]+)(?:\([^)]*\))?>", r"{\1}", rule)
        spec_path = re.sub(r"<[^:>]+\([^)]*\):([^>]+)>", r"{\1}", spec_path)
        names = fields.get((spec_path, method), set()) or {"note"}
        for raw in RAW_JSON:
            answers.append(
                (
                    (path, raw[:20]),
                    client.open(
                        path, method=method, data=raw, headers=headers | {"Content-Type": "application/json"}
                    ),
                )
            )
        for name in sorted(names):
            for value in JSON_VALUES:
                response = client.open(path, method=method, json={name: value}, headers=headers)
                answers.append(((path, name, repr(value)[:20]), response))
    assert answers
    assert _server_errors(answers) == []
    refused = [response for _, response in answers if response.status_code in (400, 422)]
    assert refused and all(response.get_json().get("message") for response in refused)


def test_every_form_post_answers_every_payload_class_without_a_server_error(
    app: Flask, world: world_module.World, coordinator_client: FlaskClient
) -> None:
    names = _form_fields(coordinator_client, app, world)
    assert {"name", "email", "start"} <= names
    answers = []
    for endpoint, method, rule in _write_rules(app):
        if rule.startswith("/api/") or endpoint in ("auth.login", "auth.logout"):
            continue
        path = _path(app, endpoint, method, world)
        for value in TEXT_VALUES:
            form = dict.fromkeys(names, value)
            answers.append(((path, repr(value)), coordinator_client.open(path, method=method, data=form)))
    assert _server_errors(answers) == []


def test_far_months_years_and_odd_digits_in_paths_and_queries_never_answer_500(
    app: Flask, world: world_module.World, coordinator_client: FlaskClient
) -> None:
    headers = {"Authorization": f"Bearer {world_module.BEARER_TOKEN}"}
    answers = []
    for template in GET_PATHS:
        for month, year in zip(FAR_MONTHS, FAR_YEARS, strict=False):  # 0001 and 9999 first: valid, extreme
            path = template.format(month=month, year=year)
            answers.append((path, coordinator_client.get(path, headers=headers if "/api/" in path else {})))
    assert _server_errors(answers) == []
