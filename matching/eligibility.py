"""Decide at intake whether the pool may broker a request, by the state's rules kept as data.

Public API::

    load_rules(path: Path | None = None) -> RuleSet     # raises RuleSetError naming the problem
    parse_rules(document: Any, source: str) -> RuleSet  # a rule-set document already read (a dict)
    decide(request: IntakeFacts, rules: RuleSet, *, today, holidays=frozenset(),
           closed_days=frozenset()) -> Decision
    working_days_between(start: date, end: date, holidays=frozenset()) -> int
    WRITTEN, CERTIFIED                                  # the translation rules' ids
    INSTITUTION_TYPES, APPOINTMENT_TYPES                # allowed values -> German form labels

Structured fields decide the clear cases (reject or review by the rule's effect); the
free-text topic is screened into review, never rejected on text alone, unless a rule's screen says
`"effect": "reject"` (written and certified translations: phrases so plain that a coordinator would only
say no again) and the rule itself rejects.
"""

import json
import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from importlib import resources
from itertools import accumulate
from pathlib import Path
from types import MappingProxyType
from typing import Any, Final, Literal

Effect = Literal["reject", "review"]
# "off": the rule does not apply in this pool (a district brokers what the state's default refuses).
RuleEffect = Literal["reject", "review", "off"]
EFFECTS: Final = ("reject", "review", "off")
Status = Literal["open", "review", "rejected"]

INSTITUTION_TYPES: Final[Mapping[str, str]] = MappingProxyType(
    {
        "behoerde": "Behörde",
        "kita": "Kindertageseinrichtung (Kita)",
        "schule": "Schule",
        "beratungsstelle": "Beratungsstelle",
        "sonstige_oeffentliche_stelle": "Sonstige öffentliche Stelle",
        "privatperson": "Privatperson",
        "arztpraxis": "Arztpraxis",
        "unternehmen": "Unternehmen",
        "private_einrichtung": "Private Einrichtung",
    }
)
APPOINTMENT_TYPES: Final[Mapping[str, str]] = MappingProxyType(
    {
        "elterngespraech": "Elterngespräch",
        "anmeldung": "Anmeldung",
        "beratung": "Beratung",
        "informationsveranstaltung": "Informationsveranstaltung",
        "hausbesuch": "Hausbesuch",
        "amtstermin_ohne_rechtsfolge": "Amtstermin ohne Rechtsfolgen",
        "gesundheitsamt": "Gesundheitsamt (z. B. Schuleingangsuntersuchung)",
        "sonstiges": "Sonstiges",
        "gericht": "Gerichtstermin",
        "polizei": "Polizei",
        "vaterschaft": "Vaterschaftsanerkennung oder Sorgeerklärung",
        "sozialleistungsantrag": "Antrag auf Sozialleistungen",
        "ao_sf": "AO-SF-Verfahren",
        "rechtsberatung": "Rechtsberatung",
        "asylverfahren": "Asylverfahren",
        "arzt": "Arzttermin oder medizinische Behandlung",
    }
)
STATE_RULES: Final = (
    "legal.court",
    "legal.police",
    "legal.paternity",
    "legal.benefits_application",
    "legal.ao_sf",
    "legal.other",
    "medical",
    "private.person",
    "private.institution",
)
SHORT_NOTICE: Final = "pool.short_notice"
TOO_LONG: Final = "pool.too_long"
CLOSED_DAY: Final = "pool.closed_day"
POOL_RULES: Final = ("pool.institution_unclear", SHORT_NOTICE, TOO_LONG, CLOSED_DAY)
INSTITUTION_BLOCKED: Final = "pool.institution_blocked"
INSTITUTION_UNVERIFIED: Final = "pool.institution_unverified"
# Rules newer than some district files: a rule set without them simply does not apply them.
INSTITUTION_RULES: Final = (INSTITUTION_BLOCKED, INSTITUTION_UNVERIFIED)
WRITTEN: Final = "pool.written_translation"
CERTIFIED: Final = "legal.certified_translation"
TRANSLATION_RULES: Final = (WRITTEN, CERTIFIED)

