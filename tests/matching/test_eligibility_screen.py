"""The topic screen: inflected and compound hints go to review with their words, look-alikes stay open."""

from datetime import date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matching.eligibility import IntakeFacts, decide, load_rules, working_days_between

RULES = load_rules()
TODAY = date(2025, 3, 3)


def screened(topic: str) -> dict[str, tuple[str, ...]]:
    """Decide a harmless school parent talk with this topic; return the rules hit and their words."""
    start = datetime(2025, 3, 31, 10, 0)
    request = IntakeFacts("schule", "elterngespraech", topic, start, start + timedelta(hours=1))

    decision = decide(request, RULES, today=TODAY)

    assert decision.status == ("review" if decision.reasons else "open")
    assert all(reason.effect == "review" for reason in decision.reasons)
    return {reason.rule: reason.triggers for reason in decision.reasons}


HINTS = {
    "legal.court": [
        ("Termin beim Amtsgericht", "Amtsgericht"),
        ("Unterlagen des Familiengerichts", "Familiengerichts"),
        ("Gerichtstermin am Montag", "Gerichtstermin"),
        ("Brief vom Landgericht", "Landgericht"),
        ("Begleitung zum Gericht", "Gericht"),
        ("Welches Gericht ist zuständig?", "Gericht"),
        ("Verhandlung vor dem Sozialgericht", "Sozialgericht"),
        ("Gerichtsverhandlung", "Gerichtsverhandlung"),
        ("Gespräch mit der Familienrichterin", "Familienrichterin"),
        ("Scheidung der Eltern", "Scheidung"),
        ("Räumungsklage", "Räumungsklage"),
        ("Jugendgerichtshilfe", "Jugendgerichtshilfe"),
        ("GERICHTSTERMIN", "GERICHTSTERMIN"),
    ],
    "legal.police": [
        ("Polizeidienststelle Heinsberg", "Polizeidienststelle"),
        ("Termin bei der Polizei", "Polizei"),
        ("polizeiliche Vernehmung", "polizeiliche"),
        ("Anzeige erstatten", "Anzeige"),
        ("Strafanzeige", "Strafanzeige"),
        ("Zeugenaussage zum Unfall", "Zeugenaussage"),
        ("Gespräch mit einer Polizistin", "Polizistin"),
        ("Aussage als Zeugin", "Zeugin"),
        ("Bundespolizei", "Bundespolizei"),
    ],
    "legal.paternity": [
        ("Vaterschaftsanerkennung", "Vaterschaftsanerkennung"),
        ("Anerkennung der Vaterschaft", "Vaterschaft"),
        ("Sorgeerklärung beim Jugendamt", "Sorgeerklärung"),
        ("Sorgeerklaerungen", "Sorgeerklaerungen"),
        ("Fragen zum Sorgerecht", "Sorgerecht"),
        ("gemeinsame Sorge erklären", "Sorge"),
    ],
    "legal.benefits_application": [
        ("Bürgergeldantrag", "Bürgergeldantrag"),
        ("Hilfe beim Wohngeldantrag", "Wohngeldantrag"),
        ("Antrag auf Bürgergeld", "Bürgergeld"),
        ("Buergergeld und Burgergeld", "Burgergeld"),
        ("Kinderzuschlag", "Kinderzuschlag"),
        ("Höhe des Kinderzuschlags", "Kinderzuschlags"),
        ("Leistungen nach dem AsylbLG", "AsylbLG"),
        ("Antrag auf Leistungen stellen", "Leistungen"),
        ("Elterngeld beantragen", "Elterngeld"),
        ("Termin im Jobcenter", "Jobcenter"),
        ("Bildung und Teilhabe", "Teilhabe"),
        ("Unterhaltsvorschuss", "Unterhaltsvorschuss"),
    ],
    "legal.ao_sf": [
        ("AO-SF", "AO-SF"),
        ("AOSF", "AOSF"),
        ("AO SF Gespräch", "SF"),
        ("Elterngespräch im AO-SF-Verfahren", "AO-SF-Verfahren"),
        ("Ao‑Sf", "Ao‑Sf"),
        ("Feststellung des sonderpädagogischen Unterstützungsbedarfs", "sonderpädagogischen"),
    ],
    "legal.other": [
        ("Gespräch mit dem Rechtsanwalt", "Rechtsanwalt"),
        ("Termin bei der Anwältin", "Anwältin"),
        ("Notartermin", "Notartermin"),
        ("Mietvertrag unterschreiben", "Mietvertrag"),
        ("Den Vertrag für die Wohnung unterschreiben", "unterschreiben"),
        ("Versicherung abschließen", "Versicherung"),
        ("Bankkonto eröffnen", "Bankkonto"),
        ("Termin bei der Bank", "Bank"),
        ("Anhörung beim BAMF", "BAMF"),
        ("Asylantrag", "Asylantrag"),
        ("Kündigung der Wohnung", "Kündigung"),
        ("Termin bei der Ausländerbehörde", "Ausländerbehörde"),
    ],
    "medical": [
        ("Zahnarzt", "Zahnarzt"),
        ("Termin beim Kinderarzt besprechen und begleiten", "Kinderarzt"),
        ("Überweisung des Hausarztes", "Hausarztes"),
        ("Gespräch mit der Ärztin", "Ärztin"),
        ("Aerztin", "Aerztin"),
        ("Krankenhaus", "Krankenhaus"),
        ("Krankenhausaufenthalt des Kindes", "Krankenhausaufenthalt"),
        ("Therapie", "Therapie"),
        ("Ergotherapie empfohlen", "Ergotherapie"),
        ("Logopädie", "Logopädie"),
        ("OP-Aufklärung", "OP-Aufklärung"),
        ("Aufklärung vor der OP", "OP"),
        ("Diagnose besprechen", "Diagnose"),
        ("Kinderklinik", "Kinderklinik"),
        ("Arztserie", "Arztserie"),
    ],
}

