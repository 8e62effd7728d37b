"""Sharing volunteers between the pools of one installation: ask, agree or refuse, offer, book, report.

Design (issue 16):

- A pool marks a volunteer as shared, with the person's consent (`Volunteer.shared_consent_on`): for
  phone and video requests of other pools (`shared_remote`, anywhere) and/or in person up to
  `shared_in_person_km` beyond its region (the distance from the request's town to the pool's nearest
  town, see sprachmittlerpool/sharing.py). The database refuses sharing without a consent day.
- A request the own pool cannot place (still open after its run) is proposed to other pools: the
  engine solves an instance of this one request and every shared volunteer who may be lent for it
  (towns named 'pool/id', so two pools' ids never mix), and the best one becomes a `Loan` row of the
  requesting pool with status `asked`. The request stays open meanwhile (its own pool may still place it;
  the lender then sees "nicht mehr nötig").
- The lending pool's coordinators get a mail (when, language, town; not the institution or topic), see
  it under "Anfragen anderer Pools" (and counted on their dashboard) and agree or refuse (one
  confirmation step, audited). Agreeing sends the normal offer mail (accept/decline link) in the same
  transaction; refusing books nothing and the requesting pool may ask again (that person excluded).
  One ask waits at a time per request (a partial unique index); an agreed loan holds the request through
  its offer, so a decline or a cancelled assignment opens the request for another ask.
- The offer, assignment and payout entry belong to the requesting pool and carry the volunteer's pool
  (`volunteer_pool_id`): the database accepts another pool's volunteer only through a loan of exactly
  that request and person (models.Offer's constraints), and assignments and entries follow their offer.
  So the allowance is booked in the requesting pool's payout list with its tariff; the year's total
  against the Ehrenamtspauschale counts the volunteer row (the same person) across every pool.
- What the requesting pool learns of the person is what the assignment needs: before agreement only the
  lending pool's name, after it the name, phone and e-mail on the request's page and the day lists; the
  volunteer's page stays the lending pool's (`get_in_pool` refuses it).
- Reports (services/sharing_figures.py): the requesting pool counts "von anderen Pools erhalten", the
  lender "an andere Pools gegeben": completed assignments by the other pool's name, hours, allowances.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

import matching
from matching.types import Municipality as Town
from sprachmittlerpool import sharing
from sprachmittlerpool.models import (
    InterpretingRequest,
    Language,
    Loan,
    LoanStatus,
    Municipality,
    Pool,
    RequestMode,
    RequestStatus,
    User,
    Volunteer,
    VolunteerLanguage,
)
from sprachmittlerpool.pools import base_url_of
from sprachmittlerpool.services import audit, offers
from sprachmittlerpool.services.mail import queue_mail
from sprachmittlerpool.services.matching_run import REASON_TEXTS, assemble_instance, solve_validated
from sprachmittlerpool.services.qualifications import MODE_LABELS

ALREADY_ASKED = "Für diese Anfrage wartet schon eine Anfrage bei einem anderen Pool auf Antwort."
NOBODY = "Kein anderer Pool hat eine geteilte Person, die diese Anfrage übernehmen kann."


class SharingRefused(ValueError):
    """The action does not fit the current state; the message says why in German."""


@dataclass(frozen=True)
class AskOutcome:
    """What asking other pools did: a loan was asked, or why not."""

    loan: Loan | None
    problem: str | None = None


# --- the volunteer's terms ------------------------------------------------------------------------


def set_terms(
    session: Session,
    volunteer: Volunteer,
    *,
    shared_remote: bool,
    in_person_km: int | None,
    consent_on: date | None,
    actor: str,
) -> None:
    """Change what the pool shares of a volunteer; sharing anything needs the day of their consent."""
    if (shared_remote or in_person_km is not None) and consent_on is None:
        raise SharingRefused("Bitte das Datum eintragen, an dem die Person dem Teilen zugestimmt hat.")
    if in_person_km is not None and not 0 <= in_person_km <= 200:
        raise SharingRefused("Die Entfernung muss zwischen 0 und 200 km liegen.")
    before = (volunteer.shared_remote, volunteer.shared_in_person_km, volunteer.shared_consent_on)
    volunteer.shared_remote = shared_remote
    volunteer.shared_in_person_km = in_person_km
    volunteer.shared_consent_on = consent_on
    session.add(volunteer)
    audit.record(
        session, actor=actor, entity="volunteer", entity_id=str(volunteer.id), action="sharing",
        detail={"before": [before[0], before[1], before[2] and before[2].isoformat()],
                "after": [shared_remote, in_person_km, consent_on and consent_on.isoformat()]},
    )  # fmt: skip
    session.commit()


# --- asking ---------------------------------------------------------------------------------------


def lendable(session: Session, request: InterpretingRequest) -> list[Volunteer]:
    """Return the shared volunteers of other pools who may be asked for this request (before the engine)."""
    rows = session.exec(
        select(Volunteer)
        .join(VolunteerLanguage, col(VolunteerLanguage.volunteer_id) == Volunteer.id)
        .where(
            Volunteer.pool_id != request.pool_id,
            col(Volunteer.active),
            col(Volunteer.anonymised_at).is_(None),
            col(Volunteer.shared_consent_on).is_not(None),
            VolunteerLanguage.language_code == request.language_code,
        )
        .order_by(col(Volunteer.id))
    ).all()
    remote = request.mode != RequestMode.IN_PERSON
    beyond = _beyond_border(session, request, {v.pool_id for v in rows}) if not remote else {}
    return [
        v
        for v in rows
        if sharing.may_lend(
            sharing.SharedTerms(True, v.remote, v.shared_remote, v.shared_in_person_km),
            remote_request=remote,
            beyond_km=beyond.get(v.pool_id),
        )
    ]


def _beyond_border(
    session: Session, request: InterpretingRequest, pools: set[int]
) -> dict[int, float | None]:
    """Return, per lending pool, how far the request's town lies from that pool's nearest town."""
    place = session.get(Municipality, (request.pool_id, request.municipality_id))
    if place is None:
        return {}
    towns: defaultdict[int, list[Town]] = defaultdict(list)
    for m in session.exec(
        select(Municipality).where(
            col(Municipality.pool_id).in_(pools), col(Municipality.retired_at).is_(None)
        )
    ):
        towns[m.pool_id].append(Town(m.id, m.name, m.lat, m.lon))
    here = Town(place.id, place.name, place.lat, place.lon)
    return {pool_id: sharing.beyond_border_km(here, towns[pool_id]) for pool_id in pools}


def ask_other_pools(
    session: Session, *, request_id: int, pool_id: int, now: datetime, user_id: int, time_limit_s: float = 5.0
) -> AskOutcome:
    """Let the engine pick the best shared volunteer of another pool for an open request and ask their pool."""
    request = session.get(InterpretingRequest, request_id)
    if request is None or request.pool_id != pool_id:
        return AskOutcome(None, "Diese Anfrage gibt es nicht.")
    if request.status != RequestStatus.OPEN or request.start <= now:
        return AskOutcome(None, "Nur eine offene, künftige Anfrage kann anderen Pools vorgeschlagen werden.")
    if open_ask(session, request.id) is not None:
        return AskOutcome(None, ALREADY_ASKED)
    refused = set(session.exec(select(Loan.volunteer_id).where(Loan.request_id == request.id)).all())
    candidates = lendable(session, request)
    if not candidates:
        return AskOutcome(None, NOBODY)
    data = assemble_instance(
        session, [request], candidates, viewpoint=None, now=now, excluded={request.id: refused}
    )
    session.commit()  # the solve holds no database lock
    instance = matching.parse_instance(data)
    result = solve_validated(instance, time_limit_s=time_limit_s)
    if not result.assignments:
        reason = result.unassigned[0].reason if result.unassigned else ""
        return AskOutcome(None, f"{NOBODY} {REASON_TEXTS.get(reason, '')}".strip())
    chosen = result.assignments[0]
    volunteer = session.get(Volunteer, int(chosen.volunteer))
    assert volunteer is not None
    loan = Loan(
        pool_id=pool_id,
        lender_pool_id=volunteer.pool_id,
        request_id=request.id,
        volunteer_id=volunteer.id,
        distance_km=round(chosen.distance_km, 1),
        asked_at=now,
        asked_by_id=user_id,
    )
    session.add(loan)
    try:
        session.flush()
    except IntegrityError:  # another coordinator asked in the same moment
        session.rollback()
        return AskOutcome(None, ALREADY_ASKED)
    audit.record(
        session, actor=f"user:{user_id}", entity="loan", entity_id=str(loan.id), action="ask",
        to_state=LoanStatus.ASKED, detail={"request": request.id, "lender_pool": volunteer.pool_id},
    )  # fmt: skip
    _tell_lender(session, loan, request, volunteer, template="loan_asked", now=now)
    session.commit()
    return AskOutcome(loan)


def _tell_lender(
    session: Session,
    loan: Loan,
    request: InterpretingRequest,
    volunteer: Volunteer,
    *,
    template: str,
    now: datetime,
) -> None:
    """Mail the lending pool's active accounts that an answer is awaited (loan_asked) or no longer
    (loan_withdrawn): when, what, where; not who asks."""
    asking = session.get(Pool, loan.pool_id)
    details = offers.appointment(session, request)
    context = {
        "asking_pool": asking.name if asking else "",
        "volunteer_name": volunteer.name,
        "day": details["day"],
        "time": details["time"],
        "language": details["language"],
        "place": f"{MODE_LABELS[request.mode]}, {details['municipality']}",
        "url": f"{base_url_of(session, loan.lender_pool_id)}/koordination/andere-pools",
    }
    for user in session.exec(select(User).where(User.pool_id == loan.lender_pool_id, col(User.active))):
        queue_mail(
            session, template, pool_id=loan.lender_pool_id, recipient=user.email,
            dedupe_key=f"{template}:{loan.id}:{user.id}", context=context, now=now,
        )  # fmt: skip


def open_ask(session: Session, request_id: int) -> Loan | None:
    """Return the request's loan still waiting for the other pool's answer, if any.

    An agreed loan needs no check here: its offer holds the request (offered, then confirmed), and once
    the volunteer declines or the assignment is cancelled the request is open and may be asked for again.
    """
    return session.exec(
        select(Loan).where(Loan.request_id == request_id, Loan.status == LoanStatus.ASKED)
    ).first()


# --- deciding -------------------------------------------------------------------------------------


def decide(
    session: Session, *, loan_id: int, lender_pool_id: int, agree: bool, user_id: int, now: datetime
) -> Loan:
    """Agree (the offer mail goes to the volunteer at once) or refuse a loan; raise SharingRefused if it cannot."""
    loan = session.get(Loan, loan_id)
    if loan is None or loan.lender_pool_id != lender_pool_id:
        raise SharingRefused("Diese Anfrage gibt es nicht.")
    actor = f"user:{user_id}"
    request = offers.lock_request(session, loan.request_id)
    assert request is not None
    to = LoanStatus.AGREED if agree else LoanStatus.REFUSED
    if not offers.set_status(
        session,
        Loan,
        loan_id,
        from_states=[LoanStatus.ASKED],
        status=to,
        decided_at=now,
        decided_by_id=user_id,
    ):
        session.rollback()
        raise SharingRefused("Über diese Anfrage wurde schon entschieden.")
    audit.record(
        session, actor=actor, entity="loan", entity_id=str(loan_id), action="agree" if agree else "refuse",
        from_state=LoanStatus.ASKED, to_state=to, detail={"request": loan.request_id},
    )  # fmt: skip
    if not agree:
        session.commit()
        return loan
    try:  # commits the agreement together with the offer, or neither
        offers.make_offer(
            session,
            request_id=loan.request_id,
            volunteer_id=loan.volunteer_id,
            now=now,
            actor=actor,
            user_id=loan.asked_by_id,
            loan_id=loan_id,
        )
    except offers.Conflict as exc:
        raise SharingRefused(f"Zustimmen ist nicht mehr möglich: {exc.message}") from exc
    return loan


def withdraw(session: Session, *, loan_id: int, pool_id: int, user_id: int, now: datetime) -> Loan:
    """Take back an ask that still waits for the other pool's answer; raise SharingRefused if it cannot.

    Only one ask waits per request, so a pool that hears nothing would otherwise be stuck with it. The
    person asked stays out of the next ask for this request, as after a refusal. The lending pool's
    accounts, mailed when asked, are told it is over.
    """
    loan = session.get(Loan, loan_id)
    if loan is None or loan.pool_id != pool_id:
        raise SharingRefused("Diese Anfrage gibt es nicht.")
    if not offers.set_status(
        session, Loan, loan_id, from_states=[LoanStatus.ASKED], status=LoanStatus.WITHDRAWN, decided_at=now
    ):
        session.rollback()
        raise SharingRefused(
            "Der andere Pool hat schon geantwortet; die Anfrage lässt sich nicht mehr zurückziehen."
        )
    audit.record(
        session, actor=f"user:{user_id}", entity="loan", entity_id=str(loan_id), action="withdraw",
        from_state=LoanStatus.ASKED, to_state=LoanStatus.WITHDRAWN, detail={"request": loan.request_id},
    )  # fmt: skip
    request, volunteer = (
        session.get(InterpretingRequest, loan.request_id),
        session.get(Volunteer, loan.volunteer_id),
    )
    assert request is not None and volunteer is not None  # a loan's foreign keys
    _tell_lender(session, loan, request, volunteer, template="loan_withdrawn", now=now)
    session.commit()
    return loan


# --- what each side sees --------------------------------------------------------------------------


@dataclass(frozen=True)
class LoanLine:
    """A loan as a page shows it: the request's time, language and place, the two pools and the person."""

    loan: Loan
    request: InterpretingRequest
    other_pool: str
    language: str
    town: str
    volunteer_name: str


