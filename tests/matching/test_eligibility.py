"""Intake decisions on the form's fields, the pool's limits, the shipped samples and district rule files."""

import json
import re
import subprocess
import sys
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from matching.eligibility import (
    APPOINTMENT_TYPES,
    INSTITUTION_TYPES,
    STATE_RULES,
    Decision,
    IntakeFacts,
    RuleSetError,
    decide,
    load_rules,
    working_days_between,
)

SAMPLES = Path("/work/shared/samples/eligibility.json")
SHIPPED = Path(__file__).resolve().parents[2] / "matching" / "rules" / "nrw.json"
MONDAY = date(2025, 3, 3)
RULES = load_rules()


def intake(topic: str = "", **overrides: Any) -> IntakeFacts:
    """Return a plain parent talk of a verified Kita four weeks ahead, one hour long."""
    facts = IntakeFacts(
        institution_type="kita",
        appointment_type="elterngespraech",
        topic=topic,
        start=datetime(2025, 3, 31, 10, 0),
        end=datetime(2025, 3, 31, 11, 0),
        institution_verified=True,
    )
    return replace(facts, **overrides)


def decided(request: IntakeFacts, today: date = MONDAY, **kwargs: Any) -> Decision:
    return decide(request, RULES, today=today, **kwargs)


def rule_ids(decision: Decision) -> list[str]:
    return [reason.rule for reason in decision.reasons]


def at(day: date, hour: int = 10) -> dict[str, datetime]:
    return {
        "start": datetime(day.year, day.month, day.day, hour),
        "end": datetime(day.year, day.month, day.day, hour + 1),
    }


def test_a_plain_parent_talk_is_open_without_reasons():
    decision = decided(intake("Entwicklungsgespräch zum Übergang in die Schule"))

    assert decision == Decision("open", (), urgent=False)


@pytest.mark.parametrize(
    ("institution_type", "rule"),
    [
        ("privatperson", "private.person"),
        ("arztpraxis", "private.institution"),
        ("unternehmen", "private.institution"),
        ("private_einrichtung", "private.institution"),
    ],
)
def test_excluded_institution_types_are_rejected_with_their_rule(institution_type, rule):
    decision = decided(intake(institution_type=institution_type))

    assert decision.status == "rejected"
    assert rule_ids(decision) == [rule]
    assert decision.reasons[0].effect == "reject"
    assert "Dolmetscherdienst" in decision.reasons[0].message


@pytest.mark.parametrize(
    ("appointment_type", "rule"),
    [
        ("gericht", "legal.court"),
        ("polizei", "legal.police"),
        ("vaterschaft", "legal.paternity"),
        ("sozialleistungsantrag", "legal.benefits_application"),
        ("ao_sf", "legal.ao_sf"),
        ("rechtsberatung", "legal.other"),
        ("asylverfahren", "legal.other"),
        ("arzt", "medical"),
    ],
)
def test_excluded_appointment_types_are_rejected_with_their_rule(appointment_type, rule):
    decision = decided(intake(institution_type="behoerde", appointment_type=appointment_type))

    assert decision.status == "rejected"
    assert rule_ids(decision) == [rule]


@pytest.mark.parametrize("institution_type", ["behoerde", "kita", "schule", "beratungsstelle"])
@pytest.mark.parametrize(
    "appointment_type",
    [
        "elterngespraech",
        "anmeldung",
        "beratung",
        "informationsveranstaltung",
        "hausbesuch",
        "amtstermin_ohne_rechtsfolge",
        "gesundheitsamt",
        "sonstiges",
    ],
)
def test_accepted_types_with_a_harmless_topic_are_open(institution_type, appointment_type):
    request = intake("Kennenlernen", institution_type=institution_type, appointment_type=appointment_type)

    assert decided(request).status == "open"


def test_another_public_body_goes_to_review_because_its_status_is_unclear():
    decision = decided(intake(institution_type="sonstige_oeffentliche_stelle"))

    assert decision.status == "review"
    assert rule_ids(decision) == ["pool.institution_unclear"]


# What the pool knows of the institution: blocked or not yet verified


@pytest.mark.parametrize("institution_type", ["behoerde", "kita", "schule"])
def test_a_new_institution_of_a_public_type_is_open(institution_type):
    request = intake(institution_type=institution_type, institution_verified=False)

    assert decided(request).status == "open"


