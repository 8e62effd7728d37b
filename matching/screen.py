"""Rules 1-4 and 9 for all volunteers of an instance at once, as boolean arrays.

At state size a request has hundreds of volunteers who speak its language; checking each of them in
Python took most of the time before the first LP (7 s of the NRW month). Here a request is screened
by a few array operations over all volunteers; only the rare per-pair rules (exclusions and
qualifications, rules 5 and 8) and bookings are left to Python, for the volunteers that pass. The
checks are the same comparisons as the named rules in ``matching/candidates.py``, on the same floats.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from matching.geo import DistanceTable
from matching.types import Instance, Request

Flags = np.ndarray  # one bool per volunteer


class Screen:
    """Per-volunteer facts as arrays, and the flags of the volunteers a request's rules let through."""

    def __init__(self, instance: Instance, distances: DistanceTable) -> None:
        volunteers = instance.volunteers
        self.place_index = distances.index
        self.km = distances.km_matrix
        self.home = np.array([self.place_index[v.home] for v in volunteers], dtype=np.intp)
        self.reach = np.array([v.max_distance_km for v in volunteers], dtype=np.float64)
        self.remote = np.array([v.remote for v in volunteers], dtype=bool)
        self.written = np.array([v.written for v in volunteers], dtype=bool)
        self.gender = np.array([v.gender for v in volunteers], dtype=object)  # None equals no required gender
        self.nobody = np.zeros(len(volunteers), dtype=bool)
        self._speakers: dict[str, Flags] = {}
        for index, volunteer in enumerate(volunteers):
            for language in volunteer.languages:
                self._speakers.setdefault(language, self.nobody.copy())[index] = True
        windows = [(i, w.weekday, w.start, w.end) for i, v in enumerate(volunteers) for w in v.availability]
        self._windows = np.array(windows, dtype=np.int64).reshape(-1, 4)
        absences = [
            (i, a.start.toordinal(), a.end.toordinal()) for i, v in enumerate(volunteers) for a in v.absences
        ]
        self._absences = np.array(absences, dtype=np.int64).reshape(-1, 3)
        self._in_window: dict[tuple[int, int, int], Flags] = {}
        self._present: dict[int, Flags] = {}

    def candidates(self, request: Request) -> list[tuple[int, int]]:
        """Each volunteer the screen lets through, by index, with the metres it travels (0: nobody travels)."""
        chosen = self.passing(request).nonzero()[0]
        if request.remote:
            metres = np.zeros(len(chosen), dtype=np.int64)
        else:
            # as round(km * 1000): both round the same double half to even
            km = self.km[self.home[chosen], self.place_index[request.municipality]]
            metres = np.rint(km * 1000).astype(np.int64)
        return list(zip(chosen.tolist(), metres.tolist(), strict=True))

    def passing(self, request: Request) -> Flags:
        """Flags of the volunteers that rules 1-4 and the request's mode (rule 9) let through."""
        speakers = self._speakers.get(request.language)
        if speakers is None:
            return self.nobody
        day = request.start.date()
        if request.written:  # no window and no travel: only an absence on the due day keeps one out
            flags = speakers & self.written & self.present(day)
        elif request.end.date() != day:
            return self.nobody
        else:
            start = request.start.hour * 60 + request.start.minute
            end = request.end.hour * 60 + request.end.minute
            flags = speakers & self.in_window(day.weekday(), start, end) & self.present(day)
            if request.remote:
                flags &= self.remote
            else:
                flags &= self.km[self.home, self.place_index[request.municipality]] <= self.reach
        if request.gender_required is not None:
            flags &= self.gender == request.gender_required
        return flags

    def in_window(self, weekday: int, start: int, end: int) -> Flags:
        """Rule 4's window: flags of volunteers with a window of the weekday around start to end."""
        key = weekday, start, end
        if key not in self._in_window:
            w = self._windows
            covering = (w[:, 1] == weekday) & (w[:, 2] <= start) & (end <= w[:, 3])
            flags = self.nobody.copy()
            flags[w[covering, 0]] = True
            self._in_window[key] = flags
        return self._in_window[key]

    def present(self, day: dt.date) -> Flags:
        """Rule 4's absences: flags of volunteers absent on none of their absences covering the day."""
        ordinal = day.toordinal()
        if ordinal not in self._present:
            a = self._absences
            away = a[(a[:, 1] <= ordinal) & (ordinal <= a[:, 2]), 0]
            flags = ~self.nobody
            flags[away] = False
            self._present[ordinal] = flags
        return self._present[ordinal]
