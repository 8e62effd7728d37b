"""Run the matching engine over the pool: rows become the engine's instance here and nowhere else.

The engine (``matching``) knows nothing of the database. This service builds its instance
from the open requests and the active volunteers, solves it, re-checks the result with
``matching.validate``, and keeps the run (with the reasons for each proposal and each
unplaced request) in a ``MatchingRun`` row, so that every worker shows the same proposals.
Confirming a proposal goes through ``services.offers.make_offer``.
"""

from __future__ import annotations

import logging
import time as clock
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, col, func, select

import matching
from sprachmittlerpool.german import decimal
from sprachmittlerpool.models import (
    Absence,
    Assignment,
    AssignmentStatus,
    AuditEvent,
    Availability,
    Institution,
    InterpretingRequest,
    Language,
    MatchingRun,
    Municipality,
    Offer,
    OfferStatus,
    Pool,
    RequestMode,
    RequestStatus,
    RunStatus,
    Volunteer,
    VolunteerLanguage,
)
from sprachmittlerpool.services.qualifications import engine_qualifications, required_for

log = logging.getLogger(__name__)

RECENT_DAYS = 90
URGENT_PRIORITY = 2  # an urgent request outweighs a normal one when both compete for one person
EXCLUDING_OFFER_STATES = (OfferStatus.DECLINED, OfferStatus.EXPIRED)
HOLDING_ASSIGNMENT_STATES = (AssignmentStatus.CONFIRMED,)
RECENT_ASSIGNMENT_STATES = (AssignmentStatus.CONFIRMED, AssignmentStatus.COMPLETED)

Progress = Callable[[str], None]

REASON_TEXTS = {
    "no_language": "Niemand im Pool spricht diese Sprache.",
    "no_reach": "Niemand, der die Sprache spricht, wohnt nah genug am Termin.",
    "no_gender": "Niemand mit dem gewünschten Geschlecht spricht die Sprache und wohnt nah genug.",
    "no_time": "Niemand Passendes ist zu dieser Zeit verfügbar (Wochenplan oder Abwesenheit).",
    "no_remote": "Niemand, der die Sprache spricht, übernimmt Telefon- oder Videotermine.",
    "no_written": "Niemand, der die Sprache spricht, übernimmt schriftliche Übersetzungen.",
    "excluded": "Alle Passenden haben diese Anfrage schon abgelehnt oder das Angebot verfallen lassen.",
    "no_qualified": "Den Passenden fehlt ein Nachweis, den diese Einrichtungsart verlangt "
    "(z. B. ein gültiges erweitertes Führungszeugnis am Tag des Termins).",
    "capacity": "Die Passenden sind zu dieser Zeit schon gebunden (andere Einsätze, Angebote oder Wochenhöchstzahl).",
}


class MatchingFailed(RuntimeError):
    """The engine's result broke a hard rule even after the greedy fallback; nothing is shown."""


def _hhmm(value: Any) -> str:
    return value.strftime("%H:%M")


