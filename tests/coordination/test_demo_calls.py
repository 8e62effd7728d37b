"""The demo pool shows the new rules at work: qualified volunteers, some who take calls, and some calls."""

from __future__ import annotations

import matching
from sprachmittlerpool.models import Pool, local_now
from sprachmittlerpool.services.matching_run import build_instance
from tests.factories import FIRST_POOL


def test_demo_pool_brokers_calls_and_places_some_of_them(app, db):
    assert app.test_cli_runner().invoke(args=["seed-demo"]).exit_code == 0
    db.rollback()

    instance = build_instance(db, pool_id=FIRST_POOL, now=local_now())
    result = matching.solve(instance, matching.SolverConfig(time_limit_s=5.0))

    assert db.get(Pool, FIRST_POOL).remote_modes == ["phone", "video"]
    assert all(
        {"trained", "confidentiality"} <= {q.name for q in v.qualifications} for v in instance.volunteers
    )
    assert any(v.remote for v in instance.volunteers) and not all(v.remote for v in instance.volunteers)
    calls = {r.id for r in instance.requests if r.remote}
    placed = {a.request for a in result.assignments}
    assert calls and calls & placed, [u for u in result.unassigned if u.request in calls]
    assert matching.validate(instance, result) == []
