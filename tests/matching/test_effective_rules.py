"""The rule set a pool applies: state defaults → district file → the pool's own choices, in one pure function."""

from datetime import date, datetime

import pytest

from matching.effective_rules import (
    OVERRIDABLE,
    check_overrides,
    effective_rules,
    is_relaxation,
    state_document,
)
from matching.eligibility import IntakeFacts, RuleSetError, decide, load_rules

MONDAY = date(2025, 3, 3)


def facts(appointment_type: str = "elterngespraech", topic: str = "", **kwargs) -> IntakeFacts:
    """Return a Kita's request four weeks ahead, one hour long."""
    values = {
        "institution_type": "kita",
        "appointment_type": appointment_type,
        "topic": topic,
        "start": datetime(2025, 3, 31, 10),
        "end": datetime(2025, 3, 31, 11),
        "institution_verified": True,
    }
    return IntakeFacts(**(values | kwargs))


def pool_rules(overrides=None, base=None, lead=None, longest=None):
    return effective_rules(
        base if base is not None else state_document(),
        overrides=overrides or {},
        lead_working_days=lead,
        max_duration_minutes=longest,
    )


def test_without_choices_the_pool_applies_exactly_the_state_defaults():
    rules = pool_rules()

    shipped = load_rules()
    assert {k: (r.effect, r.message) for k, r in rules.rules.items()} == {
        k: (r.effect, r.message) for k, r in shipped.rules.items()
    }
    assert rules.settings == shipped.settings


@pytest.mark.parametrize(
    ("effect", "status", "reasons"),
    [("reject", "rejected", ["medical"]), ("review", "review", ["medical"]), ("off", "open", [])],
)
def test_the_pool_may_relax_a_state_rule_to_review_or_switch_it_off(effect, status, reasons):
    decision = decide(facts("arzt"), pool_rules({"medical": effect}), today=MONDAY)

    assert decision.status == status
    assert [reason.rule for reason in decision.reasons] == reasons


def test_a_rule_relaxed_to_review_tells_the_requester_it_is_checked_not_refused():
    decision = decide(facts("arzt"), pool_rules({"medical": "review"}), today=MONDAY)

    message = decision.reasons[0].message
    assert "Termine im medizinischen Bereich" in message and "Prüfung im Einzelfall" in message
    assert "nicht" not in message.split(".")[0]


def test_a_switched_off_rule_no_longer_screens_the_topic_either():
    topic = "Begleitung zum Zahnarzt"

    assert decide(facts(topic=topic), pool_rules(), today=MONDAY).status == "review"
    assert decide(facts(topic=topic), pool_rules({"medical": "off"}), today=MONDAY).status == "open"


def test_the_pool_may_tighten_review_to_reject_with_a_refusing_message():
    request = facts(institution_type="sonstige_oeffentliche_stelle")

    decision = decide(request, pool_rules({"pool.institution_unclear": "reject"}), today=MONDAY)

    assert decision.status == "rejected"
    assert "vermittelt der Sprachmittlerpool nicht" in decision.reasons[0].message


def test_the_pools_choices_apply_on_top_of_the_district_file():
    district = state_document()
    district["rules"]["legal.police"]["effect"] = "review"
    district["settings"]["lead_working_days"] = 10

    rules = pool_rules({"medical": "review"}, base=district)

    assert rules.rules["legal.police"].effect == "review"  # the file's choice stays
    assert rules.rules["medical"].effect == "review"  # the pool's choice on top
    assert rules.settings.lead_working_days == 10


def test_the_pools_limits_replace_the_rule_sets_and_reach_the_messages():
    rules = pool_rules(lead=3, longest=90)
    request = facts(start=datetime(2025, 3, 5, 10), end=datetime(2025, 3, 5, 12))

    decision = decide(request, rules, today=MONDAY)

    assert [reason.rule for reason in decision.reasons] == ["pool.short_notice", "pool.too_long"]
    assert "3 Arbeitstage" in decision.reasons[0].message and "90 Minuten" in decision.reasons[1].message
    assert decide(
        facts(start=datetime(2025, 3, 6, 10), end=datetime(2025, 3, 6, 11)), rules, today=MONDAY
    ).status == ("open")


def test_closed_days_do_not_count_towards_the_lead_time():
    request = facts(start=datetime(2025, 3, 11, 10), end=datetime(2025, 3, 11, 11))  # 6 working days ahead
    closed = frozenset({date(2025, 3, 4), date(2025, 3, 5)})

    assert decide(request, pool_rules(), today=MONDAY).urgent is False
    assert decide(request, pool_rules(), today=MONDAY, closed_days=closed).urgent is True


def test_the_base_document_is_not_changed_by_building_a_pools_rules():
    base = state_document()

    pool_rules({"medical": "off"}, base=base, lead=1)

    assert base == state_document()


@pytest.mark.parametrize(
    ("overrides", "problem"),
    [
        ({"pool.short_notice": "off"}, "nicht einstellbar"),
        ({"gibt.es.nicht": "off"}, "nicht einstellbar"),
        ({"medical": "vielleicht"}, "unbekannte Wirkung"),
        (["medical"], "muss ein Objekt sein"),
    ],
)
def test_overrides_outside_the_adjustable_rules_are_refused(overrides, problem):
    with pytest.raises(RuleSetError, match=problem):
        pool_rules(overrides)


def test_overrides_equal_to_the_document_are_dropped():
    assert check_overrides(state_document(), {"medical": "reject", "legal.court": "review"}) == {
        "legal.court": "review"
    }


def test_a_pool_may_relax_the_unverified_rule_so_new_counselling_centres_are_open():
    request = facts(institution_type="beratungsstelle", institution_verified=False)

    assert decide(request, pool_rules(), today=MONDAY).status == "review"
    assert decide(request, pool_rules({"pool.institution_unverified": "off"}), today=MONDAY).status == "open"


def test_a_district_file_older_than_the_institution_rules_gets_the_states_defaults():
    base = state_document()
    for rule_id in ("pool.institution_blocked", "pool.institution_unverified"):
        del base["rules"][rule_id]
    del base["public_institution_types"]

    rules = pool_rules(base=base)

    assert decide(facts(institution_blocked=True), rules, today=MONDAY).status == "rejected"
    assert decide(facts(institution_verified=False), rules, today=MONDAY).status == "open"


def test_every_adjustable_rule_has_a_german_title():
    rules = pool_rules()

    assert all(rules.rules[rule_id].title for rule_id in OVERRIDABLE)


@pytest.mark.parametrize(
    ("before", "after", "relaxed"),
    [
        ("reject", "review", True),
        ("reject", "off", True),
        ("review", "off", True),
        ("review", "reject", False),
        ("off", "review", False),
        ("review", "review", False),
    ],
)
def test_relaxing_means_letting_more_requests_through(before, after, relaxed):
    assert is_relaxation(before, after) is relaxed
