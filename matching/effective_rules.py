"""The rule set a pool actually applies: the state's defaults, then the district's file, then the pool's choices.

Public API::

    state_document() -> dict                       # the shipped NRW rule set as a fresh document
    with_state_additions(document) -> dict         # a district file completed by rules newer than it
    effective_rules(base, *, overrides, lead_working_days, max_duration_minutes, brokers_written) -> RuleSet
    check_overrides(base, overrides) -> dict       # raises RuleSetError for an unknown rule or effect
    is_relaxation(before, after) -> bool           # brokers more than before: the state may not pay for it

`base` is the district's whole rule-set document (instance/eligibility-rules.json) or the state's.
The pool's overrides change only what a rule does (reject, review, off) and its two limits; the
requester's message follows the new effect, so a rule relaxed to review never tells anyone "no".
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from importlib import resources
from typing import Any, Final

from matching.eligibility import (
    EFFECTS,
    INSTITUTION_RULES,
    STATE_RULES,
    TRANSLATION_RULES,
    WRITTEN,
    RuleEffect,
    RuleSet,
    RuleSetError,
    parse_rules,
)

# The rules that say *what* a pool brokers; lead time, duration and closed days are limits of their own.
OVERRIDABLE: Final = (*STATE_RULES, "pool.institution_unclear", *INSTITUTION_RULES)
PUBLIC_TYPES: Final = "public_institution_types"
STRICTNESS: Final[Mapping[str, int]] = {"off": 0, "review": 1, "reject": 2}

_TO_REVIEW: Final = (
    "Anfragen dieser Art{title} vermittelt der Sprachmittlerpool nur nach Prüfung im Einzelfall. "
    "Eine Koordinatorin oder ein Koordinator prüft Ihre Anfrage; Sie erhalten Nachricht, sobald sie geprüft ist."
)
_TO_REJECT: Final = (
    "Anfragen dieser Art{title} vermittelt der Sprachmittlerpool nicht. "
    "Bitte wenden Sie sich an einen professionellen Dolmetscherdienst."
)


def state_document() -> dict[str, Any]:
    """Return the state's shipped rule set as a document the caller may change."""
    shipped = resources.files("matching.rules").joinpath("nrw.json")
    return json.loads(shipped.read_text(encoding="utf-8"))


def with_state_additions(document: Mapping[str, Any]) -> dict[str, Any]:
    """Complete a district's document with the institution rules it predates, taken from the state's.

    A district file written before the institution register (or the translation rules, with their
    look-alikes) keeps working and gets the same defaults as everyone else; a district that names the
    rules decides them itself.
    """
    completed = copy.deepcopy(dict(document))
    rules = completed.get("rules")
    if not isinstance(rules, dict):
        return completed  # the parser names what is wrong
    state = state_document()
    for rule_id in INSTITUTION_RULES:
        rules.setdefault(rule_id, state["rules"][rule_id])
    for rule_id in TRANSLATION_RULES:
        if rule_id not in rules:
            rules[rule_id] = state["rules"][rule_id]
            looks = completed.setdefault("look_alikes", [])
            if isinstance(looks, list):
                looks += [look for look in state["look_alikes"] if look["rule"] == rule_id]
    completed.setdefault(PUBLIC_TYPES, state[PUBLIC_TYPES])
    return completed


def is_relaxation(before: str, after: str) -> bool:
    """Tell whether a change lets more requests through than before (reject → review → off)."""
    return STRICTNESS[after] < STRICTNESS[before]


def base_effect(base: Mapping[str, Any], rule_id: str) -> RuleEffect:
    """Return what a rule does in a rule-set document before the pool's own choice."""
    return base["rules"][rule_id]["effect"]


def check_overrides(base: Mapping[str, Any], overrides: Any) -> dict[str, RuleEffect]:
    """Return the overrides that differ from the document, refusing unknown rules and effects."""
    if not isinstance(overrides, Mapping):
        raise RuleSetError("Abweichungen des Pools: muss ein Objekt sein")
    checked: dict[str, RuleEffect] = {}
    for rule_id, effect in overrides.items():
        if rule_id not in OVERRIDABLE or rule_id not in base["rules"]:
            raise RuleSetError(f"Abweichungen des Pools: Regel {rule_id!r} ist nicht einstellbar")
        if effect not in EFFECTS:
            raise RuleSetError(f"Abweichungen des Pools: {rule_id}: unbekannte Wirkung {effect!r}")
        if effect != base_effect(base, rule_id):
            checked[rule_id] = effect
    return checked


def effective_rules(
    base: Mapping[str, Any],
    *,
    overrides: Mapping[str, Any],
    lead_working_days: int | None,
    max_duration_minutes: int | None,
    brokers_written: bool = False,
) -> RuleSet:
    """Build the rule set a pool applies from a rule-set document and the pool's own choices.

    None for a limit keeps the document's value. A pool that brokers written translations sends a talk
    request whose topic asks for one to review (it may be meant as a written request) instead of refusing
    it. Raises RuleSetError naming the problem.
    """
    document = with_state_additions(base)
    if not isinstance(document.get("rules"), dict):
        return parse_rules(document, "Regelwerk")  # let the parser name what is wrong
    for rule_id, effect in check_overrides(document, overrides).items():
        rule = document["rules"][rule_id]
        rule["message"] = _message_for(effect, rule) if effect != "off" else rule["message"]
        rule["effect"] = effect
    written = document["rules"].get(WRITTEN)
    if brokers_written and isinstance(written, dict) and written.get("effect") == "reject":
        written["effect"] = "review"
    settings = document.get("settings")
    if isinstance(settings, dict):
        if lead_working_days is not None:
            settings["lead_working_days"] = lead_working_days
        if max_duration_minutes is not None:
            settings["max_duration_minutes"] = max_duration_minutes
    return parse_rules(document, "Regelwerk des Pools")


def _message_for(effect: str, rule: Mapping[str, Any]) -> str:
    """Word a rule whose effect the pool changed, so the requester reads what really happens."""
    title = rule.get("title")
    # Messages are templates for the limits ({lead_working_days}); braces in a title are text.
    shown = f" ({title.replace('{', '{{').replace('}', '}}')})" if isinstance(title, str) and title else ""
    return (_TO_REVIEW if effect == "review" else _TO_REJECT).format(title=shown)
