"""The rules each pool applies at intake, the admins' choices that adjust them, and what the public reads of them.

The effective rule set is built by `matching.effective_rules.effective_rules` from the district's file
(`instance/eligibility-rules.json`, else the state's defaults) and the pool's row (`rule_overrides`,
`lead_working_days`, `max_duration_minutes`, `brokers_written`); a change by an admin is audited rule by rule.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlmodel import Session, select

from matching.effective_rules import (
    OVERRIDABLE,
    base_effect,
    check_overrides,
    effective_rules,
    is_relaxation,
    state_document,
    with_state_additions,
)
from matching.eligibility import EFFECTS, TRANSLATION_RULES, RuleSet, parse_rules, read_document
from sprachmittlerpool.german import minutes_words, working_days_words
from sprachmittlerpool.models import Pool
from sprachmittlerpool.services import audit

DISTRICT_FILE = "eligibility-rules.json"
AUDIT_ENTITY = "pool"
AUDIT_ACTION = "rule_changed"
EFFECT_WORDS = {
    "reject": "wird abgelehnt",
    "review": "wird geprüft (Einzelfall)",
    "off": "wird vermittelt (Regel gilt nicht)",
}
_CACHE_SIZE = 32
_cache: dict[tuple[Any, ...], RuleSet] = {}


class NeedsConfirmation(ValueError):
    """A change relaxes a state rule and was not confirmed."""


class InvalidChoice(ValueError):
    """A choice the page does not offer; `fields` maps each to a German message."""

    def __init__(self, fields: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in fields.items()))
        self.fields = fields


def base_document(instance_path: str | Path) -> dict[str, Any]:
    """Return the district's rule-set document if the instance folder holds one, else the state's."""
    path = Path(instance_path) / DISTRICT_FILE
    return with_state_additions(read_document(path)) if path.exists() else state_document()


def check_district_file(instance_path: str | Path) -> None:
    """Parse the district's rule file once at start, so a broken file stops the app with one sentence.

    Otherwise every public page that shows the rules would fail later; RuleSetError names the problem.
    """
    path = Path(instance_path) / DISTRICT_FILE
    if path.exists():
        parse_rules(read_document(path), str(path))


def _pool(session: Session, pool_id: int) -> Pool:
    pool = session.get(Pool, pool_id)
    if pool is None:
        raise LookupError(f"pool {pool_id} does not exist")
    return pool


def rule_titles(session: Session, *, pool_id: int, instance_path: str | Path) -> dict[str, str]:
    """Name each rule of the pool by its German title: people read titles, not the rule set's ids."""
    rules = effective_rule_set(session, pool_id=pool_id, instance_path=instance_path)
    return {rule_id: rule.title for rule_id, rule in rules.rules.items() if rule.title}


def effective_rule_set(session: Session, *, pool_id: int, instance_path: str | Path) -> RuleSet:
    """Return the rule set this pool applies now (parsed once per file version and choice of the pool)."""
    pool = _pool(session, pool_id)
    path = Path(instance_path) / DISTRICT_FILE
    stamp = path.stat().st_mtime_ns if path.exists() else None
    overrides = json.dumps(pool.rule_overrides, sort_keys=True)
    key = (
        str(path),
        stamp,
        overrides,
        pool.lead_working_days,
        pool.max_duration_minutes,
        pool.brokers_written,
    )
    if key not in _cache:
        if len(_cache) >= _CACHE_SIZE:
            _cache.clear()
        _cache[key] = effective_rules(
            base_document(instance_path),
            overrides=pool.rule_overrides,
            lead_working_days=pool.lead_working_days,
            max_duration_minutes=pool.max_duration_minutes,
            brokers_written=pool.brokers_written,
        )
    return _cache[key]


# A rule id found on an old request that the current rule set no longer knows: named, never shown as its id.
OTHER_RULE = "Weitere Regel des Sprachmittlerpools"