def test_a_new_counselling_centre_goes_to_review_with_the_unverified_rule():
    decision = decided(intake(institution_type="beratungsstelle", institution_verified=False))

    assert decision.status == "review"
    assert rule_ids(decision) == ["pool.institution_unverified"]
    assert "noch nicht bestätigt" in decision.reasons[0].message


def test_an_unclear_public_body_is_reviewed_for_its_type_alone():
    decision = decided(intake(institution_type="sonstige_oeffentliche_stelle", institution_verified=False))

    assert rule_ids(decision) == ["pool.institution_unclear"]


def test_a_blocked_institution_is_rejected_with_the_blocked_rule_even_when_verified():
    decision = decided(intake(institution_blocked=True))

    assert decision.status == "rejected"
    assert rule_ids(decision) == ["pool.institution_blocked"]
    assert "gesperrt" in decision.reasons[0].message


def test_the_public_types_are_data_a_district_file_may_change(tmp_path):
    data = _shipped()
    data["public_institution_types"] = ["behoerde"]
    rules = load_rules(_write(tmp_path, data))

    decision = decide(intake(institution_verified=False), rules, today=MONDAY)

    assert rule_ids(decision) == ["pool.institution_unverified"]


def test_an_unknown_public_type_in_a_district_file_is_named(tmp_path):
    data = _shipped()
    data["public_institution_types"] = ["kita", "verein"]

    with pytest.raises(RuleSetError, match=re.escape("$.public_institution_types[1]")):
        load_rules(_write(tmp_path, data))


def test_every_state_rule_has_a_german_message_that_rejects():
    for rule_id in STATE_RULES:
        rule = RULES.rules[rule_id]

        assert rule.effect == "reject"
        assert re.search(r"[äöüß]", rule.message), rule_id


def test_a_rejection_lists_every_reason_including_reviews():
    request = intake("Termin beim Amtsgericht", institution_type="privatperson", appointment_type="arzt")

    decision = decided(request, today=date(2025, 3, 28))

    assert decision.status == "rejected"
    assert rule_ids(decision) == ["private.person", "medical", "legal.court", "pool.short_notice"]
    assert decision.urgent


def test_a_topic_repeating_the_rejected_field_adds_no_second_reason():
    decision = decided(
        intake("Termin beim Familiengericht", institution_type="behoerde", appointment_type="gericht")
    )

    assert rule_ids(decision) == ["legal.court"]
    assert decision.reasons[0].effect == "reject"


def test_a_screen_hit_asks_for_review_and_names_the_words():
    decision = decided(intake("Begleitung zum Familiengericht am Dienstag"))

    assert decision.status == "review"
    (reason,) = decision.reasons
    assert (reason.rule, reason.effect, reason.triggers) == ("legal.court", "review", ("Familiengericht",))
    assert "Koordinator" in reason.message


@pytest.mark.parametrize(
    "bad",
    [
        {"institution_type": "verein"},
        {"appointment_type": "hochzeit"},
        {"end": datetime(2025, 3, 31, 9, 0)},
        {"end": datetime(2025, 3, 31, 10, 0)},
    ],
)
def test_invalid_input_is_an_error_for_the_caller_not_a_decision(bad):
    with pytest.raises(ValueError):
        decided(intake(**bad))


def test_the_form_gets_a_german_label_for_every_allowed_value():
    assert INSTITUTION_TYPES["kita"] == "Kindertageseinrichtung (Kita)"
    assert APPOINTMENT_TYPES["elterngespraech"] == "Elterngespräch"
    assert APPOINTMENT_TYPES["amtstermin_ohne_rechtsfolge"] == "Amtstermin ohne Rechtsfolgen"
    assert APPOINTMENT_TYPES["gesundheitsamt"] == "Gesundheitsamt (z. B. Schuleingangsuntersuchung)"
    assert len(INSTITUTION_TYPES) == 9
    assert len(APPOINTMENT_TYPES) == 16


# Lead time: working days are counted from today up to the day before the appointment.


