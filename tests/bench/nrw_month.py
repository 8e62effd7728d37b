"""Generate a month of matching work the size of all NRW: 396 municipalities, 4,000 volunteers, 6,400 requests.

The engine's target (issue 16) is a whole state, not one district; the shared samples stop at 60
municipalities and 2,000 volunteers. This generator makes a plausible NRW month in the instance format
of ``shared/spec/matching.md`` so that benchmarks and tests can measure the engine at that size. It is
seeded, so a seed always gives the same instance, and a share takes the first part of the month by
date (a quarter is the first week), so that smaller shares are the beginning of the larger ones.

Run: ``.venv/bin/python -m tests.bench.nrw_month --out FILE [--share 0.25] [--seed 16]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import itertools
import json
import math
import random
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

MUNICIPALITIES = 396
VOLUNTEERS = 4_000
REQUESTS_PER_WEEK = 1_600
WEEKS = 4
MONTH_START = dt.date(2026, 3, 2)  # a Monday
DEFAULT_SEED = 16
REMOTE_SHARE = 0.15

# (name, lat, lon, weight, spread in km): weight is roughly the population share, the Ruhr towns are close
# together so their surroundings overlap and make the densest part of the map.
CITIES = (
    ("Köln", 50.938, 6.957, 10, 14),
    ("Düsseldorf", 51.225, 6.776, 7, 12),
    ("Dortmund", 51.514, 7.465, 6, 12),
    ("Essen", 51.456, 7.012, 6, 10),
    ("Duisburg", 51.435, 6.762, 5, 10),
    ("Bochum", 51.482, 7.216, 4, 9),
    ("Wuppertal", 51.256, 7.150, 4, 10),
    ("Bielefeld", 52.021, 8.532, 3.5, 16),
    ("Bonn", 50.734, 7.099, 3.5, 13),
    ("Münster", 51.961, 7.626, 3.5, 18),
    ("Gelsenkirchen", 51.518, 7.086, 3, 8),
    ("Mönchengladbach", 51.185, 6.442, 3, 12),
    ("Aachen", 50.776, 6.084, 3, 14),
    ("Krefeld", 51.339, 6.586, 2.5, 10),
    ("Oberhausen", 51.470, 6.852, 2.5, 7),
    ("Hagen", 51.367, 7.463, 2, 11),
    ("Hamm", 51.681, 7.817, 2, 13),
    ("Mülheim an der Ruhr", 51.418, 6.884, 2, 7),
    ("Leverkusen", 51.046, 7.019, 2, 9),
    ("Solingen", 51.171, 7.083, 2, 8),
    ("Herne", 51.538, 7.219, 1.5, 7),
    ("Neuss", 51.198, 6.691, 1.5, 9),
    ("Paderborn", 51.718, 8.757, 1.5, 18),
    ("Recklinghausen", 51.614, 7.198, 1.5, 10),
    ("Bottrop", 51.523, 6.929, 1, 7),
    ("Siegen", 50.875, 8.024, 1.5, 18),
    ("Gütersloh", 51.907, 8.378, 1, 14),
    ("Minden", 52.289, 8.917, 1, 16),
    ("Detmold", 51.936, 8.878, 1, 16),
    ("Arnsberg", 51.396, 8.064, 1, 20),
    ("Düren", 50.804, 6.493, 1, 14),
    ("Wesel", 51.658, 6.618, 1, 16),
    ("Kleve", 51.788, 6.139, 0.8, 16),
    ("Borken", 51.844, 6.858, 0.8, 18),
    ("Euskirchen", 50.660, 6.787, 0.8, 16),
    ("Olpe", 51.029, 7.851, 0.6, 16),
)
LAT_RANGE = (50.3, 52.5)
LON_RANGE = (5.9, 9.5)
RURAL_SHARE = 0.15  # municipalities spread over the whole land, away from any centre

# Languages asked for in NRW's KI pools, most common first; the tail (ti, ps, kmr, so, ...) is where
# requests go unplaced, so it must be present. Volunteers' languages follow about the same shares.
LANGUAGES = {
    "uk": 17, "ar": 13, "ru": 12, "fa": 8, "tr": 6, "prs": 4, "kmr": 3.5, "ti": 2.6, "ps": 2.4,
    "so": 2, "ro": 2, "sq": 1.8, "bg": 1.4, "en": 1.6, "fr": 1.5, "sr": 1.4, "ur": 1.2, "ckb": 1.1,
    "pl": 1.1, "el": 0.8, "ka": 0.7, "es": 0.7, "it": 0.7, "vi": 0.6, "ber": 0.6, "mn": 0.5,
    "am": 0.5, "hy": 0.5, "nl": 0.4, "pt": 0.4, "ku": 0.3, "ta": 0.3, "ln": 0.2,
}  # fmt: skip
_LANGUAGE_CODES = list(LANGUAGES)
_LANGUAGE_WEIGHTS = list(itertools.accumulate(LANGUAGES.values()))
DURATIONS = (45, 60, 60, 60, 90, 90, 120)
WEEKDAY_WEIGHTS = (22, 22, 21, 21, 13, 1)  # Monday .. Saturday


def nrw_month(share: float = 1.0, seed: int = DEFAULT_SEED) -> dict[str, Any]:
    """Return the first ``share`` of an NRW-size month (by date) as an instance dict, same for a seed."""
    if not 0 < share <= 1:
        raise ValueError(f"share must be in (0, 1], got {share}")
    rng = random.Random(seed)
    municipalities = _municipalities(rng)
    cum_weights = list(itertools.accumulate(m.pop("weight") for m in municipalities))
    volunteers = [_volunteer(rng, i, municipalities, cum_weights) for i in range(VOLUNTEERS)]
    requests = _requests(rng, municipalities, cum_weights, volunteers)
    requests.sort(key=lambda r: (r["start"], r["id"]))
    return {
        "format": "sprachmittlerpool-matching/1",
        "settings": {"travel_minutes_base": 15, "travel_minutes_per_km": 2.0},
        "municipalities": municipalities,
        "volunteers": volunteers,
        "requests": requests[: round(len(requests) * share)],
    }


def _municipalities(rng: random.Random) -> list[dict[str, Any]]:
    """Each city centre, then places scattered around centres by weight, and some spread over the land."""
    places = [_place(f"m{i}", name, lat, lon, weight) for i, (name, lat, lon, weight, _) in enumerate(CITIES)]
    count: dict[str, int] = defaultdict(int)
    city_weights = [city[3] for city in CITIES]
    while len(places) < MUNICIPALITIES:
        number = len(places)
        if rng.random() < RURAL_SHARE:
            lat, lon = rng.uniform(50.45, 52.35), rng.uniform(6.1, 9.2)
            places.append(_place(f"m{number}", f"Landgemeinde {number}", lat, lon, 0.3))
            continue
        name, lat, lon, weight, spread = rng.choices(CITIES, weights=city_weights)[0]
        north, east = rng.gauss(0, spread), rng.gauss(0, spread)
        lat = min(max(lat + north / 111.2, LAT_RANGE[0]), LAT_RANGE[1])
        lon = min(max(lon + east / (111.2 * math.cos(math.radians(lat))), LON_RANGE[0]), LON_RANGE[1])
        count[name] += 1
        places.append(_place(f"m{number}", f"{name} Umland {count[name]}", lat, lon, weight / 8))
    return places


def _place(ident: str, name: str, lat: float, lon: float, weight: float) -> dict[str, Any]:
    return {"id": ident, "name": name, "lat": round(lat, 4), "lon": round(lon, 4), "weight": weight}


def _volunteer(
    rng: random.Random, index: int, places: list[dict[str, Any]], cum_weights: list[float]
) -> dict[str, Any]:
    languages: list[str] = []
    for _ in range(rng.choices((1, 2, 3), weights=(40, 47, 13))[0]):
        language = _language(rng)
        if language not in languages:
            languages.append(language)
    volunteer: dict[str, Any] = {
        "id": f"v{index}",
        "languages": languages,
        "gender": rng.choices(("f", "m", None), weights=(50, 34, 16))[0],
        "home": rng.choices(places, cum_weights=cum_weights)[0]["id"],
        "max_distance_km": rng.choice((10, 15, 20, 25, 30, 40, 50)),
        "availability": _availability(rng),
        "absences": _absences(rng),
        "max_per_week": rng.choices((1, 2, 3, 4, 5), weights=(15, 30, 28, 15, 12))[0],
        "recent_assignments": rng.randint(0, 8),
        "booked": [],
        "remote": rng.random() < 0.3,
        "qualifications": _qualifications(rng),
    }
    return volunteer


def _language(rng: random.Random) -> str:
    return rng.choices(_LANGUAGE_CODES, cum_weights=_LANGUAGE_WEIGHTS)[0]


def _availability(rng: random.Random) -> list[dict[str, Any]]:
    days = sorted(rng.sample(range(6), rng.choices((2, 3, 4, 5, 6), weights=(22, 24, 25, 26, 3))[0]))
    windows = []
    for day in days:
        start = rng.choice((8, 8, 9, 10, 12, 14))
        end = min(start + rng.choice((4, 5, 6, 8, 10)), 19)
        windows.append({"weekday": day, "start": f"{start:02d}:00", "end": f"{end:02d}:00"})
    return windows


def _absences(rng: random.Random) -> list[dict[str, str]]:
    if rng.random() >= 0.2:
        return []
    first = MONTH_START + dt.timedelta(days=rng.randrange(WEEKS * 7))
    last = first + dt.timedelta(days=rng.randint(1, 9))
    return [{"start": first.isoformat(), "end": last.isoformat()}]


def _qualifications(rng: random.Random) -> dict[str, str | None]:
    """Most are trained; a few hold a clearance, some of which runs out within the month."""
    found: dict[str, str | None] = {}
    if rng.random() < 0.55:
        found["trained"] = None
    if rng.random() < 0.12:
        expiry = MONTH_START + dt.timedelta(days=rng.randrange(-10, 400))
        found["clearance"] = expiry.isoformat()
    return found


def _requests(
    rng: random.Random,
    places: list[dict[str, Any]],
    cum_weights: list[float],
    volunteers: list[dict[str, Any]],
) -> list[dict[str, Any]]:
    speakers: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for volunteer in volunteers:
        for language in volunteer["languages"]:
            speakers[language].append(volunteer)
    where = {place["id"]: place for place in places}
    requests = []
    for number in range(REQUESTS_PER_WEEK * WEEKS):
        week = number // REQUESTS_PER_WEEK
        weekday = rng.choices(range(6), weights=WEEKDAY_WEIGHTS)[0]
        day = MONTH_START + dt.timedelta(days=7 * week + weekday)
        start = dt.datetime.combine(day, dt.time(8)) + dt.timedelta(minutes=15 * rng.randrange(33))
        end = start + dt.timedelta(minutes=rng.choice(DURATIONS))
        language = _language(rng)
        request = {
            "id": f"r{number}",
            "language": language,
            "municipality": rng.choices(places, cum_weights=cum_weights)[0]["id"],
            "start": start.strftime("%Y-%m-%dT%H:%M"),
            "end": end.strftime("%Y-%m-%dT%H:%M"),
            "gender_required": "f" if rng.random() < 0.09 else None,
            "preferred_volunteers": [],
            "excluded_volunteers": [],
            "priority": rng.choices((1, 2, 3), weights=(80, 15, 5))[0],
        }
        _extras(rng, request, functools.partial(_near, speakers[language], request["municipality"], where))
        requests.append(request)
    _bookings(rng, volunteers)
    return requests


def _near(
    speakers: list[dict[str, Any]], place: str, where: dict[str, dict[str, Any]]
) -> list[dict[str, Any]]:
    """The speakers who reach the place: a family's known interpreter lives near, not across the land."""
    target = where[place]
    scale = math.cos(math.radians(target["lat"]))
    near = []
    for volunteer in speakers:
        home = where[volunteer["home"]]
        km = 111.2 * math.hypot(home["lat"] - target["lat"], (home["lon"] - target["lon"]) * scale)
        if km <= volunteer["max_distance_km"]:
            near.append(volunteer)
    return near