STATUS_DE = {
    LoanStatus.ASKED: "angefragt, Antwort offen",
    LoanStatus.AGREED: "zugestimmt",
    LoanStatus.REFUSED: "abgelehnt",
    LoanStatus.WITHDRAWN: "vom anfragenden Pool zurückgezogen",
}


def asked_of(session: Session, *, lender_pool_id: int, only_open: bool = False) -> list[LoanLine]:
    """Return the loans other pools asked of this pool (newest first), with the facts to decide."""
    statement = select(Loan).where(Loan.lender_pool_id == lender_pool_id)
    if only_open:
        statement = statement.where(Loan.status == LoanStatus.ASKED)
    return _lines(
        session, session.exec(statement.order_by(col(Loan.id).desc()).limit(100)).all(), lender=True
    )


def asked_of_one(session: Session, loan: Loan) -> LoanLine:
    """Return one loan as the lending pool sees it."""
    return _lines(session, [loan], lender=True)[0]


def loans_of_request(session: Session, request: InterpretingRequest) -> list[LoanLine]:
    """Return the requesting pool's loans for one request; the person is named once their pool agreed."""
    rows = session.exec(select(Loan).where(Loan.request_id == request.id).order_by(col(Loan.id))).all()
    return _lines(session, rows, lender=False)


