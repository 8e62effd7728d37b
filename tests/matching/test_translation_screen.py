"""Written and certified translations in the topic: plain phrases refuse, talks about documents stay open."""

from datetime import date, datetime, timedelta

import pytest

from matching.effective_rules import effective_rules, state_document
from matching.eligibility import CERTIFIED, WRITTEN, IntakeFacts, decide, load_rules

RULES = load_rules()
BROKERING = effective_rules(
    state_document(), overrides={}, lead_working_days=None, max_duration_minutes=None, brokers_written=True
)
TODAY = date(2025, 3, 3)
START = datetime(2025, 3, 31, 10, 0)


def decided(topic: str, rules=RULES, *, written: bool = False):
    facts = IntakeFacts("schule", "sonstiges", topic, START, START + timedelta(hours=1), written=written)
    return decide(facts, rules, today=TODAY)


WRITTEN_TOPICS = [
    "Schriftliche Übersetzung eines Zeugnisses",
    "schriftliche Übersetzungen für die Anmeldung",
    "Bitte das Zeugnis übersetzen",
    "Zeugnis übersetzen lassen",
    "Zeugnisse ins Deutsche übersetzen",
    "Übersetzung von zwei Zeugnissen aus der Ukraine",
    "Dokument übersetzen",
    "Dokumente übersetzen für die Schulanmeldung",
    "Übersetzung von Urkunden",
    "Übersetzung der Geburtsurkunde",
    "Übersetzung von Unterlagen",
    "Unterlagen übersetzen",
    "Übersetzung eines Bescheids vom Schulamt",
    "den Bescheid übersetzen",
    "Urkundenübersetzung",
    "Zeugnisübersetzung für die Schule",
    "Dokumentenübersetzung",
    "Elternbrief übersetzen",
    "Der Elternbrief soll übersetzt werden",
    "Übersetzung eines Schreibens der Schule",
    "Flyer für das Sommerfest übersetzen",
    "Einladung zum Sommerfest übersetzen",
    "Text übersetzen (2 Seiten)",
    "Schulzeugnis übersetzt benötigt",
    "Uebersetzung der Heiratsurkunde",
    "Ubersetzung Zeugnis",
    "Übersetzung (schriftlich) des Lebenslaufs",
    "Wir benötigen die Bescheinigung übersetzt",
    "ÜBERSETZUNG DER ZEUGNISSE",
    "Zeugnis-Übersetzung",
    "Übersetzung Arbeitszeugnis",
    "Zeugnisse aus Syrien sollen übersetzt werden",
    "übersetzen von 3 Dokumenten",
    "Anmeldeformulare übersetzen",
]

TALK_TOPICS = [
    "Elterngespräch über das Zeugnis",
    "Gespräch zum Halbjahreszeugnis",
    "Zeugnisausgabe mit den Eltern",
    "Übersetzung beim Elterngespräch über das Zeugnis",
    "Übersetzen beim Gespräch über den Bescheid",
    "Wir brauchen jemanden zum Übersetzen beim Elternsprechtag, Thema Zeugnis",
    "Zeugnisgespräch bitte übersetzen",
    "Beratung zu den Unterlagen für die Kita, bitte mündlich übersetzen",
    "Informationsabend: Übersetzung der Einladung wird mündlich erklärt",
    "Die Mutter bringt die Unterlagen mit",
    "Anmeldung in der Schule, Zeugnis liegt vor",
    "Übersetzer für das Elterngespräch",
    "Hausbesuch, die Familie zeigt Dokumente, bitte übersetzen",
    "Brief der Schule im Gespräch erklären",
    "Entwicklungsgespräch",
    "Gespräch mit der Mutter, die möchte, dass wir die Zeugnisnoten übersetzen",
    "Übersetzen bei der Anmeldung, Unterlagen werden mitgebracht",
    "Vorlesen und Übersetzen eines Briefes beim Hausbesuch",
    "Übersetzungshilfe beim Zeugnisgespräch",
    "Dolmetschen Elterngespräch Zeugnis",
]


@pytest.mark.parametrize("topic", WRITTEN_TOPICS)
def test_written_translation_is_refused_where_the_pool_does_not_broker_it(topic):
    decision = decided(topic)

    assert decision.status == "rejected"
    assert [r.rule for r in decision.reasons if r.effect == "reject"] == [WRITTEN]
    assert "Schriftliche Übersetzungen" in RULES.rules[WRITTEN].title


@pytest.mark.parametrize("topic", WRITTEN_TOPICS)
def test_written_translation_asked_as_a_talk_goes_to_review_where_the_pool_brokers_it(topic):
    decision = decided(topic, BROKERING)

    assert decision.status == "review"
    assert [r.rule for r in decision.reasons] == [WRITTEN]
    assert "prüft" in decision.reasons[0].message


@pytest.mark.parametrize("topic", WRITTEN_TOPICS)
def test_a_written_request_is_not_screened_for_being_written(topic):
    assert decided(topic, BROKERING, written=True).status == "open"


@pytest.mark.parametrize("topic", TALK_TOPICS)
def test_talks_about_documents_are_not_caught(topic):
    assert decided(topic).reasons == ()


CERTIFIED_TOPICS = [
    "beglaubigte Übersetzung der Geburtsurkunde für das Standesamt",
    "Beglaubigte Übersetzungen",
    "Zeugnis übersetzen und beglaubigen lassen",
    "vereidigter Übersetzer für die Heiratsurkunde",
    "amtliche Übersetzung des Führerscheins",
    "Übersetzungsbeglaubigung",
    "Apostille und Übersetzung",
]


@pytest.mark.parametrize("topic", CERTIFIED_TOPICS)
@pytest.mark.parametrize("rules", [RULES, BROKERING], ids=["not_brokering", "brokering"])
def test_certified_translation_is_refused_in_every_pool(topic, rules):
    for written in (False, True):
        decision = decided(topic, rules, written=written)

        assert decision.status == "rejected"
        assert CERTIFIED in [r.rule for r in decision.reasons if r.effect == "reject"]


@pytest.mark.parametrize(
    "topic", ["Einladung zum Elternabend übersetzen", "Zeugnis übersetzen, bei Fragen bitte anrufen"]
)
def test_a_written_task_next_to_a_word_of_talks_is_let_through_not_refused(topic):
    # "Elternabend" may be the event to interpret at, "übersetzen, bei …" reads like "übersetzen bei der
    # Anmeldung": in doubt the screen refuses nothing (a talk request as before)
    assert decided(topic).status == "open"


def test_a_certified_copy_without_translation_is_no_certified_translation():
    assert decided("Beglaubigte Kopie des Ausweises mitbringen, Anmeldung").reasons == ()


def test_an_official_letter_to_translate_is_a_written_translation_not_a_certified_one():
    decision = decided("amtliches Schreiben übersetzen", BROKERING, written=True)

    assert decision.status == "open"


def test_a_written_request_has_no_longest_assignment():
    facts = IntakeFacts("schule", "sonstiges", "", START, START.replace(hour=23, minute=59), written=True)

    assert decide(facts, BROKERING, today=TODAY).status == "open"
