"""The pure sharing rules: what a pool's terms allow for a call and for an appointment in person."""

from __future__ import annotations

from matching.types import Municipality as Town
from sprachmittlerpool.sharing import SharedTerms, beyond_border_km, may_lend

HEINSBERG = Town("heinsberg", "Heinsberg", 51.0631, 6.0964)
VIERSEN = Town("viersen", "Viersen", 51.2556, 6.3917)
NETTETAL = Town("nettetal", "Nettetal", 51.3125, 6.28)


def test_a_call_needs_remote_sharing_and_a_person_who_takes_calls():
    assert may_lend(SharedTerms(True, True, True, None), remote_request=True, beyond_km=None)
    assert not may_lend(SharedTerms(True, False, True, None), remote_request=True, beyond_km=None)
    assert not may_lend(SharedTerms(True, True, False, 50), remote_request=True, beyond_km=None)
    assert not may_lend(SharedTerms(False, True, True, None), remote_request=True, beyond_km=None)


def test_in_person_only_up_to_the_shared_distance_beyond_the_nearest_town():
    beyond = beyond_border_km(HEINSBERG, [VIERSEN, NETTETAL])
    assert beyond is not None and 25 < beyond < 35  # Nettetal is nearer than Viersen
    assert may_lend(SharedTerms(True, False, False, 35), remote_request=False, beyond_km=beyond)
    assert not may_lend(SharedTerms(True, False, False, 25), remote_request=False, beyond_km=beyond)
    assert not may_lend(SharedTerms(True, True, True, None), remote_request=False, beyond_km=beyond)
    assert beyond_border_km(HEINSBERG, []) is None
