"""The shared sample instances reach their proven reference optimum on all four levels."""

import json
import os
from pathlib import Path

import pytest

from matching.parsing import load_instance
from matching.solver import solve
from matching.types import SolverConfig
from matching.validation import validate

SAMPLES = Path(
    os.environ.get(
        "SPRACHMITTLERPOOL_SAMPLES", Path(__file__).resolve().parents[3] / "shared/samples/matching"
    )
)
NAMES = ["week-1", "week-2", "surge-1", "surge-2", "month-1", "month-2"]

pytestmark = pytest.mark.skipif(not (SAMPLES / "reference.json").exists(), reason="shared samples are absent")


@pytest.mark.parametrize("name", NAMES)
def test_sample_reaches_the_reference_optimum(name):
    reference = json.loads((SAMPLES / "reference.json").read_text())[f"{name}.json"]
    instance = load_instance(SAMPLES / f"{name}.json")

    result = solve(instance, SolverConfig(time_limit_s=10.0))

    assert validate(instance, result) == []
    objective = result.objective
    assert (objective.priority, objective.preferred, objective.max_load) == (
        reference["priority"],
        reference["preferred"],
        reference["max_load"],
    )
    assert abs(objective.distance_km - reference["distance_km"]) <= 0.1 + 1e-9
    assert result.proven_optimal