@pytest.mark.parametrize(
    ("today", "appointment", "urgent"),
    [
        (MONDAY, date(2025, 3, 10), False),  # Mon..Fri: five working days
        (MONDAY, date(2025, 3, 7), True),  # Friday of the same week
        (date(2025, 3, 7), date(2025, 3, 13), True),  # Fri, Mon, Tue, Wed
        (date(2025, 3, 7), date(2025, 3, 14), False),
        (date(2025, 3, 8), date(2025, 3, 14), True),  # asked on Saturday: Mon..Thu
        (date(2025, 3, 8), date(2025, 3, 17), False),
        (MONDAY, MONDAY, True),
        (MONDAY, date(2025, 2, 28), True),
    ],
)
def test_short_notice_across_weekends_goes_to_urgent_review(today, appointment, urgent):
    decision = decided(intake(**at(appointment)), today=today)

    assert decision.urgent is urgent
    assert decision.status == ("review" if urgent else "open")
    assert ("pool.short_notice" in rule_ids(decision)) is urgent


def test_a_holiday_in_the_lead_time_makes_a_request_urgent():
    corpus_christi = date(2025, 6, 19)
    request = intake(**at(date(2025, 6, 23)))

    without = decided(request, today=date(2025, 6, 16))
    with_holiday = decided(request, today=date(2025, 6, 16), holidays=frozenset({corpus_christi}))

    assert without.status == "open"
    assert with_holiday.status == "review"
    assert with_holiday.urgent
    assert "5 Arbeitstage" in with_holiday.reasons[0].message


def test_working_days_ignore_holidays_on_weekends_and_outside_the_span():
    saturday, far_away = date(2025, 11, 1), date(2026, 1, 1)

    count = working_days_between(date(2025, 10, 27), date(2025, 11, 3), {saturday, far_away})

    assert count == 5


def test_working_days_over_a_long_span_stay_exact():
    assert working_days_between(date(2025, 1, 1), date(2026, 1, 1)) == 261
    assert working_days_between(date(2026, 1, 1), date(2025, 1, 1)) == 0


