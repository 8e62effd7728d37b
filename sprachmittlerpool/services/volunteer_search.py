"""Finding volunteers: by name, e-mail or phone, language, home town, active or not, free on a day; sorted, in pages.

"Free on a day" asks the same facts the engine's hard rules ask of a day: active, a weekly window on that
weekday, no absence touching it. The filter is a plain value read from the query string, so a search is a
bookmark; the query reads only the pool's own volunteers and their assignments in the pool.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, exists, or_
from sqlmodel import Session, col, func, select

from sprachmittlerpool.models import (
    Absence,
    Assignment,
    AssignmentStatus,
    Availability,
    Language,
    Municipality,
    Volunteer,
    VolunteerLanguage,
)
from sprachmittlerpool.text_check import whole_number

PAGE_SIZE = 50
ACTIVE, INACTIVE = "aktiv", "inaktiv"
SORTS = {"name": "Name", "ort": "Wohnort", "einsaetze": "Einsätze in diesem Jahr"}
PHONE_NOISE = re.compile(r"[\s/()\-]")  # what people put between the digits of a phone number
# "+49 2452 98765" is searched as typed; a leading "+" is not noise, as stored numbers may carry it too.


@dataclass(frozen=True)
class VolunteerFilter:
    """What the coordinator asked for; every field empty means every volunteer of the pool, by name."""

    text: str = ""
    language: str = ""
    municipality: str = ""
    state: str = ""  # ACTIVE, INACTIVE or "" for both
    free_on: date | None = None
    sort: str = "name"
    page: int = 1

    @property
    def narrowed(self) -> bool:
        """Tell whether anything but sort and page was chosen."""
        return replace(self, sort="name", page=1) != VolunteerFilter()

    def query_args(self) -> dict[str, str]:
        """Return the filter as query-string values (without the page), the inverse of `parse_filter`."""
        args = {
            "suche": self.text,
            "sprache": self.language,
            "ort": self.municipality,
            "status": self.state,
            "frei_am": self.free_on.isoformat() if self.free_on else "",
            "sortierung": "" if self.sort == "name" else self.sort,
        }
        return {key: value for key, value in args.items() if value}


@dataclass(frozen=True)
class VolunteerRow:
    """One volunteer as the list shows them."""

    volunteer: Volunteer
    languages: list[str]  # German names
    municipality: str
    assignments_this_year: int


@dataclass(frozen=True)
class VolunteerPage:
    """One page of the list and where it stands."""

    rows: list[VolunteerRow]
    total: int
    page: int
    pages: int


def parse_filter(args: Mapping[str, str]) -> tuple[VolunteerFilter, list[str]]:
    """Read the filter from query-string values; what cannot be read is left out and named in German."""
    problems: list[str] = []
    free_on = None
    raw_day = args.get("frei_am", "").strip()
    if raw_day:
        try:
            free_on = date.fromisoformat(raw_day)
        except ValueError:
            free_on = None
        if free_on is None or not 2000 <= free_on.year <= 2100:
            free_on = None
            problems.append("Das Datum „frei am“ ließ sich nicht lesen; es wurde nicht berücksichtigt.")
    state = args.get("status", "").strip()
    sort = args.get("sortierung", "").strip()
    wanted = VolunteerFilter(
        text=args.get("suche", "").strip()[:200],
        language=args.get("sprache", "").strip()[:16],
        municipality=args.get("ort", "").strip()[:64],
        state=state if state in (ACTIVE, INACTIVE) else "",
        free_on=free_on,
        sort=sort if sort in SORTS else "name",
        page=whole_number(args.get("seite", "1"), max_digits=6) or 1,
    )
    return wanted, problems


def _text_condition(text: str) -> Any:
    matches = [
        col(Volunteer.name).icontains(text, autoescape=True),
        col(Volunteer.email).icontains(text, autoescape=True),
    ]
    digits = PHONE_NOISE.sub("", text)
    if digits.lstrip("+").isdigit():
        phone = col(Volunteer.phone)
        for noise in (" ", "/", "(", ")", "-"):
            phone = func.replace(phone, noise, "")
        matches.append(phone.icontains(digits, autoescape=True))
    return or_(*matches)


def _free_on_conditions(day: date) -> list[Any]:
    """Active, a weekly window on the day's weekday, and no absence touching the day."""
    return [
        col(Volunteer.active),
        col(Volunteer.anonymised_at).is_(None),
        exists().where(Availability.volunteer_id == Volunteer.id, Availability.weekday == day.weekday()),
        ~exists().where(
            Absence.volunteer_id == Volunteer.id, col(Absence.start) <= day, col(Absence.end) >= day
        ),
    ]


