"""What a matching run says to people while it waits, works and ends: German words, pure.

The page, its progress JSON, the command's output and the run row's phase and error all read from here.
"""

from __future__ import annotations

from sprachmittlerpool.german import decimal

QUEUED_PHASE = "Wartet auf den Start …"
STALE_ERROR = (
    "Die Berechnung wurde abgebrochen: der Hintergrunddienst hat sich nicht mehr gemeldet. "
    "Sie können sie neu starten."
)
UNCLAIMED_ERROR = (
    "Die Berechnung wurde nicht begonnen: es läuft kein Hintergrunddienst für zeitgesteuerte Aufgaben. "
    "Bitte wenden Sie sich an die Technik."
)
INVALID_ERROR = "Die Berechnung hat kein gültiges Ergebnis geliefert. Bitte wenden Sie sich an die Technik."
CRASH_ERROR = (
    "Die Berechnung ist mit einem Fehler abgebrochen. Bitte versuchen Sie es noch einmal "
    "oder wenden Sie sich an die Technik."
)

# What each objective level of matching.md works on, and how its value reads.
LEVEL_WORK = {
    1: "möglichst viele Anfragen besetzen, dringende zuerst",
    2: "gewünschte Sprachmittelnde berücksichtigen",
    3: "Wege kurz halten",
    4: "Einsätze gerecht verteilen",
}


def level_lines(objective: list[int]) -> list[str]:
    """Say in German what each finished level reached (pure: the page, the JSON and the command share it)."""
    words = [
        lambda v: f"Besetzung: {v} Punkte (dringende Anfragen zählen doppelt)",
        lambda v: f"gewünschte Sprachmittelnde berücksichtigt: {v}",
        lambda v: f"Wege zusammen: {decimal(v / 1000)} km",
        lambda v: f"höchste Auslastung: {v} Einsätze in 90 Tagen und neu",
    ]
    return [words[index](value) for index, value in enumerate(objective[: len(words)])]


def level_phase(done: int, levels: int) -> str:
    """Name the level being worked on after `done` levels are finished."""
    if done >= levels:
        return "Ergebnis wird geprüft und gespeichert …"
    return f"Stufe {done + 1} von {levels}: {LEVEL_WORK.get(done + 1, '')} …"