def _lines(session: Session, loans: list[Loan], *, lender: bool) -> list[LoanLine]:
    lines = []
    for loan in loans:
        request = session.get(InterpretingRequest, loan.request_id)
        volunteer = session.get(Volunteer, loan.volunteer_id)
        other = session.get(Pool, loan.pool_id if lender else loan.lender_pool_id)
        language = session.get(Language, (request.pool_id, request.language_code))
        town = session.get(Municipality, (request.pool_id, request.municipality_id))
        named = lender or loan.status == LoanStatus.AGREED
        lines.append(
            LoanLine(
                loan=loan,
                request=request,
                other_pool=other.name if other else "",
                language=language.name_de if language else request.language_code,
                town=town.name if town else "",
                volunteer_name=volunteer.name if volunteer and named else "",
            )
        )
    return lines


def open_count(session: Session, *, lender_pool_id: int, now: datetime) -> int:
    """Count the asks waiting for this pool's answer whose request still needs someone (the dashboard's counter)."""
    return int(
        session.exec(
            select(func.count())
            .select_from(Loan)
            .join(InterpretingRequest, col(InterpretingRequest.id) == Loan.request_id)
            .where(
                Loan.lender_pool_id == lender_pool_id,
                Loan.status == LoanStatus.ASKED,
                InterpretingRequest.status == RequestStatus.OPEN,
                InterpretingRequest.start > now,
            )
        ).one()
    )


def still_needed(line: LoanLine, *, now: datetime) -> bool:
    """Tell whether an ask can still be agreed to: the request is open and lies ahead.

    The asking pool may have placed it meanwhile, or the institution cancelled; then the lender
    sees "nicht mehr nötig" and nothing to decide (a refusal remains possible to close it).
    """
    return line.request.status == RequestStatus.OPEN and line.request.start > now