# Endings a whole-word term may carry: plural, genitive, dative and the feminine -in/-innen.
_ENDINGS: Final = ("", "e", "en", "n", "s", "es", "er", "ern", "em", "in", "innen")
_JOINERS: Final = "\\-\u00ad\u2010\u2011\u2012\u2013\u200b\u200c\u200d\u2060"
# Each repetition must consume joiners and then letters, so matching stays linear.
_WORD: Final = re.compile(f"[^\\W_]+(?:[{_JOINERS}]+[^\\W_]+)*")
_SEPARATOR: Final = "\x00"
_SPELLED_OUT: Final = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
_DOTS_DROPPED: Final = str.maketrans({"ä": "a", "ö": "o", "ü": "u", "ß": "ss"})
_RULE_ID: Final = re.compile(r"[a-z_]+(?:\.[a-z_]+)*")
_VOCABULARY_KEYS: Final = frozenset({"stems", "words", "except"})


# Tags mark which vocabulary a token belongs to: ("rule", id) or (kind, place in the rule set).
Tag = tuple[str, Any]


class RuleSetError(ValueError):
    """A rule-set file that cannot be used, with the file and the place in it."""


@dataclass(frozen=True)
class IntakeFacts:
    """What an institution tells the pool about the appointment it needs an interpreter for."""

    institution_type: str
    appointment_type: str
    topic: str
    start: datetime
    end: datetime
    # What the pool knows of the institution (not what it tells): a new one is unverified.
    institution_verified: bool = False
    institution_blocked: bool = False
    # A written translation asked for as such: the written-translation screen has nothing to find, and its
    # start and end are the due day, not a span of work (no longest-assignment rule).
    written: bool = False


@dataclass(frozen=True)
class Reason:
    """One rule that applies to a request, worded for the requester."""

    rule: str
    message: str
    effect: Effect
    triggers: tuple[str, ...] = ()


@dataclass(frozen=True)
class Decision:
    """The outcome of intake: open for matching, in front of a coordinator, or rejected."""

    status: Status
    reasons: tuple[Reason, ...]
    urgent: bool = False


@dataclass(frozen=True)
class Settings:
    """Pool limits a district may adjust."""

    lead_working_days: int
    max_duration_minutes: int


@dataclass(frozen=True)
class Rule:
    """A rule with its effect, its German title and its German messages for decisions and for screen hits."""

    id: str
    effect: RuleEffect
    message: str
    screen_message: str | None = None
    title: str = ""
    screen_effect: Effect = (
        "review"  # "reject": a screen hit refuses like the field would, if the rule rejects
    )


@dataclass(frozen=True)
class _Exception:
    """A harmless word that contains a stem, so that stem there does not count."""

    word: str
    offset: int


@dataclass(frozen=True)
class _Near:
    """Words that together, close to each other, hint at a rule."""

    rule: str
    parts: tuple[Tag, ...]
    window: int


@dataclass(frozen=True)
class _LookAlike:
    """A trigger that means something harmless when context words stand close by."""

    rule: str
    trigger: Tag
    context: Tag
    window: int


class _Lexicon:
    """All screening vocabulary compiled into one pass per distinct word."""

    def __init__(self) -> None:
        self._words: dict[str, set[Tag]] = defaultdict(set)
        self._stems: dict[str, list[tuple[Tag, tuple[_Exception, ...]]]] = defaultdict(list)
        self._pattern: re.Pattern[str] | None = None
        self._prefixes: dict[str, tuple[str, ...]] = {}

    def add(self, tag: Tag, stems: Iterable[str], words: Iterable[str], exceptions: Iterable[str]) -> None:
        """Register a vocabulary under a tag; exceptions silence the stems they contain."""
        stem_set = set(stems)
        for word in words:
            for ending in _ENDINGS:
                self._words[word + ending].add(tag)
        for stem in stem_set:
            own = tuple(_Exception(word, offset) for word in exceptions for offset in _offsets(word, stem))
            self._stems[stem].append((tag, own))

    def compile(self) -> None:
        """Build the stem trie regex once all vocabularies are in."""
        stems = sorted(self._stems)
        self._pattern = re.compile(f"(?=({_trie_pattern(stems)}))") if stems else None
        self._prefixes = {s: tuple(p for p in stems if s.startswith(p)) for s in stems}

    def tags(self, tokens: list[str]) -> dict[int, set[Tag]]:
        """Return, by index, the vocabularies of those normalised tokens that belong to any."""
        found: dict[int, set[Tag]] = defaultdict(set)
        for index, token in enumerate(tokens):
            if token in self._words:
                found[index] |= self._words[token]
        if self._pattern is None:
            return found
        # One regex pass over all tokens at once is far faster than one call per token.
        starts = list(accumulate((len(token) + 1 for token in tokens), initial=0))
        for match in self._pattern.finditer(_SEPARATOR.join(tokens)):
            index = bisect_right(starts, match.start()) - 1
            token, start = tokens[index], match.start() - starts[index]
            for stem in self._prefixes[match.group(1)]:
                found[index].update(
                    tag
                    for tag, exceptions in self._stems[stem]
                    if not any(_covers(token, start, exc) for exc in exceptions)
                )
        return found


