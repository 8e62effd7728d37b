"""Malformed instances: one clear line naming the place in the file, never a traceback."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from matching.parsing import parse_instance
from matching.types import InstanceError
from tests.matching.builders import instance_data, request, volunteer

ROOT = Path(__file__).resolve().parents[2]


def _broken(path: list[str | int], value: object) -> dict:
    data = instance_data([volunteer(), volunteer("v2")], [request(f"r{i}") for i in range(4)])
    target = data
    for key in path[:-1]:
        target = target[key]
    if value is KeyError:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return data


CASES = [
    (["requests", 3, "start"], "2025-3-1", 'requests[3].start: expected YYYY-MM-DDTHH:MM, got "2025-3-1"'),
    (
        ["requests", 1, "start"],
        "2025-02-30T10:00",
        'requests[1].start: expected YYYY-MM-DDTHH:MM, got "2025-02-30T10:00"',
    ),
    (["requests", 0, "end"], "2025-03-03T10:00", "requests[0].end: must be after start 2025-03-03T10:00"),
    (["requests", 2, "priority"], 0, "requests[2].priority: expected an integer >= 1, got 0"),
    (["requests", 2, "priority"], 1.5, "requests[2].priority: expected an integer, got 1.5"),
    (
        ["requests", 1, "municipality"],
        "atlantis",
        'requests[1].municipality: unknown municipality "atlantis"',
    ),
    (["volunteers", 1, "home"], "atlantis", 'volunteers[1].home: unknown municipality "atlantis"'),
    (["volunteers", 0, "max_per_week"], KeyError, "volunteers[0].max_per_week: required field is missing"),
    (["volunteers", 0, "languages"], "uk", 'volunteers[0].languages: expected a list, got "uk"'),
    (
        ["volunteers", 1, "availability", 2, "start"],
        "8:00",
        'volunteers[1].availability[2].start: expected HH:MM, got "8:00"',
    ),
    (["format"], "sprachmittlerpool-matching/2", 'format: expected "sprachmittlerpool-matching/1", got'),
    (["requests"], KeyError, "requests: required field is missing"),
    (
        ["requests", 1, "mode"],
        "fax",
        'requests[1].mode: expected "in_person", "phone", "video" or "written", got "fax"',
    ),
    (["requests", 2, "requires"], "clearance", 'requests[2].requires: expected a list, got "clearance"'),
    (
        ["requests", 2, "requires"],
        ["trained", ""],
        "requests[2].requires[1]: expected a qualification name, got an empty string",
    ),
    (["volunteers", 1, "remote"], "yes", 'volunteers[1].remote: expected true or false, got "yes"'),
    (
        ["volunteers", 0, "qualifications"],
        ["clearance"],
        "volunteers[0].qualifications: expected an object, got a list",
    ),
    (
        ["volunteers", 0, "qualifications"],
        {"trained": None, "clearance": "31.03.2028"},
        'volunteers[0].qualifications.clearance: expected YYYY-MM-DD, got "31.03.2028"',
    ),
]


@pytest.mark.parametrize(("path", "value", "message"), CASES)
def test_malformed_instance_names_path_and_problem(path, value, message):
    data = _broken(path, value)

    with pytest.raises(InstanceError) as raised:
        parse_instance(data)

    assert str(raised.value).startswith(message)


def test_booking_in_unknown_municipality_is_rejected():
    booked = [{"start": "2025-03-03T09:00", "end": "2025-03-03T10:00", "municipality": "nowhere"}]
    data = instance_data([volunteer(booked=booked)], [request()])

    with pytest.raises(
        InstanceError, match=r"^volunteers\[0\]\.booked\[0\]\.municipality: unknown municipality"
    ):
        parse_instance(data)


def test_duplicate_request_id_is_rejected():
    data = instance_data([volunteer()], [request("r1"), request("r1")])

    with pytest.raises(InstanceError, match=r"^requests\[1\]\.id: duplicate id"):
        parse_instance(data)


def _cli(path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "matching", "solve", str(path), *args]
    return subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=60, check=False)


@pytest.mark.parametrize(("path", "value", "message"), CASES[:6])
def test_cli_exits_2_with_one_line_for_a_malformed_file(tmp_path, path, value, message):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(_broken(path, value)))

    completed = _cli(bad)

    assert completed.returncode == 2
    assert completed.stderr.count("\n") == 1
    assert completed.stderr.startswith(message)
    assert completed.stdout == ""


def test_cli_exits_2_for_text_that_is_not_json(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "sprachmittlerpool-matching/1",\n  "volunteers": [}')

    completed = _cli(bad)

    assert completed.returncode == 2
    assert completed.stderr.startswith("line 2, column 18: not valid JSON")
    assert completed.stderr.count("\n") == 1


def test_cli_exits_2_for_a_missing_file(tmp_path):
    completed = _cli(tmp_path / "absent.json")

    assert completed.returncode == 2
    assert "Traceback" not in completed.stderr
    assert completed.stderr.count("\n") == 1


@pytest.mark.parametrize("method", ["cpsat", "greedy"])
def test_cli_solves_a_good_file(tmp_path, method):
    good = tmp_path / "good.json"
    good.write_text(json.dumps(instance_data([volunteer()], [request()])))

    completed = _cli(good, "--method", method, "--time-limit", "5")

    assert completed.returncode == 0
    assert json.loads(completed.stdout)["assignments"] == [
        {"request": "r1", "volunteer": "v1", "distance_km": 0.0}
    ]


def test_instance_without_the_optional_additions_keeps_the_old_defaults():
    instance = parse_instance(instance_data([volunteer()], [request()]))

    assert (instance.requests[0].mode, instance.requests[0].requires) == ("in_person", ())
    assert (instance.volunteers[0].remote, instance.volunteers[0].qualifications) == (False, ())
