"""Replay kept instances (tests/matching/cases/*.json): each states why it matters and what must come out."""

import json
from pathlib import Path

import pytest

from matching.parsing import parse_instance
from tests.matching.builders import reasons, solved

CASES = sorted((Path(__file__).parent / "cases").glob("*.json"))


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_kept_case_still_solves_as_expected(path):
    case = json.loads(path.read_text(encoding="utf-8"))
    instance = parse_instance(case["instance"])

    result = solved(instance)

    assert json.loads(json.dumps(result.objective.__dict__)) == case["expected"]["objective"]
    assert reasons(result) == case["expected"]["unassigned"]
