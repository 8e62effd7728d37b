"""Wall-clock times in Europe/Berlin: some do not exist (the night the clocks go forward)."""

from __future__ import annotations

from datetime import UTC, datetime

from sprachmittlerpool.models import BERLIN


def exists_in_berlin(moment: datetime) -> bool:
    """Tell whether a naive local time is shown on Berlin's clocks (02:00–02:59 is skipped in spring)."""
    there_and_back = moment.replace(tzinfo=BERLIN).astimezone(UTC).astimezone(BERLIN)
    return there_and_back.replace(tzinfo=None) == moment


def missing_hour_message(moment: datetime) -> str:
    """Say in German why the time cannot be booked."""
    return (
        f"Die Uhrzeit {moment:%H:%M} gibt es am {moment:%d.%m.%Y} nicht: in dieser Nacht wird die Uhr "
        "von 2 auf 3 Uhr vorgestellt. Bitte wählen Sie eine andere Uhrzeit."
    )
