"""The NRW-size month the engine benchmark solves: seeded, of the promised size, valid for the engine."""

from collections import Counter

import pytest

from matching.parsing import parse_instance
from matching.solver import solve
from matching.types import SolverConfig
from matching.validation import validate
from tests.bench.nrw_month import nrw_month


@pytest.fixture(scope="module")
def month():
    return nrw_month(1.0)


def test_a_seed_always_gives_the_same_instance(month):
    assert nrw_month(1.0) == month
    assert nrw_month(1.0, seed=4)["requests"] != month["requests"]


def test_the_whole_month_has_the_size_of_nrw(month):
    assert len(month["municipalities"]) == 396
    assert len(month["volunteers"]) == 4_000
    assert len(month["requests"]) == 6_400
    weeks = Counter(r["start"][:10] >= "2026-03-09" for r in month["requests"])
    assert weeks == {False: 1_600, True: 4_800}
    lats = [m["lat"] for m in month["municipalities"]]
    lons = [m["lon"] for m in month["municipalities"]]
    assert min(lats) >= 50.3 and max(lats) <= 52.5
    assert min(lons) >= 5.9 and max(lons) <= 9.5


def test_a_share_is_the_beginning_of_the_month(month):
    quarter = nrw_month(0.25)

    assert quarter["requests"] == month["requests"][:1_600]
    assert max(r["start"] for r in quarter["requests"]) < "2026-03-09"
    assert quarter["volunteers"] == month["volunteers"]


def test_the_engine_accepts_the_month_with_every_optional_field(month):
    instance = parse_instance(month)

    requests = instance.requests
    assert len(requests) == 6_400
    remote = sum(r.mode != "in_person" for r in requests) / len(requests)
    assert 0.13 <= remote <= 0.17
    assert any(r.requires for r in requests)
    assert any(r.preferred_volunteers for r in requests)
    assert any(v.remote for v in instance.volunteers)
    assert any(v.qualifications for v in instance.volunteers)
    assert any(v.booked for v in instance.volunteers)
    languages = Counter(r.language for r in requests)
    assert languages.most_common(1)[0][0] == "uk"
    assert {"ti", "ps", "kmr", "so"} <= set(languages)


def test_a_small_share_solves_and_keeps_every_rule():
    instance = parse_instance(nrw_month(0.02))

    result = solve(instance, SolverConfig(time_limit_s=10.0))

    assert len(instance.requests) == 128
    assert validate(instance, result) == []
    placed = {a.request for a in result.assignments} | {u.request for u in result.unassigned}
    assert placed == {r.id for r in instance.requests}
    assert result.assignments