LOOK_ALIKES = {
    "legal.court": [
        "Mittagessen: welches Gericht?",
        "Welches Gericht gibt es beim Sommerfest?",
        "Gerichte der Weltküche",
        "Lieblingsgericht der Kinder",
        "Das Hauptgericht beim Laternenfest",
        "Entscheidung über die Klassenfahrt",
        "Beurteilung der Mitarbeit",
        "Alles ist eingerichtet",
        "Der Schiedsrichter beim Fußballturnier",
        "Bericht über die Sprachförderung",
    ],
    "legal.police": ["Zeugnisgespräch", "Spielzeug mitbringen", "Die Anzeige im Schaukasten"],
    "legal.paternity": ["Sorgen um die Sprachentwicklung", "Gespräch mit Vater und Mutter"],
    "legal.benefits_application": [
        "Gespräch über die Leistungen im Fach Englisch",
        "Geld für die Klassenfahrt",
        "Anmeldung zur Offenen Ganztagsschule",
    ],
    "legal.ao_sf": ["Kakao beim Frühstück", "Die Sonderpädagogin stellt sich vor"],
    "legal.other": [
        "Die Kinder vertragen sich nicht",
        "Ankündigung des Elternabends",
        "Neue Sitzbank im Garten",
        "Unterhaltung beim Elterncafé",
        "Einverständniserklärung unterschreiben",
    ],
    "medical": [
        "Impfberatung vor der Einschulung",
        "Arztpraxis-Spiel in der Kita",
        "Kooperation mit dem Sportverein",
        "Schwarztee beim Elternfrühstück",
        "Lernstandsdiagnostik in Klasse 3",
        "Hospitation im Unterricht",
    ],
}


@pytest.mark.parametrize(
    ("rule", "topic", "word"), [(rule, topic, word) for rule, cases in HINTS.items() for topic, word in cases]
)
def test_a_hint_in_the_topic_sends_the_request_to_review_with_the_word(rule, topic, word):
    hits = screened(topic)

    assert word in hits[rule]


@pytest.mark.parametrize(
    ("rule", "topic"), [(rule, topic) for rule, topics in LOOK_ALIKES.items() for topic in topics]
)
def test_a_look_alike_does_not_trigger_the_rule(rule, topic):
    assert rule not in screened(topic)