def _conditions(pool_id: int, wanted: VolunteerFilter) -> list[Any]:
    conditions: list[Any] = [Volunteer.pool_id == pool_id]
    if wanted.text:
        conditions.append(_text_condition(wanted.text))
    if wanted.language:
        conditions.append(
            exists().where(
                VolunteerLanguage.volunteer_id == Volunteer.id,
                VolunteerLanguage.language_code == wanted.language,
            )
        )
    if wanted.municipality:
        conditions.append(Volunteer.home_id == wanted.municipality)
    if wanted.state == ACTIVE:
        conditions += [col(Volunteer.active), col(Volunteer.anonymised_at).is_(None)]
    elif wanted.state == INACTIVE:
        conditions.append(or_(~col(Volunteer.active), col(Volunteer.anonymised_at).is_not(None)))
    if wanted.free_on is not None:
        conditions += _free_on_conditions(wanted.free_on)
    return conditions


def _year_counts(pool_id: int, year: int) -> Any:
    """Count each volunteer's assignments in the pool with an appointment in `year` (cancelled ones aside)."""
    return (
        select(Assignment.volunteer_id, func.count().label("n"))
        .where(
            Assignment.pool_id == pool_id,
            Assignment.status != AssignmentStatus.CANCELLED,
            Assignment.start >= datetime(year, 1, 1),
            Assignment.start < datetime(year + 1, 1, 1),
        )
        .group_by(col(Assignment.volunteer_id))
        .subquery()
    )


def find_volunteers(session: Session, *, pool_id: int, wanted: VolunteerFilter, today: date) -> VolunteerPage:
    """Return one page of the pool's volunteers matching `wanted`, in the chosen order."""
    conditions = _conditions(pool_id, wanted)
    total = session.exec(select(func.count()).select_from(Volunteer).where(*conditions)).one()
    pages = max(1, math.ceil(total / PAGE_SIZE))
    page = min(max(wanted.page, 1), pages)
    counts = _year_counts(pool_id, today.year)
    assignments = func.coalesce(counts.c.n, 0)
    by_name = [func.lower(Volunteer.name), col(Volunteer.id)]
    order = {
        "name": by_name,
        "ort": [func.lower(func.coalesce(Municipality.name, "")), *by_name],
        "einsaetze": [assignments.desc(), *by_name],
    }[wanted.sort]
    statement = (
        select(Volunteer, Municipality.name, assignments)
        .outerjoin(
            Municipality,
            and_(Municipality.pool_id == Volunteer.pool_id, Municipality.id == Volunteer.home_id),
        )
        .outerjoin(counts, counts.c.volunteer_id == Volunteer.id)
        .where(*conditions)
        .order_by(*order)
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
    )
    found = session.exec(statement).all()
    languages = _language_names(session, [volunteer.id for volunteer, _, _ in found])
    rows = [
        VolunteerRow(volunteer, languages.get(volunteer.id, []), town or volunteer.home_id, int(n))
        for volunteer, town, n in found
    ]
    return VolunteerPage(rows, total, page, pages)


def _language_names(session: Session, volunteer_ids: list[int | None]) -> dict[int, list[str]]:
    """Return the German names of each listed volunteer's languages, sorted."""
    if not volunteer_ids:
        return {}
    rows = session.exec(
        select(VolunteerLanguage.volunteer_id, Language.name_de)
        .join(
            Language,
            and_(
                Language.pool_id == VolunteerLanguage.pool_id,
                Language.code == VolunteerLanguage.language_code,
            ),
        )
        .where(col(VolunteerLanguage.volunteer_id).in_(volunteer_ids))
        .order_by(col(Language.name_de))
    )
    names: dict[int, list[str]] = defaultdict(list)
    for volunteer_id, name in rows.all():
        names[volunteer_id].append(name)
    return dict(names)