@pytest.mark.parametrize(("minutes", "too_long"), [(180, False), (181, True), (240, True)])
def test_assignments_longer_than_three_hours_go_to_review(minutes, too_long):
    start = datetime(2025, 3, 31, 8, 0)
    request = intake(start=start, end=start.replace(hour=8 + minutes // 60, minute=minutes % 60))

    decision = decided(request)

    assert ("pool.too_long" in rule_ids(decision)) is too_long
    assert decision.status == ("review" if too_long else "open")
    assert not decision.urgent


def test_an_appointment_on_a_closed_day_goes_to_review():
    closed = frozenset({date(2025, 3, 31)})

    on_closed_day = decided(intake(), closed_days=closed)
    next_day = decided(intake(**at(date(2025, 4, 1))), closed_days=closed)

    assert rule_ids(on_closed_day) == ["pool.closed_day"]
    assert on_closed_day.status == "review"
    assert next_day.status == "open"


# The shared samples: expectations such as "open", "open or review", "rejected (legal.police)".


def _samples() -> list[dict[str, str]]:
    return json.loads(SAMPLES.read_text(encoding="utf-8")) if SAMPLES.exists() else []


@pytest.mark.skipif(not SAMPLES.parent.parent.exists(), reason="/work/shared is not present")
@pytest.mark.parametrize(
    "sample", _samples(), ids=lambda sample: sample["topic"] or sample["appointment_type"]
)
def test_shared_sample_gets_its_stated_outcome(sample):
    expected = re.fullmatch(r"(?P<statuses>[a-z ]+?)(?: \((?P<rule>[\w.]+)\))?", sample["expect"])
    request = intake(
        sample["topic"],
        institution_type=sample["institution_type"],
        appointment_type=sample["appointment_type"],
    )

    decision = decided(request)

    assert expected is not None
    assert decision.status in expected["statuses"].split(" or ")
    if expected["rule"]:
        assert expected["rule"] in rule_ids(decision)


# District rule files


def _write(tmp_path: Path, data: Any) -> Path:
    path = tmp_path / "eligibility-rules.json"
    path.write_text(data if isinstance(data, str) else json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def _shipped() -> dict[str, Any]:
    return json.loads(SHIPPED.read_text(encoding="utf-8"))


def test_a_valid_district_file_takes_effect(tmp_path):
    data = _shipped()
    data["settings"]["lead_working_days"] = 10
    data["rules"]["medical"]["effect"] = "review"
    data["rules"]["legal.other"]["screen"]["stems"].append("Spielhalle")
    rules = load_rules(_write(tmp_path, data))
    request = intake("Treffen vor der Spielhalle", appointment_type="arzt", **at(date(2025, 3, 12)))

    decision = decide(request, rules, today=MONDAY)

    assert decision.status == "review"
    assert rule_ids(decision) == ["medical", "legal.other", "pool.short_notice"]
    assert decision.reasons[1].triggers == ("Spielhalle",)
    assert "10 Arbeitstage" in decision.reasons[2].message


def test_a_district_file_may_switch_a_state_rule_off(tmp_path):
    data = _shipped()
    data["rules"]["medical"]["effect"] = "off"
    rules = load_rules(_write(tmp_path, data))

    decision = decide(intake("Termin beim Zahnarzt", appointment_type="arzt"), rules, today=MONDAY)

    assert decision.status == "open" and decision.reasons == ()


def _drop_court(data: dict[str, Any]) -> None:
    del data["rules"]["legal.court"]


def _set(*keys: str, value: Any):
    def mutate(data: dict[str, Any]) -> None:
        target = data
        for key in keys[:-1]:
            target = target[key]
        target[keys[-1]] = value

    return mutate


@pytest.mark.parametrize(
    ("mutate", "problem"),
    [
        (_drop_court, "$.rules: Regel fehlt: legal.court"),
        (_set("rules", "medical", "effect", value="vielleicht"), "$.rules.medical.effect"),
        (_set("rules", "medical", "message", value=""), "$.rules.medical.message"),
        (_set("rules", "medical", "title", value=""), "$.rules.medical.title"),
        (_set("settings", "lead_working_days", value="fünf"), "$.settings.lead_working_days"),
        (_set("settings", "max_duration_minutes", value=0), "$.settings.max_duration_minutes"),
        (_set("institution_types", "krankenhaus", value="medical"), "$.institution_types.krankenhaus"),
        (_set("appointment_types", "gericht", value="legal.gericht"), "$.appointment_types.gericht"),
        (_set("appointment_types", "arzt", value=["medical"]), "$.appointment_types.arzt"),
        (_set("version", value=True), "$.version"),
        (
            _set("rules", "legal.court", "screen", "except", value=["Kochtopf"]),
            "$.rules.legal.court.screen.except",
        ),
        (_set("rules", "legal.other", "screen", "stems", value=["zwei Wörter"]), "screen.stems[0]"),
        (_set("rules", "legal.court", "screen", "stmes", value=[]), "$.rules.legal.court.screen.stmes"),
        (
            _set("rules", "pool.short_notice", "message", value="Nur {tage} Tage"),
            "$.rules.pool.short_notice.message",
        ),
        (
            _set(
                "look_alikes", value=[{"rule": "private.person", "triggers": {}, "context": {}, "window": 1}]
            ),
            "$.look_alikes[0].rule",
        ),
        (_set("version", value=2), "$.version"),
    ],
)
def test_a_broken_district_file_raises_naming_the_file_and_the_place(tmp_path, mutate, problem):
    data = _shipped()
    mutate(data)
    path = _write(tmp_path, data)

    with pytest.raises(RuleSetError) as error:
        load_rules(path)

    assert str(path) in str(error.value)
    assert problem in str(error.value)


@pytest.mark.parametrize(
    ("content", "problem"), [("{ kaputt", "kein gültiges JSON"), ("[]", "$: muss ein Objekt")]
)
def test_a_file_that_is_no_rule_set_at_all_raises(tmp_path, content, problem):
    with pytest.raises(RuleSetError, match=re.escape(problem)):
        load_rules(_write(tmp_path, content))


def test_a_missing_district_file_raises_rather_than_falling_back_silently(tmp_path):
    with pytest.raises(RuleSetError, match="nicht lesbar"):
        load_rules(tmp_path / "fehlt.json")


def test_the_rule_engine_loads_only_the_standard_library():
    code = (
        "import sys; before = set(sys.modules); from matching.eligibility import load_rules; load_rules(); "
        "foreign = {m.split('.')[0] for m in set(sys.modules) - before} - set(sys.stdlib_module_names); "
        "assert foreign == {'matching'}, foreign"
    )

    completed = subprocess.run(
        [sys.executable, "-c", code], cwd=SHIPPED.parents[2], capture_output=True, text=True
    )

    assert completed.returncode == 0, completed.stderr