def test_a_dish_is_no_court_but_a_court_beside_a_meal_still_is():
    assert screened("Gerichte der Weltküche beim Sommerfest") == {}
    assert "legal.court" in screened("Nach dem Mittagessen Termin beim Amtsgericht")


def test_the_words_are_reported_once_each_in_the_order_they_stand():
    hits = screened("Zahnarzt, dann Krankenhaus, dann wieder Zahnarzt")

    assert hits == {"medical": ("Zahnarzt", "Krankenhaus")}


def test_one_topic_may_hint_at_several_rules():
    hits = screened("Nach dem Gerichtstermin zum Kinderarzt und danach Wohngeld beantragen")

    assert set(hits) == {"legal.court", "medical", "legal.benefits_application"}


# Arbitrary input: the screen never crashes, never hangs, and a known hint never slips through.

COMPOUNDS = [
    ("Amtsgericht", "legal.court"),
    ("Familiengerichts", "legal.court"),
    ("Gerichtstermin", "legal.court"),
    ("Polizeidienststelle", "legal.police"),
    ("Strafanzeige", "legal.police"),
    ("Vaterschaftsanerkennung", "legal.paternity"),
    ("Sorgeerklärung", "legal.paternity"),
    ("Bürgergeldantrag", "legal.benefits_application"),
    ("Wohngeldantrag", "legal.benefits_application"),
    ("Kinderzuschlag", "legal.benefits_application"),
    ("AO-SF", "legal.ao_sf"),
    ("Rechtsanwalt", "legal.other"),
    ("Asylanhörung", "legal.other"),
    ("Zahnarzt", "medical"),
    ("Kinderarzt", "medical"),
    ("Krankenhaus", "medical"),
    ("OP-Aufklärung", "medical"),
]
# Separators: whitespace, punctuation and control characters, but not the hyphens that join compounds.
SEPARATORS = st.text(
    st.characters(
        categories=["Zs", "Zl", "Zp", "Cc", "P"], exclude_characters="-\u00ad\u2010\u2011\u2012\u2013"
    ),
    min_size=1,
    max_size=5,
)


@settings(max_examples=150, deadline=None)
@given(topic=st.text(max_size=3000))
def test_any_text_gets_a_valid_decision(topic):
    hits = screened(topic)

    assert set(hits) <= set(RULES.rules)
    assert all(words and all(word in topic for word in words) for words in hits.values())


@settings(max_examples=150, deadline=None)
@given(
    before=st.text(max_size=200),
    compound=st.sampled_from(COMPOUNDS),
    left=SEPARATORS,
    right=SEPARATORS,
    after=st.text(max_size=200),
    shout=st.booleans(),
)
def test_a_known_compound_is_never_open_whatever_surrounds_it(before, compound, left, right, after, shout):
    word, rule = compound
    word = word.upper() if shout else word

    hits = screened(before + left + word + right + after)

    assert word in hits[rule]


@settings(max_examples=200, deadline=None)
@given(
    start=st.dates(date(2020, 1, 1), date(2030, 12, 31)),
    days=st.integers(-10, 60),
    holidays=st.frozensets(st.dates(date(2020, 1, 1), date(2031, 3, 1)), max_size=20),
)
def test_working_days_match_a_day_by_day_count(start, days, holidays):
    end = start + timedelta(days=days)
    expected = sum(
        1 for k in range(max(days, 0)) if (d := start + timedelta(days=k)).weekday() < 5 and d not in holidays
    )

    assert working_days_between(start, end, holidays) == expected


@pytest.mark.parametrize(
    ("topic", "rules"),
    [
        ("Gespräch über das Sommerfest und die Gerichte der Weltküche. " * 170_000, set()),
        ("a-" * 5_000_000, set()),
        ("Gericht " * 1_250_000, {"legal.court"}),
        ("\u0000\u200b\U0001f600ä" * 2_500_000, set()),
    ],
    ids=["sentences", "one-hyphenated-word", "repeated-trigger", "unicode-and-controls"],
)
def test_a_ten_megabyte_topic_is_screened_to_the_same_answer_as_a_short_one(topic, rules):
    """A screen with backtracking would not finish on these; how long it takes is the bench's business."""
    assert set(screened(topic)) == rules
