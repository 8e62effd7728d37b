"""The report's feedback figures: how many answered per side, the average rating, the spread 1–5, debriefing wishes.

Feedback counts by the day it arrived. Free text never enters a report: only ratings and the debriefing
flag are read. The counting is a pure function over (side, rating, debriefing) triples, tested without a database.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from sqlmodel import Session, col, select

from sprachmittlerpool.models import Feedback, FeedbackSide
from sprachmittlerpool.services.report_breakdowns import bounds

SIDE_NAMES = {FeedbackSide.VOLUNTEER: "Sprachmittelnde", FeedbackSide.INSTITUTION: "Einrichtungen"}


@dataclass(frozen=True)
class SideFigures:
    """One side's answers in the period."""

    side: str
    received: int
    distribution: tuple[int, int, int, int, int]  # how many gave 1, 2, 3, 4, 5

    @property
    def name(self) -> str:
        """Name the side as the report says it."""
        return SIDE_NAMES[FeedbackSide(self.side)]

    @property
    def average(self) -> Decimal | None:
        """Return the mean rating to one decimal, None without answers."""
        if not self.received:
            return None
        total = sum(rating * count for rating, count in enumerate(self.distribution, start=1))
        return (Decimal(total) / self.received).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class FeedbackFigures:
    """Both sides' answers and the debriefing talks asked for in the period."""

    sides: tuple[SideFigures, ...]
    debriefings: int


def count(answers: Iterable[tuple[str, int, bool]]) -> FeedbackFigures:
    """Count (side, rating, debriefing wanted) answers; ratings outside 1–5 cannot be stored and are not expected."""
    spread = {side: [0] * 5 for side in FeedbackSide}
    debriefings = 0
    for side, rating, debriefing in answers:
        spread[FeedbackSide(side)][rating - 1] += 1
        debriefings += bool(debriefing)
    sides = tuple(
        SideFigures(side=side.value, received=sum(spread[side]), distribution=tuple(spread[side]))  # type: ignore[arg-type]
        for side in FeedbackSide
    )
    return FeedbackFigures(sides=sides, debriefings=debriefings)


def feedback_figures(session: Session, start: date, end: date, *, pool_id: int) -> FeedbackFigures:
    """Count the pool's feedback that arrived in the period (ratings and flags only, never the comment)."""
    lo, hi = bounds(start, end)
    rows = session.exec(
        select(Feedback.side, Feedback.rating, Feedback.debriefing_wanted).where(
            Feedback.pool_id == pool_id,
            col(Feedback.submitted_at) >= lo,
            col(Feedback.submitted_at) < hi,
        )
    ).all()
    return count((side, int(rating), bool(wanted)) for side, rating, wanted in rows if rating is not None)


def rows(figures: FeedbackFigures) -> list[tuple[str, str, str]]:
    """Flatten the figures into the report's (section, label, value) rows."""
    section = "Rückmeldungen nach Einsätzen"
    out = []
    for side in figures.sides:
        average = "–" if side.average is None else str(side.average).replace(".", ",")
        out += [
            (section, f"Eingegangen von {side.name}", str(side.received)),
            (section, f"Durchschnittliche Bewertung {side.name} (1 bis 5)", average),
            *(
                (section, f"Bewertung {rating} von {side.name}", str(number))
                for rating, number in enumerate(side.distribution, start=1)
            ),
        ]
    out.append((section, "Nachgespräch gewünscht", str(figures.debriefings)))
    return out