def _offsets(word: str, stem: str) -> list[int]:
    return [i for i in range(len(word) - len(stem) + 1) if word.startswith(stem, i)]


def _covers(token: str, start: int, exc: _Exception) -> bool:
    begin = start - exc.offset
    return begin >= 0 and token.startswith(exc.word, begin)


def _trie_pattern(stems: Iterable[str]) -> str:
    """Spell stems as a prefix tree so the regex tries few branches per position."""
    root: dict[str, dict] = {}
    for stem in stems:
        node = root
        for char in stem:
            node = node.setdefault(char, {})
        node[""] = {}
    return _node_pattern(root)


def _node_pattern(node: dict[str, dict]) -> str:
    branches = [re.escape(char) + _node_pattern(child) for char, child in sorted(node.items()) if char]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    # Greedy optional: the longest stem at a position wins, shorter ones come from _prefixes.
    return f"(?:{body})?" if "" in node else body


def _normalise(text: str, table: dict[int, str] = _SPELLED_OUT) -> str:
    """Fold case, umlauts, accents and hyphens to ASCII, the alphabet the vocabulary is kept in."""
    folded = unicodedata.normalize("NFKC", text).casefold().translate(table)
    return unicodedata.normalize("NFD", folded).encode("ascii", "ignore").decode("ascii").replace("-", "")


def _spellings(term: str) -> set[str]:
    """Accept a term typed with umlauts, spelled out (ae) or without the dots (a)."""
    return {_normalise(term), _normalise(term, _DOTS_DROPPED)}


@dataclass(frozen=True)
class _Screen:
    """The compiled topic screen of a rule set."""

    lexicon: _Lexicon
    rules: tuple[str, ...]
    near: tuple[_Near, ...]
    look_alikes: tuple[_LookAlike, ...]

    def hits(self, topic: str) -> dict[str, tuple[str, ...]]:
        """Return the rules the topic hints at, each with the words that triggered it."""
        raw = _WORD.findall(topic)
        positions = self._positions(raw)
        found: dict[str, set[int]] = defaultdict(set)
        for rule in self.rules:
            for i in positions.get(("rule", rule), ()):
                if not any(
                    self._explains(look, i, positions) for look in self.look_alikes if look.rule == rule
                ):
                    found[rule].add(i)
        for near in self.near:
            looks = [look for look in self.look_alikes if look.rule == near.rule]
            for match in _near_matches(near, positions):
                if not any(self._explains(look, i, positions) for look in looks for i in match):
                    found[near.rule].update(match)
        return {rule: _words_at(raw, found[rule]) for rule in self.rules if found.get(rule)}

    def _positions(self, raw: list[str]) -> dict[Tag, list[int]]:
        distinct = list(dict.fromkeys(raw))
        # The separator survives normalisation, so one call folds every distinct word.
        folded = _normalise(_SEPARATOR.join(distinct)).split(_SEPARATOR)
        tagged = {distinct[index]: tags for index, tags in self.lexicon.tags(folded).items() if tags}
        positions: dict[Tag, list[int]] = defaultdict(list)
        for i, word in enumerate(raw):
            for tag in tagged.get(word, ()):
                positions[tag].append(i)
        return positions

    @staticmethod
    def _explains(look: _LookAlike, i: int, positions: Mapping[Tag, list[int]]) -> bool:
        triggers = positions.get(look.trigger, [])
        at = bisect_left(triggers, i)
        if at == len(triggers) or triggers[at] != i:
            return False
        return _nearest(positions.get(look.context, []), i, look.window) is not None