def rule_title(titles: Mapping[str, str], rule_id: str) -> str:
    """Return a rule's German title from `rule_titles`, or a neutral name for a rule no longer in the set."""
    return titles.get(rule_id, OTHER_RULE)


def rule_set_limits(instance_path: str | Path) -> tuple[int, int]:
    """Return the lead time and longest assignment of the district's file (or the state's), before the pool's."""
    settings = effective_rules(
        base_document(instance_path), overrides={}, lead_working_days=None, max_duration_minutes=None
    ).settings
    return settings.lead_working_days, settings.max_duration_minutes


@dataclass(frozen=True)
class RuleChoice:
    """One adjustable rule as the settings page shows it."""

    rule_id: str
    title: str
    state_effect: str | None  # None: the state's rule set has no such rule
    base_effect: str
    effect: str

    @property
    def deviates_from_state(self) -> bool:
        """Tell whether the pool brokers more than the state's default allows."""
        return self.state_effect is not None and is_relaxation(self.state_effect, self.effect)


@dataclass(frozen=True)
class RuleChange:
    """A rule whose effect an admin changes."""

    rule_id: str
    title: str
    before: str
    after: str
    relaxes_state_rule: bool


def choices(session: Session, *, pool_id: int, instance_path: str | Path) -> list[RuleChoice]:
    """List the adjustable rules with the state's, the district file's and the pool's effect."""
    base = base_document(instance_path)
    state = state_document()["rules"]
    rules = effective_rule_set(session, pool_id=pool_id, instance_path=instance_path)
    return [
        RuleChoice(
            rule_id,
            rules.rules[rule_id].title or rules.rules[rule_id].message,
            state[rule_id]["effect"] if rule_id in state else None,
            base_effect(base, rule_id),
            rules.rules[rule_id].effect,
        )
        for rule_id in OVERRIDABLE
    ]


def plan_changes(
    session: Session, *, pool_id: int, instance_path: str | Path, wanted: Mapping[str, str | None]
) -> list[RuleChange]:
    """Compare the wanted effects with the current ones; refuse values the page does not offer."""
    current = {
        choice.rule_id: choice for choice in choices(session, pool_id=pool_id, instance_path=instance_path)
    }
    errors = {
        rule_id: "Bitte wählen Sie eine der Möglichkeiten."
        for rule_id in current
        if wanted.get(rule_id) not in EFFECTS
    }
    if errors:
        raise InvalidChoice(errors)
    found = []
    for rule_id, choice in current.items():
        after = str(wanted[rule_id])
        if after != choice.effect:
            relaxes = is_relaxation(choice.effect, after) and (
                choice.state_effect is not None and is_relaxation(choice.state_effect, after)
            )
            found.append(RuleChange(rule_id, choice.title, choice.effect, after, relaxes))
    return found


def save_changes(
    session: Session,
    *,
    pool_id: int,
    instance_path: str | Path,
    wanted: Mapping[str, str | None],
    confirmed: bool,
    actor: str,
) -> list[RuleChange]:
    """Store the pool's rule choices with an audit row per changed rule; relaxing needs `confirmed`."""
    session.exec(select(Pool).where(Pool.id == pool_id).with_for_update()).one()
    found = plan_changes(session, pool_id=pool_id, instance_path=instance_path, wanted=wanted)
    if any(change.relaxes_state_rule for change in found) and not confirmed:
        raise NeedsConfirmation("relaxing a state rule needs a confirmation")
    if not found:
        return []
    pool = _pool(session, pool_id)
    base = base_document(instance_path)
    pool.rule_overrides = check_overrides(base, {rule_id: wanted[rule_id] for rule_id in OVERRIDABLE})
    session.add(pool)
    for change in found:
        audit.record(
            session, actor=actor, entity=AUDIT_ENTITY, entity_id=str(pool_id), action=AUDIT_ACTION,
            from_state=change.before, to_state=change.after,
            detail={"rule": change.rule_id, "title": change.title, "relaxes_state_rule": change.relaxes_state_rule},
        )  # fmt: skip
    session.commit()
    return found