def _stamp(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M")


def build_instance_data(session: Session, *, pool_id: int, now: datetime) -> dict[str, Any]:
    """Return the instance (format sprachmittlerpool-matching/1) of a pool's open future requests and active volunteers."""
    requests = session.exec(
        select(InterpretingRequest)
        .where(
            InterpretingRequest.pool_id == pool_id,
            InterpretingRequest.status == RequestStatus.OPEN,
            InterpretingRequest.start > now,
        )
        .order_by(col(InterpretingRequest.start), col(InterpretingRequest.id))
    ).all()
    volunteers = session.exec(
        select(Volunteer)
        .where(Volunteer.pool_id == pool_id, col(Volunteer.active), col(Volunteer.anonymised_at).is_(None))
        .order_by(col(Volunteer.id))
    ).all()
    return assemble_instance(session, requests, volunteers, viewpoint=pool_id, now=now)


def town_key(viewpoint: int | None, pool_id: int, town_id: str) -> str:
    """Name a town in an instance: by its id in the viewpoint's own pool, as 'pool/id' in another pool.

    A lent volunteer's bookings lie in the borrowing pool's towns, and a loan's instance mixes the
    towns of two pools whose ids may coincide; the prefix keeps them apart.
    """
    return town_id if pool_id == viewpoint else f"{pool_id}/{town_id}"


def assemble_instance(
    session: Session,
    requests: Sequence[InterpretingRequest],
    volunteers: Sequence[Volunteer],
    *,
    viewpoint: int | None,
    now: datetime,
    excluded: Mapping[int, set[int]] | None = None,
) -> dict[str, Any]:
    """Build the instance of the given requests and volunteers; towns are named as `town_key` says."""
    volunteer_ids = [v.id for v in volunteers]
    week_start = datetime.combine(now.date() - timedelta(days=now.weekday()), datetime.min.time())
    volunteers_data = _volunteers_data(
        session, volunteers, volunteer_ids, now=now, week_start=week_start, viewpoint=viewpoint
    )
    requests_data = _requests_data(
        session, requests, set(volunteer_ids), viewpoint=viewpoint, also_excluded=excluded or {}
    )
    keys = {v["home"] for v in volunteers_data} | {r["municipality"] for r in requests_data}
    keys |= {b["municipality"] for v in volunteers_data for b in v["booked"]}
    return {
        "format": "sprachmittlerpool-matching/1",
        "municipalities": _towns(session, keys, viewpoint=viewpoint),
        "volunteers": volunteers_data,
        "requests": requests_data,
    }


def _towns(session: Session, keys: set[str], *, viewpoint: int | None) -> list[dict[str, Any]]:
    """List the viewpoint pool's towns (all of them, as before) and every other pool's town a key names."""
    towns = []
    if viewpoint is not None:
        towns = list(
            session.exec(
                select(Municipality).where(Municipality.pool_id == viewpoint).order_by(col(Municipality.id))
            ).all()
        )
    foreign = {tuple(key.split("/", 1)) for key in keys if "/" in key}
    for pool_text, town_id in sorted(foreign):
        town = session.get(Municipality, (int(pool_text), town_id))
        if town is not None:
            towns.append(town)
    return [
        {"id": town_key(viewpoint, m.pool_id, m.id), "name": m.name, "lat": m.lat, "lon": m.lon}
        for m in towns
    ]


def _volunteers_data(
    session: Session,
    volunteers: Iterable[Volunteer],
    ids: list[int | None],
    *,
    now: datetime,
    week_start: datetime,
    viewpoint: int | None,
) -> list[dict[str, Any]]:
    languages = _grouped(
        session.exec(select(VolunteerLanguage).where(col(VolunteerLanguage.volunteer_id).in_(ids)))
    )
    windows = _grouped(session.exec(select(Availability).where(col(Availability.volunteer_id).in_(ids))))
    absences = _grouped(
        session.exec(select(Absence).where(col(Absence.volunteer_id).in_(ids), Absence.end >= now.date()))
    )
    booked = _bookings(session, ids, since=week_start, viewpoint=viewpoint)
    qualifications = engine_qualifications(session, ids)
    recent = dict(
        session.exec(
            select(Assignment.volunteer_id, func.count())
            .where(
                col(Assignment.volunteer_id).in_(ids),
                col(Assignment.status).in_(RECENT_ASSIGNMENT_STATES),
                Assignment.start >= now - timedelta(days=RECENT_DAYS),
                Assignment.start <= now,
            )
            .group_by(col(Assignment.volunteer_id))
        ).all()
    )
    return [
        {
            "id": str(v.id),
            "languages": sorted(row.language_code for row in languages[v.id]),
            "gender": v.gender,
            "home": town_key(viewpoint, v.pool_id, v.home_id),
            "max_distance_km": v.max_distance_km,
            "availability": [
                {"weekday": w.weekday, "start": _hhmm(w.start), "end": _hhmm(w.end)}
                for w in sorted(windows[v.id], key=lambda w: (w.weekday, w.start))
            ],
            "absences": [
                {"start": a.start.isoformat(), "end": a.end.isoformat()}
                for a in sorted(absences[v.id], key=lambda a: a.start)
            ],
            "max_per_week": v.max_per_week,
            "booked": sorted(booked[v.id], key=lambda b: b["start"]),
            "recent_assignments": recent.get(v.id, 0),
            "remote": v.remote,
            "written": v.written,
            "qualifications": qualifications.get(v.id, {}),
        }
        for v in volunteers
    ]


def _grouped(rows: Iterable[Any]) -> defaultdict[int, list[Any]]:
    groups: defaultdict[int, list[Any]] = defaultdict(list)
    for row in rows:
        groups[row.volunteer_id].append(row)
    return groups


def _bookings(
    session: Session, ids: list[int | None], *, since: datetime, viewpoint: int | None
) -> defaultdict[int, list[dict[str, str]]]:
    """Collect the time already held: confirmed assignments and pending offers (the volunteer may still accept).

    In every pool: a volunteer lent to another pool is busy there too.
    """
    booked: defaultdict[int, list[dict[str, str]]] = defaultdict(list)
    assignments = session.exec(
        select(Assignment, InterpretingRequest.pool_id, InterpretingRequest.municipality_id)
        .join(InterpretingRequest, col(InterpretingRequest.id) == Assignment.request_id)
        .where(
            col(Assignment.volunteer_id).in_(ids),
            col(Assignment.status).in_(HOLDING_ASSIGNMENT_STATES),
            Assignment.end >= since,
        )
    ).all()
    for assignment, pool_id, municipality in assignments:
        booked[assignment.volunteer_id].append(
            {
                "start": _stamp(assignment.start),
                "end": _stamp(assignment.end),
                "municipality": town_key(viewpoint, pool_id, municipality),
            }
            | _written_booking(assignment.written)
        )
    offers = session.exec(
        select(Offer.volunteer_id, InterpretingRequest)
        .join(InterpretingRequest, col(InterpretingRequest.id) == Offer.request_id)
        .where(
            col(Offer.volunteer_id).in_(ids),
            Offer.status == OfferStatus.PENDING,
            InterpretingRequest.end >= since,
        )
    ).all()
    for volunteer_id, request in offers:
        booked[volunteer_id].append(
            {
                "start": _stamp(request.start),
                "end": _stamp(request.end),
                "municipality": town_key(viewpoint, request.pool_id, request.municipality_id),
            }
            | _written_booking(request.mode == RequestMode.WRITTEN)
        )
    return booked


def _written_booking(written: bool) -> dict[str, bool]:
    """Mark a written translation's booking, which holds no hour of its due day (absent: the old format)."""
    return {"written": True} if written else {}


def _requests_data(
    session: Session,
    requests: Sequence[InterpretingRequest],
    volunteer_ids: set[int | None],
    *,
    viewpoint: int | None,
    also_excluded: Mapping[int, set[int]],
) -> list[dict[str, Any]]:
    request_ids = [r.id for r in requests]
    pools = {
        p.id: p for p in session.exec(select(Pool).where(col(Pool.id).in_({r.pool_id for r in requests})))
    }
    types = dict(
        session.exec(
            select(Institution.id, Institution.type).where(
                col(Institution.id).in_([r.institution_id for r in requests])
            )
        ).all()
    )
    excluded: defaultdict[int, set[str]] = defaultdict(set)
    for request_id, volunteer_id in session.exec(
        select(Offer.request_id, Offer.volunteer_id).where(
            col(Offer.request_id).in_(request_ids), col(Offer.status).in_(EXCLUDING_OFFER_STATES)
        )
    ).all():
        excluded[request_id].add(str(volunteer_id))
    for request_id, volunteer_ids_out in also_excluded.items():
        excluded[request_id] |= {str(v) for v in volunteer_ids_out}
    return [
        {
            "id": str(r.id),
            "language": r.language_code,
            "municipality": town_key(viewpoint, r.pool_id, r.municipality_id),
            "start": _stamp(r.start),
            "end": _stamp(r.end),
            "gender_required": r.gender_required,
            "preferred_volunteers": [str(r.preferred_volunteer_id)]
            if r.preferred_volunteer_id in volunteer_ids
            else [],
            "excluded_volunteers": sorted(excluded[r.id]),
            "priority": URGENT_PRIORITY if r.urgent else 1,
            "mode": r.mode,
            "requires": required_for(pools[r.pool_id], types.get(r.institution_id, "")),
        }
        for r in requests
    ]


def build_instance(session: Session, *, pool_id: int, now: datetime) -> matching.Instance:
    """Return the engine's instance for the pool as it is now."""
    return matching.parse_instance(build_instance_data(session, pool_id=pool_id, now=now))


def solve_validated(
    instance: matching.Instance,
    *,
    time_limit_s: float,
    progress: Progress | None = None,
    on_level: Callable[[matching.LevelDone], None] | None = None,
) -> matching.Result:
    """Solve, re-check every hard rule, and fall back to the greedy baseline if the optimiser's answer breaks one."""
    result = matching.solve(instance, matching.SolverConfig(time_limit_s=time_limit_s), on_level=on_level)
    problems = matching.validate(instance, result)
    if not problems:
        return result
    log.error("matching result broke hard rules, falling back to greedy: %s", "; ".join(problems[:5]))
    if progress:
        progress("Ergebnis verletzt Regeln – einfache Zuteilung wird verwendet …")
    result = matching.solve_greedy(instance)
    problems = matching.validate(instance, result)
    if problems:
        raise MatchingFailed("; ".join(problems[:5]))
    return result


def compute(
    session: Session,
    *,
    pool_id: int,
    now: datetime,
    time_limit_s: float,
    progress: Progress | None = None,
    on_level: Callable[[matching.LevelDone], None] | None = None,
) -> tuple[dict[str, Any], matching.Result]:
    """Build the instance, solve it and return the result to keep (with its reasons); nothing is written.

    The session's read transaction ends before the solve, so a minute of solving holds no database lock.
    """
    say = progress or (lambda _message: None)
    say("Offene Anfragen und Sprachmittelnde werden gelesen …")
    instance = build_instance(session, pool_id=pool_id, now=now)
    mark = audit_mark(session)
    session.commit()
    say(f"{len(instance.requests)} offene Anfragen, {len(instance.volunteers)} aktive Sprachmittelnde.")
    say(f"Zuteilung wird berechnet (höchstens {time_limit_s:g} s) …")
    result = solve_validated(instance, time_limit_s=time_limit_s, progress=progress, on_level=on_level)
    data = matching.result_to_dict(result)
    data["explanations"] = {
        request_id: {
            "language": e.language,
            "max_distance_km": e.max_distance_km,
            "preferred": e.preferred,
            "load": e.load,
        }
        for request_id, e in matching.explain_assignments(instance, result).items()
    }
    data["recent_assignments"] = {v.id: v.recent_assignments for v in instance.volunteers}
    data["computed_at"] = _stamp(now)
    data["audit_mark"] = mark
    return data, result


def run_matching(
    session: Session,
    *,
    pool_id: int,
    now: datetime,
    actor_id: int | None = None,
    time_limit_s: float = 10.0,
    progress: Progress | None = None,
) -> MatchingRun:
    """Compute proposals at once (the API's synchronous answer), keep the run, note why requests stay unplaced."""
    say = progress or (lambda _message: None)
    started = clock.monotonic()
    data, result = compute(session, pool_id=pool_id, now=now, time_limit_s=time_limit_s, progress=progress)
    run = MatchingRun(
        pool_id=pool_id,
        created_at=now,
        created_by_id=actor_id,
        result=data,
        status=RunStatus.DONE,
        time_limit_s=time_limit_s,
        started_at=now,
        finished_at=now,
    )
    session.add(run)
    note_unfilled_reasons(session, result)
    session.commit()
    say(f"Fertig in {decimal(clock.monotonic() - started)} s.")
    return run


def audit_mark(session: Session) -> int:
    """Return the newest audit row's id: later rows are changes the run could not see."""
    return session.exec(select(func.max(AuditEvent.id))).one() or 0


def note_unfilled_reasons(session: Session, result: matching.Result) -> None:
    """Keep the latest reason on each open request, so reports and the unfilled warning can name it."""
    reasons: dict[int, str | None] = {int(u.request): u.reason for u in result.unassigned}
    reasons.update({int(a.request): None for a in result.assignments})
    if not reasons:
        return
    still_open = select(InterpretingRequest).where(
        col(InterpretingRequest.id).in_(reasons), InterpretingRequest.status == RequestStatus.OPEN
    )
    for request in session.exec(still_open).all():
        request.unfilled_reason = reasons[request.id]
        session.add(request)


def latest_run(session: Session, *, pool_id: int) -> MatchingRun | None:
    """Return the pool's most recent finished matching run (the one whose proposals are shown), if any."""
    statement = (
        select(MatchingRun)
        .where(MatchingRun.pool_id == pool_id, MatchingRun.status == RunStatus.DONE)
        .order_by(col(MatchingRun.id).desc())
        .limit(1)
    )
    return session.exec(statement).first()


def proposal_of(run: MatchingRun, request_id: int) -> dict[str, Any] | None:
    """Return the run's proposal for a request, or None when it proposed nobody."""
    return next((a for a in run.result.get("assignments", []) if a["request"] == str(request_id)), None)


@dataclass(frozen=True)
class OfferOutcome:
    """What confirming one proposal did: an offer was sent, or why not."""

    request_id: int
    volunteer_id: int
    offer_id: int | None
    problem: str | None = None


def confirm(
    session: Session,
    *,
    request_id: int,
    volunteer_id: int,
    now: datetime,
    actor: str,
    user_id: int | None = None,
) -> OfferOutcome:
    """Check the proposal against today's data, then send the offer (made by `user_id`); a problem is reported, not raised."""
    from sprachmittlerpool.services import offers, proposal_check  # both build on this module

    problem = proposal_check.problem_with(session, request_id=request_id, volunteer_id=volunteer_id, now=now)
    if problem:
        return OfferOutcome(request_id, volunteer_id, None, problem)
    try:
        offer, _token = offers.make_offer(
            session, request_id=request_id, volunteer_id=volunteer_id, now=now, actor=actor, user_id=user_id
        )
    except offers.Conflict as exc:
        session.rollback()
        return OfferOutcome(request_id, volunteer_id, None, getattr(exc, "message", str(exc)))
    return OfferOutcome(request_id, volunteer_id, offer.id)


def confirm_proposals(
    session: Session, *, run: MatchingRun, request_ids: Iterable[int] | None = None, now: datetime, actor: str
) -> list[OfferOutcome]:
    """Send offers for the run's proposals (all, or the given requests), one outcome per request."""
    wanted = None if request_ids is None else {str(i) for i in request_ids}
    return [
        confirm(session, request_id=int(a["request"]), volunteer_id=int(a["volunteer"]), now=now, actor=actor)
        for a in run.result.get("assignments", [])
        if wanted is None or a["request"] in wanted
    ]


@dataclass(frozen=True)
class RankedCandidate:
    """A volunteer who may take the request, with the facts a coordinator weighs."""

    volunteer: Volunteer
    distance_km: float
    preferred: bool
    load: int
    free: bool


def candidates_for(
    session: Session, *, request: InterpretingRequest, now: datetime, data: dict[str, Any] | None = None
) -> list[RankedCandidate]:
    """Rank who may take this open request, using the same instance the optimiser sees (built here unless given)."""
    data = data if data is not None else build_instance_data(session, pool_id=request.pool_id, now=now)
    if str(request.id) not in {r["id"] for r in data["requests"]}:
        return []
    ranked = matching.rank_candidates(matching.parse_instance(data), str(request.id))
    rows = {
        v.id: v
        for v in session.exec(
            select(Volunteer).where(col(Volunteer.id).in_([int(c.volunteer) for c in ranked]))
        )
    }
    return [
        RankedCandidate(rows[int(c.volunteer)], c.distance_km, c.preferred, c.load, c.free) for c in ranked
    ]


@dataclass(frozen=True)
class ProposalLine:
    """One proposal of a run as a coordinator reads it: who, where, and why this person."""

    request: InterpretingRequest
    volunteer: Volunteer | None
    distance_km: float
    preferred: bool
    load: int
    recent: int
    still_open: bool


@dataclass(frozen=True)
class UnplacedLine:
    """One request a run could not place, with the reason in German."""

    request: InterpretingRequest
    reason: str
    text: str


@dataclass(frozen=True)
class RunReport:
    """A stored run with its rows loaded, ready for a page."""

    run: MatchingRun
    proposals: list[ProposalLine]
    unplaced: list[UnplacedLine]
    proven_optimal: bool
    solve_seconds: float
    languages: dict[str, str]
    municipalities: dict[str, str]


def describe_run(session: Session, run: MatchingRun) -> RunReport:
    """Load the rows a run names, so a page can show proposals and reasons without touching the engine."""
    data = run.result
    request_ids = [int(a["request"]) for a in data["assignments"]] + [
        int(u["request"]) for u in data["unassigned"]
    ]
    requests = {
        r.id: r
        for r in session.exec(select(InterpretingRequest).where(col(InterpretingRequest.id).in_(request_ids)))
    }
    volunteers = {
        v.id: v
        for v in session.exec(
            select(Volunteer).where(col(Volunteer.id).in_([int(a["volunteer"]) for a in data["assignments"]]))
        )
    }
    explanations = data.get("explanations", {})
    recent = data.get("recent_assignments", {})
    proposals = [
        ProposalLine(
            request=requests[int(a["request"])],
            volunteer=volunteers.get(int(a["volunteer"])),
            distance_km=a["distance_km"],
            preferred=explanations.get(a["request"], {}).get("preferred", False),
            load=explanations.get(a["request"], {}).get("load", 0),
            recent=recent.get(a["volunteer"], 0),
            still_open=requests[int(a["request"])].status == RequestStatus.OPEN,
        )
        for a in data["assignments"]
        if int(a["request"]) in requests
    ]
    unplaced = [
        UnplacedLine(requests[int(u["request"])], u["reason"], REASON_TEXTS.get(u["reason"], u["reason"]))
        for u in data["unassigned"]
        if int(u["request"]) in requests
    ]
    return RunReport(
        run=run,
        proposals=proposals,
        unplaced=unplaced,
        proven_optimal=bool(data.get("proven_optimal")),
        solve_seconds=float(data.get("solve_seconds", 0.0)),
        languages=dict(
            session.exec(select(Language.code, Language.name_de).where(Language.pool_id == run.pool_id)).all()
        ),
        municipalities=dict(
            session.exec(
                select(Municipality.id, Municipality.name).where(Municipality.pool_id == run.pool_id)
            ).all()
        ),
    )
