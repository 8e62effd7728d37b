"""The coordinators' list of requests: by status, period, language, town, institution and free text, in pages.

The filter is a plain value read from the query string, so a filtered list is a bookmark; the query
reads only the pool's own rows and returns the names a person reads, so the page stays a loop.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import or_
from sqlmodel import Session, col, func, select

from sprachmittlerpool.models import (
    Institution,
    InterpretingRequest,
    Language,
    Municipality,
    RequestMode,
    RequestStatus,
    request_language_join,
    request_municipality_join,
)
from sprachmittlerpool.text_check import whole_number

PAGE_SIZE = 50

# The query string names a status in German (bookmarks and links read "?status=nicht-besetzt").
STATUS_SLUGS: dict[str, RequestStatus] = {
    "eingegangen": RequestStatus.SUBMITTED,
    "pruefung": RequestStatus.REVIEW,
    "offen": RequestStatus.OPEN,
    "angefragt": RequestStatus.OFFERED,
    "bestaetigt": RequestStatus.CONFIRMED,
    "durchgefuehrt": RequestStatus.COMPLETED,
    "abgerechnet": RequestStatus.SETTLED,
    "nicht-besetzt": RequestStatus.UNFILLED,
    "abgelehnt": RequestStatus.REJECTED,
    "storniert": RequestStatus.CANCELLED,
    "nicht-erschienen": RequestStatus.NO_SHOW,
}
SLUG_OF = {status: slug for slug, status in STATUS_SLUGS.items()}

# What the coordinator may type as the text: part of the institution's name, the contact's name, the
# address, or the request's number ("17", "Nr. 17").
NUMBER_PREFIXES = ("nr.", "nr", "#")


@dataclass(frozen=True)
class RequestFilter:
    """What the coordinator asked for; every field empty means every request of the pool."""

    status: RequestStatus | None = None
    first: date | None = None  # appointments starting on or after this day
    last: date | None = None  # … and on or before this day
    language: str = ""
    municipality: str = ""
    institution_id: int | None = None
    text: str = ""
    page: int = 1

    @property
    def narrowed(self) -> bool:
        """Tell whether anything but the page was chosen."""
        return replace(self, page=1) != RequestFilter()

    def query_args(self) -> dict[str, str]:
        """Return the filter as query-string values (without the page), the inverse of `parse_filter`."""
        args = {
            "status": SLUG_OF[self.status] if self.status else "",
            "von": self.first.isoformat() if self.first else "",
            "bis": self.last.isoformat() if self.last else "",
            "sprache": self.language,
            "ort": self.municipality,
            "einrichtung": str(self.institution_id) if self.institution_id else "",
            "suche": self.text,
        }
        return {key: value for key, value in args.items() if value}


@dataclass(frozen=True)
class RequestRow:
    """One request as the list shows it."""

    id: int
    start: datetime
    end: datetime
    status: str
    urgent: bool
    language: str
    municipality: str
    institution: str
    contact_name: str
    written: bool = False  # a written translation: its start is the due day, not a time


@dataclass(frozen=True)
class RequestPage:
    """One page of the list and where it stands."""

    rows: list[RequestRow]
    total: int
    page: int
    pages: int


def _day(raw: str, what: str, problems: list[str]) -> date | None:
    raw = raw.strip()
    if not raw:
        return None
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        day = None
    if day is None or not 2000 <= day.year <= 2100:
        problems.append(f"Das Datum „{what}“ ließ sich nicht lesen; es wurde nicht berücksichtigt.")
        return None
    return day


def parse_filter(args: Mapping[str, str]) -> tuple[RequestFilter, list[str]]:
    """Read the filter from query-string values; what cannot be read is left out and named in German."""
    problems: list[str] = []
    status_slug = args.get("status", "").strip()
    first = _day(args.get("von", ""), "von", problems)
    last = _day(args.get("bis", ""), "bis", problems)
    if first and last and last < first:
        problems.append("Das Ende des Zeitraums lag vor dem Anfang; die beiden Tage wurden getauscht.")
        first, last = last, first
    wanted = RequestFilter(
        status=STATUS_SLUGS.get(status_slug),
        first=first,
        last=last,
        language=args.get("sprache", "").strip()[:16],
        municipality=args.get("ort", "").strip()[:64],
        institution_id=whole_number(args.get("einrichtung", "").strip(), max_digits=9),
        text=args.get("suche", "").strip()[:200],
        page=whole_number(args.get("seite", "1"), max_digits=6) or 1,
    )
    return wanted, problems


def _request_number(text: str) -> int | None:
    """Read "17", "Nr. 17" or "#17" as a request number."""
    lowered = text.lower()
    for prefix in NUMBER_PREFIXES:
        if lowered.startswith(prefix):
            lowered = lowered[len(prefix) :].strip()
            break
    return whole_number(lowered, max_digits=9)


def _conditions(pool_id: int, wanted: RequestFilter) -> list[Any]:
    conditions: list[Any] = [InterpretingRequest.pool_id == pool_id]
    if wanted.status is not None:
        conditions.append(InterpretingRequest.status == wanted.status)
    if wanted.first is not None:
        conditions.append(InterpretingRequest.start >= datetime.combine(wanted.first, datetime.min.time()))
    if wanted.last is not None:
        until = datetime.combine(wanted.last + timedelta(days=1), datetime.min.time())
        conditions.append(InterpretingRequest.start < until)
    if wanted.language:
        conditions.append(InterpretingRequest.language_code == wanted.language)
    if wanted.municipality:
        conditions.append(InterpretingRequest.municipality_id == wanted.municipality)
    if wanted.institution_id is not None:
        conditions.append(InterpretingRequest.institution_id == wanted.institution_id)
    if wanted.text:
        matches = [
            col(Institution.name).icontains(wanted.text, autoescape=True),
            col(InterpretingRequest.contact_name).icontains(wanted.text, autoescape=True),
            col(InterpretingRequest.address).icontains(wanted.text, autoescape=True),
        ]
        number = _request_number(wanted.text)
        if number is not None:
            matches.append(col(InterpretingRequest.id) == number)
        conditions.append(or_(*matches))
    return conditions


def find_requests(session: Session, *, pool_id: int, wanted: RequestFilter) -> RequestPage:
    """Return one page of the pool's requests matching `wanted`, by appointment (earliest first)."""
    conditions = _conditions(pool_id, wanted)
    total = session.exec(
        select(func.count())
        .select_from(InterpretingRequest)
        .join(Institution, col(Institution.id) == InterpretingRequest.institution_id)
        .where(*conditions)
    ).one()
    pages = max(1, math.ceil(total / PAGE_SIZE))
    page = min(max(wanted.page, 1), pages)
    statement = (
        select(InterpretingRequest, Language.name_de, Municipality.name, Institution.name)
        .join(Language, request_language_join())
        .join(Municipality, request_municipality_join())
        .join(Institution, col(Institution.id) == InterpretingRequest.institution_id)
        .where(*conditions)
        .order_by(col(InterpretingRequest.start), col(InterpretingRequest.id))
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
    )
    rows = [
        RequestRow(
            id=request.id,
            start=request.start,
            end=request.end,
            status=request.status,
            urgent=request.urgent,
            language=language,
            municipality=municipality,
            institution=institution,
            contact_name=request.contact_name,
            written=request.mode == RequestMode.WRITTEN,
        )
        for request, language, municipality, institution in session.exec(statement).all()
    ]
    return RequestPage(rows, total, page, pages)


def status_counts(session: Session, *, pool_id: int) -> dict[str, int]:
    """Count the pool's requests per status, for the labels of the status choice."""
    rows = session.exec(
        select(InterpretingRequest.status, func.count())
        .where(InterpretingRequest.pool_id == pool_id)
        .group_by(col(InterpretingRequest.status))
    )
    return {str(status): int(count) for status, count in rows.all()}


def institution_choices(session: Session, *, pool_id: int) -> list[tuple[int, str]]:
    """Return the pool's institutions that made a request, by name, for the institution choice."""
    rows = session.exec(
        select(Institution.id, Institution.name)
        .where(Institution.pool_id == pool_id)
        .where(
            col(Institution.id).in_(
                select(InterpretingRequest.institution_id).where(InterpretingRequest.pool_id == pool_id)
            )
        )
        .order_by(func.lower(Institution.name), col(Institution.id))
    )
    return [(int(row_id), name) for row_id, name in rows.all()]