def _nearest(sorted_positions: list[int], i: int, window: int) -> int | None:
    """Return a position within window of i, if any."""
    at = bisect_left(sorted_positions, i - window)
    if at < len(sorted_positions) and sorted_positions[at] <= i + window:
        return sorted_positions[at]
    return None


def _near_matches(near: _Near, positions: Mapping[Tag, list[int]]) -> list[set[int]]:
    """Return each match of a near group as the positions of its words (a look-alike may explain any of them)."""
    first, *others = near.parts
    matches: list[set[int]] = []
    for i in positions.get(first, []):
        partners = [_nearest(positions.get(part, []), i, near.window) for part in others]
        if all(p is not None for p in partners):
            matches.append({i, *(p for p in partners if p is not None)})
    return matches


def _words_at(raw: list[str], indices: Iterable[int]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(raw[i] for i in sorted(indices)))


@dataclass(frozen=True)
class RuleSet:
    """A validated rule set: rules, what the form fields map to, settings and the topic screen."""

    rules: Mapping[str, Rule]
    institution_rules: Mapping[str, str]
    appointment_rules: Mapping[str, str]
    settings: Settings
    screen: _Screen
    # Institution types public enough to be brokered for before a coordinator verified the institution.
    public_institution_types: frozenset[str] = frozenset()

    def applies(self, rule_id: str) -> bool:
        """Tell whether a rule takes part in decisions (a district may switch a rule off or lack it)."""
        rule = self.rules.get(rule_id)
        return rule is not None and rule.effect != "off"

    def reason(self, rule_id: str, triggers: tuple[str, ...] = ()) -> Reason:
        """Word a rule for the requester; screen hits ask for review unless the screen and the rule both reject."""
        rule = self.rules[rule_id]
        if rule.effect == "off":
            raise ValueError(f"rule {rule_id} is off and gives no reason")
        if triggers and rule.screen_message:
            if rule.screen_effect == "reject" and rule.effect == "reject":
                return Reason(rule_id, rule.message, "reject", triggers)
            return Reason(rule_id, rule.screen_message, "review", triggers)
        return Reason(rule_id, rule.message, rule.effect, triggers)


def working_days_between(start: date, end: date, holidays: Collection[date] = frozenset()) -> int:
    """Count Monday–Friday non-holidays in [start, end), as a deadline counts the day it is asked."""
    if end <= start:
        return 0
    weeks, rest = divmod((end - start).days, 7)
    count = weeks * 5 + sum(1 for k in range(rest) if (start.weekday() + k) % 7 < 5)
    return count - sum(1 for day in set(holidays) if start <= day < end and day.weekday() < 5)


def decide(
    request: IntakeFacts,
    rules: RuleSet,
    *,
    today: date,
    holidays: frozenset[date] = frozenset(),
    closed_days: frozenset[date] = frozenset(),
) -> Decision:
    """Decide a request: any rejecting rule rejects, any other rule sends it to review."""
    _check_facts(request)
    by_field = [rule_id for rule_id in _field_rules(request, rules) if rules.applies(rule_id)]
    by_field += _institution_status_rules(request, rules)
    reasons = [rules.reason(rule_id) for rule_id in by_field]
    hits = rules.screen.hits(request.topic)
    if request.written:
        hits.pop(WRITTEN, None)
    reasons += [rules.reason(rule_id, words) for rule_id, words in hits.items() if rule_id not in by_field]
    pool = _pool_rules(request, rules.settings, today=today, holidays=holidays, closed_days=closed_days)
    reasons += [rules.reason(rule_id) for rule_id in pool if rules.applies(rule_id)]
    return Decision(_status(reasons), tuple(reasons), urgent=any(r.rule == SHORT_NOTICE for r in reasons))


def _check_facts(request: IntakeFacts) -> None:
    """Refuse input the web layer should have caught: these are errors, not decisions."""
    if request.institution_type not in INSTITUTION_TYPES:
        raise ValueError(f"unknown institution_type {request.institution_type!r}")
    if request.appointment_type not in APPOINTMENT_TYPES:
        raise ValueError(f"unknown appointment_type {request.appointment_type!r}")
    if request.end <= request.start:
        raise ValueError("end must be after start")


