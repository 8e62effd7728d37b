"""Why a request stays unplaced: the first rule that leaves it without any candidate."""

from __future__ import annotations

from matching.candidates import Context, gender_fits, not_excluded, speaks_language, time_fits, within_reach
from matching.types import Request


def reason_for(context: Context, request: Request) -> str:
    """Return the reason code of matching.md for an unplaced request."""
    left = [v for v in context.instance.volunteers if speaks_language(v, request)]
    if not left:
        return "no_language"
    left = [v for v in left if within_reach(context.km(v, request), v)]
    if not left:
        return "no_reach"
    left = [v for v in left if gender_fits(v, request)]
    if not left:
        return "no_gender"
    left = [v for v in left if time_fits(v, request)]
    if not left:
        return "no_time"
    if not any(not_excluded(v, request) for v in left):
        return "excluded"
    return "capacity"
