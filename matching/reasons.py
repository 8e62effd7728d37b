"""Why a request stays unplaced: the first rule that leaves it without any candidate."""

from __future__ import annotations

from matching.candidates import (
    Context,
    gender_fits,
    not_excluded,
    qualified,
    speaks_language,
    takes_mode,
    time_fits,
)
from matching.types import Request


def reason_for(context: Context, request: Request) -> str:
    """Return the reason code of matching.md for an unplaced request."""
    left = [v for v in context.instance.volunteers if speaks_language(v, request)]
    if not left:
        return "no_language"
    if request.remote:
        # a phone or video request (a written translation) ignores reach (rule 2) and asks for remote
        # (written) work (rule 9) in its place
        left = [v for v in left if takes_mode(v, request)]
        if not left:
            return "no_written" if request.written else "no_remote"
    left = [v for v in left if context.reaches(v, request)]
    if not left:
        return "no_reach"
    left = [v for v in left if gender_fits(v, request)]
    if not left:
        return "no_gender"
    left = [v for v in left if time_fits(v, request)]
    if not left:
        return "no_time"
    left = [v for v in left if not_excluded(v, request)]
    if not left:
        return "excluded"
    if not any(qualified(v, request) for v in left):
        return "no_qualified"
    return "capacity"
