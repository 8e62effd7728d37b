"""Great-circle distances and travel buffers between municipality centres."""

from __future__ import annotations

import math

import numpy as np

from matching.types import Municipality, Settings

EARTH_RADIUS_KM = 6371.0


def haversine_km(a: Municipality, b: Municipality) -> float:
    """Return the great-circle distance between two centres, as matching.md prescribes."""
    lat1, lon1, lat2, lon2 = map(math.radians, (a.lat, a.lon, b.lat, b.lon))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


class DistanceTable:
    """Distances and travel buffers for every pair of municipalities, computed once.

    Both by pair of ids and as matrices by position in the instance (``index``), for array checks.
    """

    def __init__(self, municipalities: tuple[Municipality, ...], settings: Settings) -> None:
        self.km: dict[tuple[str, str], float] = {}
        self.buffer_minutes: dict[tuple[str, str], int] = {}
        self.index = {m.id: i for i, m in enumerate(municipalities)}
        count = len(municipalities)
        self.km_matrix = np.zeros((count, count), dtype=np.float64)
        self.buffer_matrix = np.zeros((count, count), dtype=np.int64)
        for i, a in enumerate(municipalities):
            self.km[a.id, a.id] = 0.0
            self.buffer_minutes[a.id, a.id] = 0
            for j in range(i + 1, count):
                b = municipalities[j]
                km = haversine_km(a, b)  # the same double both ways: every step of it is symmetric
                buffer = travel_minutes(settings, km)
                self.km[a.id, b.id] = self.km[b.id, a.id] = self.km_matrix[i, j] = self.km_matrix[j, i] = km
                self.buffer_minutes[a.id, b.id] = self.buffer_minutes[b.id, a.id] = buffer
                self.buffer_matrix[i, j] = self.buffer_matrix[j, i] = buffer

    def metres(self, a: str, b: str) -> int:
        """Return the distance in whole metres, the integer unit of the objective."""
        return round(self.km[a, b] * 1000)


def travel_minutes(settings: Settings, km: float) -> int:
    """Return the minutes needed between two appointments in different municipalities."""
    return math.ceil(settings.travel_minutes_base + settings.travel_minutes_per_km * km)
