"""Which volunteers of another pool may be asked for a request: pure rules, no database.

A pool shares a volunteer only with the person's consent, and for what it names: phone and video
requests from anywhere (`shared_remote`), in person only up to `shared_in_person_km` beyond its own
region. The region's border is approximated by its towns: a request's town lies within N km of the
border when the nearest town of the lending pool is at most N km away. The engine's own hard rules
(language, the volunteer's radius, times, qualifications) still decide after this filter.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from matching.geo import haversine_km
from matching.types import Municipality


@dataclass(frozen=True)
class SharedTerms:
    """What a pool allows for one of its volunteers (their consent given)."""

    consented: bool
    remote: bool  # the person takes calls at all
    shared_remote: bool
    shared_in_person_km: int | None


def beyond_border_km(request_town: Municipality, lender_towns: Iterable[Municipality]) -> float | None:
    """Return how far the request's town lies from the lending pool's nearest town (None: no towns)."""
    distances = [haversine_km(request_town, town) for town in lender_towns]
    return min(distances) if distances else None


def may_lend(terms: SharedTerms, *, remote_request: bool, beyond_km: float | None) -> bool:
    """Tell whether the volunteer may be proposed to another pool for this kind of request."""
    if not terms.consented:
        return False
    if remote_request:
        return terms.shared_remote and terms.remote
    return (
        terms.shared_in_person_km is not None
        and beyond_km is not None
        and beyond_km <= terms.shared_in_person_km
    )