def _field_rules(request: IntakeFacts, rules: RuleSet) -> list[str]:
    found = [
        rules.institution_rules.get(request.institution_type),
        rules.appointment_rules.get(request.appointment_type),
    ]
    return list(dict.fromkeys(rule for rule in found if rule))


def _institution_status_rules(request: IntakeFacts, rules: RuleSet) -> list[str]:
    """Refuse a blocked institution; send an unverified one to review unless its type is public.

    A type that has a rule of its own (private, unclear) is already decided by that rule.
    """
    if request.institution_blocked and rules.applies(INSTITUTION_BLOCKED):
        return [INSTITUTION_BLOCKED]
    type_rule = rules.institution_rules.get(request.institution_type)
    if (
        request.institution_verified
        or request.institution_type in rules.public_institution_types
        or (type_rule is not None and rules.applies(type_rule))
        or not rules.applies(INSTITUTION_UNVERIFIED)
    ):
        return []
    return [INSTITUTION_UNVERIFIED]


def _pool_rules(
    request: IntakeFacts,
    settings: Settings,
    *,
    today: date,
    holidays: frozenset[date],
    closed_days: frozenset[date],
) -> list[str]:
    found = []
    # The pool's closed days are no working days for the lead time either: nobody handles requests then.
    not_working = holidays | closed_days
    if working_days_between(today, request.start.date(), not_working) < settings.lead_working_days:
        found.append(SHORT_NOTICE)
    if not request.written and request.end - request.start > timedelta(minutes=settings.max_duration_minutes):
        found.append(TOO_LONG)
    if request.start.date() in closed_days:
        found.append(CLOSED_DAY)
    return found


def _status(reasons: Iterable[Reason]) -> Status:
    effects = {reason.effect for reason in reasons}
    if "reject" in effects:
        return "rejected"
    return "review" if effects else "open"


def load_rules(path: Path | None = None) -> RuleSet:
    """Load a district's rule-set file, or the state's defaults shipped with the engine."""
    if path is None:
        return _default_rules()
    return _parse_file(path)


@lru_cache(maxsize=1)
def _default_rules() -> RuleSet:
    shipped = resources.files("matching.rules").joinpath("nrw.json")
    with resources.as_file(shipped) as path:
        return _parse_file(path)


def read_document(path: Path) -> Any:
    """Read a rule-set file's JSON, raising RuleSetError naming the file when it cannot be read."""
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as error:
        raise RuleSetError(f"{path}: Datei nicht lesbar ({error.strerror})") from error
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise RuleSetError(f"{path}: kein gültiges JSON ({error})") from error


def parse_rules(document: Any, source: str) -> RuleSet:
    """Validate a rule-set document already read; errors name the source and the place in it."""
    try:
        return _parse(document)
    except _Invalid as problem:
        raise RuleSetError(f"{source}: {problem.where}: {problem.message}") from None


def _parse_file(path: Path) -> RuleSet:
    return parse_rules(read_document(path), str(path))


class _Invalid(Exception):
    """A problem at a place inside the rule-set document."""

    def __init__(self, where: str, message: str) -> None:
        super().__init__(f"{where}: {message}")
        self.where = where
        self.message = message


def _parse(data: Any) -> RuleSet:
    doc = _object(
        data,
        "$",
        required={"version", "settings", "rules"},
        optional={
            "institution_types",
            "appointment_types",
            "public_institution_types",
            "look_alikes",
            "note",
        },
    )
    if _int(doc["version"], "$.version", 1) != 1:
        raise _Invalid("$.version", "unbekannte Version, erwartet wird 1")
    settings = _settings(doc["settings"])
    rules = _rules(doc["rules"], settings)
    lexicon = _Lexicon()
    near = _screens(doc["rules"], lexicon)
    look_alikes = _look_alikes(doc.get("look_alikes", []), rules, lexicon)
    lexicon.compile()
    screened = tuple(
        rule_id for rule_id, rule in rules.items() if rule.screen_message and rule.effect != "off"
    )
    return RuleSet(
        rules=MappingProxyType(rules),
        institution_rules=_type_map(
            doc.get("institution_types", {}), INSTITUTION_TYPES, rules, "$.institution_types"
        ),
        appointment_rules=_type_map(
            doc.get("appointment_types", {}), APPOINTMENT_TYPES, rules, "$.appointment_types"
        ),
        settings=settings,
        screen=_Screen(lexicon, screened, near, look_alikes),
        public_institution_types=_type_list(doc.get("public_institution_types", []), INSTITUTION_TYPES),
    )