@dataclass(frozen=True)
class PublicRule:
    """A rule as the public reads it: a title and what it means for the requester."""

    title: str
    text: str


@dataclass(frozen=True)
class PublicRules:
    """What the pool actually applies, in German, without rule ids."""

    refused: list[PublicRule]
    reviewed: list[PublicRule]
    also_brokered: list[str]
    lead_working_days: int
    max_duration_minutes: int
    short_notice_effect: str
    too_long_effect: str
    closed_day_effect: str

    @property
    def lead_time_sentence(self) -> str:
        """Tell requesters, before they send anything, how early to ask."""
        return lead_time_sentence(self.lead_working_days, self.short_notice_effect)

    @property
    def duration_sentence(self) -> str:
        """Tell requesters the longest assignment."""
        return duration_sentence(self.max_duration_minutes, self.too_long_effect)

    @property
    def closure_sentence(self) -> str:
        """Tell requesters what a closure day means for their request."""
        return closure_sentence(self.closed_day_effect)


def public_rules(session: Session, *, pool_id: int, instance_path: str | Path) -> PublicRules:
    """Say which requests the pool refuses, which it checks, and its limits, from the effective rule set."""
    rules = effective_rule_set(session, pool_id=pool_id, instance_path=instance_path)
    state = state_document()["rules"]
    adjustable = [rules.rules[rule_id] for rule_id in OVERRIDABLE]
    # refused translations are named too; a pool that brokers written ones offers them as a request type
    translations = tuple(rules.rules[r] for r in TRANSLATION_RULES if r in rules.rules)

    def shown(effect: str, extra: tuple[Any, ...] = ()) -> list[PublicRule]:
        return [
            PublicRule(rule.title or rule.message, rule.message)
            for rule in [*adjustable, *extra]
            if rule.effect == effect
        ]

    return PublicRules(
        refused=shown("reject", translations),
        reviewed=shown("review"),
        also_brokered=[
            rule.title
            for rule in adjustable
            if rule.effect == "off" and rule.id in state and state[rule.id]["effect"] != "off" and rule.title
        ],
        lead_working_days=rules.settings.lead_working_days,
        max_duration_minutes=rules.settings.max_duration_minutes,
        short_notice_effect=rules.rules["pool.short_notice"].effect,
        too_long_effect=rules.rules["pool.too_long"].effect,
        closed_day_effect=rules.rules["pool.closed_day"].effect,
    )


def lead_time_sentence(days: int, effect: str) -> str:
    """Tell requesters, before they send anything, how early to ask and what happens when they ask later."""
    if days == 0 or effect == "off":
        return "Sie können bis kurz vor dem Termin anfragen; je früher, desto eher finden wir jemanden."
    later = (
        "kurzfristigere Anfragen können wir nicht annehmen"
        if effect == "reject"
        else ("kurzfristigere Anfragen prüfen wir einzeln")
    )
    return f"Bitte fragen Sie mindestens {working_days_words(days)} vor dem Termin an; {later}."


def duration_sentence(minutes: int, effect: str) -> str:
    """Tell requesters the longest assignment the pool brokers."""
    if effect == "off":
        return "Die Dauer eines Einsatzes ist nicht begrenzt."
    later = (
        "längere Einsätze können wir nicht annehmen"
        if effect == "reject"
        else "längere Einsätze prüfen wir einzeln"
    )
    return f"Ein Einsatz dauert höchstens {minutes_words(minutes)}; {later}."


def closure_sentence(effect: str) -> str:
    """Tell requesters what happens to a request for a day the pool is closed."""
    if effect == "reject":
        return "Termine an diesen Tagen können wir nicht annehmen."
    if effect == "off":
        return "Anfragen bearbeiten wir danach."
    return "Anfragen für Termine an diesen Tagen prüfen wir einzeln."