def _extras(rng: random.Random, request: dict[str, Any], nearby: Callable[[], list[dict[str, Any]]]) -> None:
    """Phone/video for 15 %, some required qualifications, a known interpreter or an excluded one nearby."""
    draw = rng.random()
    if draw < REMOTE_SHARE:
        request["mode"] = "phone" if draw < REMOTE_SHARE * 0.65 else "video"
    draw = rng.random()
    if draw < 0.12:
        request["requires"] = ["trained"]
    elif draw < 0.14:
        request["requires"] = ["trained", "clearance"]
    for key, share in (("preferred_volunteers", 0.12), ("excluded_volunteers", 0.03)):
        if rng.random() < share and (speakers := nearby()):
            request[key] = [rng.choice(speakers)["id"]]


def _bookings(rng: random.Random, volunteers: list[dict[str, Any]]) -> None:
    """Give about one volunteer in six one or two appointments already fixed, in their own hours and town."""
    for volunteer in volunteers:
        if rng.random() >= 0.16:
            continue
        for _ in range(rng.randint(1, 2)):
            window = rng.choice(volunteer["availability"])
            day = MONTH_START + dt.timedelta(days=7 * rng.randrange(WEEKS) + window["weekday"])
            start = dt.datetime.combine(day, dt.time.fromisoformat(window["start"]))
            end = start + dt.timedelta(minutes=60)
            volunteer["booked"].append(
                {
                    "start": start.strftime("%Y-%m-%dT%H:%M"),
                    "end": end.strftime("%Y-%m-%dT%H:%M"),
                    "municipality": volunteer["home"],
                }
            )


def main(argv: list[str] | None = None) -> int:
    """Write the generated instance to a file."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, help="instance file to write")
    parser.add_argument(
        "--share", type=float, default=1.0, help="first share of the month by date (0.25: one week)"
    )
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args(argv)
    instance = nrw_month(args.share, args.seed)
    Path(args.out).write_text(json.dumps(instance, ensure_ascii=False) + "\n", encoding="utf-8")
    print(
        f"{args.out}: {len(instance['municipalities'])} municipalities, {len(instance['volunteers'])} volunteers, "
        f"{len(instance['requests'])} requests"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