def _object(value: Any, where: str, *, required: Collection[str], optional: Collection[str] = ()) -> dict:
    if not isinstance(value, dict):
        raise _Invalid(where, "muss ein Objekt sein")
    missing = sorted(set(required) - value.keys())
    if missing:
        raise _Invalid(where, f"Schlüssel fehlt: {missing[0]}")
    unknown = sorted(value.keys() - set(required) - set(optional))
    if unknown:
        raise _Invalid(f"{where}.{unknown[0]}", "unbekannter Schlüssel")
    return value


def _int(value: Any, where: str, minimum: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        raise _Invalid(where, f"muss eine ganze Zahl ab {minimum} sein")
    return value


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _Invalid(where, "muss ein nicht leerer Text sein")
    return value


def _settings(value: Any) -> Settings:
    doc = _object(value, "$.settings", required={"lead_working_days", "max_duration_minutes"})
    return Settings(
        lead_working_days=_int(doc["lead_working_days"], "$.settings.lead_working_days", 0),
        max_duration_minutes=_int(doc["max_duration_minutes"], "$.settings.max_duration_minutes", 1),
    )


def _rules(value: Any, settings: Settings) -> dict[str, Rule]:
    if not isinstance(value, dict):
        raise _Invalid("$.rules", "muss ein Objekt sein")
    missing = [rule_id for rule_id in (*STATE_RULES, *POOL_RULES) if rule_id not in value]
    if missing:
        raise _Invalid("$.rules", f"Regel fehlt: {missing[0]}")
    return {rule_id: _rule(rule_id, body, settings) for rule_id, body in value.items()}


def _rule(rule_id: str, value: Any, settings: Settings) -> Rule:
    where = f"$.rules.{rule_id}"
    if not _RULE_ID.fullmatch(rule_id):
        raise _Invalid(where, "Regel-IDs bestehen aus Kleinbuchstaben, _ und Punkten")
    doc = _object(value, where, required={"effect", "message"}, optional={"screen", "note", "title"})
    if doc["effect"] not in EFFECTS:
        raise _Invalid(f"{where}.effect", "muss 'reject', 'review' oder 'off' sein")
    title = _text(doc["title"], f"{where}.title") if "title" in doc else ""
    screen = doc.get("screen")
    screen_message = None
    screen_effect = "review"
    if screen is not None:
        screen = _object(
            screen, f"{where}.screen", required={"message"}, optional={*_VOCABULARY_KEYS, "near", "effect"}
        )
        screen_message = _message(screen["message"], f"{where}.screen.message", settings)
        screen_effect = screen.get("effect", "review")
        if screen_effect not in ("reject", "review"):
            raise _Invalid(f"{where}.screen.effect", "muss 'reject' oder 'review' sein")
    message = _message(doc["message"], f"{where}.message", settings)
    return Rule(rule_id, doc["effect"], message, screen_message, title, screen_effect)


def _message(value: Any, where: str, settings: Settings) -> str:
    """Fill in settings such as {lead_working_days}, so messages follow a changed setting."""
    text = _text(value, where)
    try:
        return text.format_map(vars(settings))
    except (KeyError, ValueError, IndexError, AttributeError) as error:
        raise _Invalid(
            where,
            f"Platzhalter nicht erlaubt ({error}); erlaubt sind "
            "{lead_working_days} und {max_duration_minutes}",
        ) from None


def _terms(value: Any, where: str) -> set[str]:
    if not isinstance(value, list):
        raise _Invalid(where, "muss eine Liste sein")
    spellings: set[str] = set()
    for index, term in enumerate(value):
        text = _text(term, f"{where}[{index}]")
        if _WORD.fullmatch(text) is None:
            raise _Invalid(
                f"{where}[{index}]", "muss ein einzelnes Wort sein (Wortgruppen gehören nach near)"
            )
        spellings |= _spellings(text)
    return spellings


def _vocabulary(doc: dict, where: str, lexicon: _Lexicon, tag: Tag) -> None:
    stems = _terms(doc.get("stems", []), f"{where}.stems")
    words = _terms(doc.get("words", []), f"{where}.words")
    exceptions = _terms(doc.get("except", []), f"{where}.except")
    for word in sorted(exceptions):
        if not any(stem in word for stem in stems):
            raise _Invalid(f"{where}.except", f"'{word}' enthält keinen der Wortstämme")
    lexicon.add(tag, stems, words, exceptions)


def _screens(rules: dict[str, Any], lexicon: _Lexicon) -> tuple[_Near, ...]:
    near: list[_Near] = []
    for rule_id, body in rules.items():
        screen = body.get("screen")
        if screen is None:
            continue
        where = f"$.rules.{rule_id}.screen"
        _vocabulary(screen, where, lexicon, ("rule", rule_id))
        near += [
            _near(rule_id, group, f"{where}.near[{i}]", lexicon)
            for i, group in enumerate(_list(screen.get("near", []), f"{where}.near"))
        ]
    return tuple(near)


def _list(value: Any, where: str) -> list:
    if not isinstance(value, list):
        raise _Invalid(where, "muss eine Liste sein")
    return value


def _near(rule_id: str, value: Any, where: str, lexicon: _Lexicon) -> _Near:
    doc = _object(value, where, required={"all", "window"}, optional={"exact", "note"})
    exact = doc.get("exact", False)
    if not isinstance(exact, bool):
        raise _Invalid(f"{where}.exact", "muss true oder false sein")
    groups = _list(doc["all"], f"{where}.all")
    if len(groups) < 2:
        raise _Invalid(f"{where}.all", "braucht mindestens zwei Wortgruppen")
    parts = []
    for index, group in enumerate(groups):
        tag = ("near", f"{where}.all[{index}]")
        terms = _terms(group, f"{where}.all[{index}]")
        lexicon.add(tag, () if exact else terms, terms if exact else (), ())
        parts.append(tag)
    return _Near(rule_id, tuple(parts), _int(doc["window"], f"{where}.window", 0))


def _look_alikes(value: Any, rules: Mapping[str, Rule], lexicon: _Lexicon) -> tuple[_LookAlike, ...]:
    found = []
    for index, item in enumerate(_list(value, "$.look_alikes")):
        where = f"$.look_alikes[{index}]"
        doc = _object(item, where, required={"rule", "triggers", "context", "window"}, optional={"note"})
        rule = rules.get(doc["rule"]) if isinstance(doc["rule"], str) else None
        if rule is None or rule.screen_message is None:
            raise _Invalid(f"{where}.rule", "muss eine Regel mit screen sein")
        trigger, context = ("trigger", where), ("context", where)
        for key, tag in (("triggers", trigger), ("context", context)):
            vocabulary = _object(doc[key], f"{where}.{key}", required=set(), optional=_VOCABULARY_KEYS)
            _vocabulary(vocabulary, f"{where}.{key}", lexicon, tag)
        found.append(_LookAlike(rule.id, trigger, context, _int(doc["window"], f"{where}.window", 0)))
    return tuple(found)


def _type_map(
    value: Any, allowed: Mapping[str, str], rules: Mapping[str, Rule], where: str
) -> Mapping[str, str]:
    if not isinstance(value, dict):
        raise _Invalid(where, "muss ein Objekt sein")
    for key, rule_id in value.items():
        if key not in allowed:
            raise _Invalid(f"{where}.{key}", f"unbekannter Typ; erlaubt: {', '.join(allowed)}")
        if not isinstance(rule_id, str) or rule_id not in rules:
            raise _Invalid(f"{where}.{key}", f"unbekannte Regel {rule_id!r}")
    return MappingProxyType(dict(value))


def _type_list(value: Any, allowed: Mapping[str, str]) -> frozenset[str]:
    where = "$.public_institution_types"
    for index, key in enumerate(_list(value, where)):
        if not isinstance(key, str) or key not in allowed:
            raise _Invalid(f"{where}[{index}]", f"unbekannter Typ; erlaubt: {', '.join(allowed)}")
    return frozenset(value)
