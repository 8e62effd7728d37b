"""Schemathesis against the app's own OpenAPI description: no server error, no undocumented answer.

reliability.md: "schemathesis against /api/v1/openapi.json finds no server error and no undocumented
response". The app runs in-process over WSGI, a coordinator's bearer token opens the coordinator
operations, and seeded rows let path parameters hit existing ids as well as unknown ones.

The operations are driven one by one with `APIOperation.as_strategy` rather than through
`schemathesis.pytest.from_fixture`: that loader reads `Function._nodeid`, which pytest 9.2 no longer has.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlmodel import Session

from sprachmittlerpool.models import ApiToken, Assignment, InterpretingRequest, Offer, User, local_now
from sprachmittlerpool.security import new_token, token_hash
from sprachmittlerpool.services import offers
from tests import factories as factories_module
from tests.factories import FIRST_POOL
from tests.payouts import helpers

BEARER_TOKEN = "schemathesis-koordination-token"
STATUS_TOKEN = "schemathesis-status-token"
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]


@pytest.fixture
def app_config(app_config: dict[str, object]) -> dict[str, object]:
    """Keep each matching run short: the test is about the contract, not about solution quality."""
    app_config["MATCHING_TIME_LIMIT_S"] = 0.5
    return app_config


@pytest.fixture
def seeded_ids(app: Flask, coordinator: User, factories: Any, db: Session) -> dict[str, Any]:
    """Store a token, volunteers, open and review requests, offers and assignments; return their ids."""
    start = factories_module.next_weekday(2, weeks_ahead=3)
    db.add(ApiToken(user_id=coordinator.id, token_hash=token_hash(BEARER_TOKEN)))
    volunteers = [factories.VolunteerFactory() for _ in range(3)]
    requests = [factories.RequestFactory() for _ in range(3)]
    requests.append(factories.RequestFactory(status="review", status_token_hash=token_hash(STATUS_TOKEN)))
    confirmed = _assignment(db, volunteers[0].id, requests[0].institution_id, status="confirmed")
    completed = helpers.completed(
        db, volunteers[1].id, requests[0].institution_id, local_now() - timedelta(days=40), 3400
    )
    db.commit()
    with app.app_context():  # the offer's expiry reads the app's settings
        pending, _ = offers.make_offer(
            db, request_id=requests[1].id, volunteer_id=volunteers[0].id, now=local_now(), actor="test"
        )
    return {
        "request": [str(r.id) for r in requests],
        "volunteer": [str(v.id) for v in volunteers],
        "assignment": [str(confirmed.id), str(completed.id)],
        "offer": [str(pending.id), str(confirmed.offer_id), str(completed.offer_id)],
        "token": [STATUS_TOKEN],
        "month": [completed.start.strftime("%Y-%m"), local_now().strftime("%Y-%m")],
        "body": _valid_body_values(volunteers[2].id, start),
        "absence_body": {"start": start.date().isoformat(), "end": start.date().isoformat()},
    }


def _valid_body_values(volunteer_id: int | None, start: datetime) -> dict[str, Any]:
    """Return values the app accepts for body fields whose valid values the description cannot list."""
    return {
        "language": "uk",
        "languages": ["uk", "ru"],
        "municipality": "heinsberg",
        "home": "heinsberg",
        "start": start.strftime("%Y-%m-%dT%H:%M"),
        "end": (start + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "volunteer": volunteer_id,
        "iban": "DE89370400440532013000",
    }


def _assignment(db: Session, volunteer_id: int, institution_id: int, *, status: str) -> Assignment:
    """Add a past request with an accepted offer and an assignment in the given state."""
    start = (local_now() - timedelta(days=2)).replace(second=0, microsecond=0)
    request = InterpretingRequest(
        pool_id=FIRST_POOL,
        institution_id=institution_id,
        contact_name="Frau Schneider",
        contact_email="leitung@kita.example",
        language_code="uk",
        appointment_type="elterngespraech",
        start=start,
        end=start + timedelta(hours=1),
        municipality_id="heinsberg",
        address="Apfelstraße 1",
        status=status,
        status_token_hash=token_hash(new_token()),
    )
    db.add(request)
    db.flush()
    offer = Offer(
        pool_id=FIRST_POOL,
        request_id=request.id,
        volunteer_id=volunteer_id,
        status="accepted",
        token_hash=token_hash(new_token()),
        expires_at=start,
    )
    db.add(offer)
    db.flush()
    assignment = Assignment(
        pool_id=FIRST_POOL,
        request_id=request.id,
        offer_id=offer.id,
        volunteer_id=volunteer_id,
        start=start,
        end=request.end,
        status=status,
    )
    db.add(assignment)
    db.flush()
    return assignment


# Which seeded ids a path parameter may take, by the parameter's name in the description.
_PARAMETER_KINDS = {
    "id": "request",
    "request_id": "request",
    "volunteer_id": "volunteer",
    "assignment_id": "assignment",
    "offer_id": "offer",
}
# 17 operations: about 20 s on SQLite and 30 s on PostgreSQL on a 2-core machine; the budget is 90 s.
_EXAMPLES_PER_OPERATION = 60


def _steer_towards_seeded_data(data: st.DataObject, case: schemathesis.Case, seeded: dict[str, Any]) -> None:
    """Offer seeded ids and known codes beside the generated values, so operations reach their real work.

    Seeded values come first: Hypothesis prefers them, and still tries the generated value (unknown ids,
    odd strings) in some of the cases.
    """
    for name, value in case.path_parameters.items():
        candidates = seeded.get(_PARAMETER_KINDS.get(name, name), [])
        if candidates:
            case.path_parameters[name] = data.draw(st.sampled_from([*candidates, value]), label=name)
    if isinstance(case.body, dict):
        known = seeded["absence_body" if case.operation.path.endswith("/absences") else "body"]
        for name, good in known.items():
            if name in case.body:
                case.body[name] = data.draw(st.sampled_from([good, case.body[name]]), label=name)


def _check_operation(
    operation: schemathesis.APIOperation, seeded: dict[str, Any], headers: dict[str, str]
) -> None:
    """Run valid and invalid cases of one operation through the app and all contract checks."""
    cases = st.one_of(
        operation.as_strategy(GenerationMode.POSITIVE), operation.as_strategy(GenerationMode.NEGATIVE)
    )

    # Derandomized and without the example database, so CI and laptops run the same cases. No shrink
    # phase: shrinking a failure may take minutes, and schemathesis' report (status, body, curl line)
    # is readable as it is. The deadline catches an operation that hangs (the matching run is capped
    # at 0.5 s by the config above).
    @settings(
        max_examples=_EXAMPLES_PER_OPERATION,
        deadline=timedelta(seconds=5),
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    @given(case=cases, data=st.data())
    def run(case: schemathesis.Case, data: st.DataObject) -> None:
        _steer_towards_seeded_data(data, case, seeded)
        case.call_and_validate(headers=headers, checks=CHECKS)

    run()


@pytest.mark.slow
def test_every_operation_answers_as_its_description_says(app: Flask, seeded_ids: dict[str, Any]) -> None:
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    headers = {"Authorization": f"Bearer {BEARER_TOKEN}"}
    failures: dict[str, BaseException] = {}
    operations = [result.ok() for result in schema.get_all_operations()]
    described = app.test_client().get("/api/v1/openapi.json").get_json()["paths"]

    # Every described operation is exercised; schemathesis leaves out the description's own URL.
    assert {op.label for op in operations} == {
        f"{method.upper()} {path}" for path, methods in described.items() for method in methods
    } - {"GET /api/v1/openapi.json"}
    for operation in operations:
        try:
            _check_operation(operation, seeded_ids, headers)
        # Schemathesis raises its failures as a BaseExceptionGroup; collect every operation's, report all.
        except (Exception, BaseExceptionGroup) as exc:
            failures[operation.label] = exc

    assert not failures, "\n\n".join(f"{label}:\n{exc}" for label, exc in failures.items())


# What schemathesis found, kept as plain regressions: ids beyond any row's reached SQLite as numbers it
# cannot bind (OverflowError, a 500).


@pytest.mark.parametrize("volunteer", [1629186101067510961930240, 2**31, 0, -1, "99999999999999999999"])
def test_an_offer_to_a_volunteer_id_no_row_can_have_is_invalid_not_a_server_error(
    client: Any, seeded_ids: dict[str, Any], volunteer: object
) -> None:
    request_id = seeded_ids["request"][0]

    response = client.post(
        f"/api/v1/requests/{request_id}/offer",
        json={"volunteer": volunteer},
        headers={"Authorization": f"Bearer {BEARER_TOKEN}"},
    )

    assert response.status_code == 422
    assert response.get_json()["fields"] == {"volunteer": "Pflichtfeld (id)."}


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/requests/99999999999999999999999/offer",
        "/api/v1/offers/99999999999999999999999/withdraw",
        "/api/v1/assignments/99999999999999999999999/completion",
    ],
)
def test_a_path_id_no_row_can_have_answers_not_found(
    client: Any, seeded_ids: dict[str, Any], path: str
) -> None:
    response = client.post(
        path, json={"volunteer": 1, "took_place": True}, headers={"Authorization": f"Bearer {BEARER_TOKEN}"}
    )

    assert response.status_code == 404
    assert response.get_json()["error"] == "not_found"


@pytest.mark.parametrize("volunteer_id", ["¹", "٣", "99999999999999999999999"])
def test_a_volunteer_id_of_other_digits_answers_not_found(
    client: Any, seeded_ids: dict[str, Any], volunteer_id: str
) -> None:
    response = client.get(
        f"/api/v1/volunteers/{volunteer_id}", headers={"Authorization": f"Bearer {BEARER_TOKEN}"}
    )

    assert response.status_code == 404
