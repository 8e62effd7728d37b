"""A seeded world with one row of every kind, so sweeps can call every route on rows that really exist.

A sweep that fills path parameters with made-up ids mostly meets 404s; here every id, month and token
names a real row, so a refusal proves the guard, not a missing row. Tokens are kept in plain text
because the database only stores their hashes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from flask import Flask
from sqlalchemy import select as sa_select
from sqlmodel import Session, SQLModel, select

from sprachmittlerpool import links
from sprachmittlerpool.models import (
    Absence,
    ApiToken,
    AuditEvent,
    Feedback,
    Institution,
    JobRun,
    Language,
    Loan,
    LoginFailure,
    MatchingRun,
    Municipality,
    Offer,
    OutboxMail,
    PayoutEntry,
    PayoutLine,
    PayoutMonth,
    Pool,
    PoolClosure,
    PoolGrant,
    SchedulerLease,
    Tariff,
    User,
    VolunteerLink,
    local_now,
)
from sprachmittlerpool.security import token_hash
from sprachmittlerpool.tariff import HEINSBERG, tariff_to_dict
from tests.factories import FIRST_POOL, RequestFactory, VolunteerFactory, bind
from tests.payouts import helpers

BEARER_TOKEN = "world-bearer-token-of-the-coordination"
OFFER_TOKEN = "world-offer-token-pending-0123456789abcdef"
ACCEPTED_TOKEN = "world-offer-token-accepted-0123456789abcdef"
STATUS_TOKEN = "world-status-token-0123456789abcdef"
SELF_TOKEN = "world-volunteer-page-token-0123456789abcdef"
EMAIL_TOKEN = "world-volunteer-email-token-0123456789abcdef"
FEEDBACK_TOKEN = "world-feedback-token-0123456789abcdef"


@dataclass
class World:
    """The ids, month and tokens of the seeded rows, by the name a route's parameter has."""

    ids: dict[str, int | str] = field(default_factory=dict)
    month: str = ""
    completion_token: str = ""

    def path_values(self, endpoint: str, arguments: set[str]) -> dict[str, Any]:
        """Return a value for every parameter of a rule; an unknown parameter is a KeyError on purpose."""
        values: dict[str, Any] = {}
        for name in arguments:
            if name == "month":
                values[name] = self.month
            elif name == "token":
                values[name] = self.token_for(endpoint)
            elif name == "action":
                values[name] = "sperren"  # the institutions register's confirm-then-act route
            elif name == "decision":
                values[name] = "zustimmen"  # a loan asked of this pool by another
            else:
                values[name] = self.ids[name]
        return values

    def token_for(self, endpoint: str) -> str:
        """Return the link token a token route of this endpoint accepts."""
        tokens = {
            "volunteer.accept": OFFER_TOKEN,
            "volunteer.decline": OFFER_TOKEN,
            "volunteer.show_offer": OFFER_TOKEN,
            "volunteer.withdraw": ACCEPTED_TOKEN,
            "volunteer.submit_completion": self.completion_token,
            "volunteer.show_completion": self.completion_token,
            "volunteer.confirm_email": EMAIL_TOKEN,
            "volunteer.show_feedback": FEEDBACK_TOKEN,
            "volunteer.submit_feedback": FEEDBACK_TOKEN,
        }
        if endpoint.startswith("volunteer.self_"):
            return SELF_TOKEN
        return tokens.get(endpoint, STATUS_TOKEN)


def seed(app: Flask, db: Session, coordinator: User) -> World:
    """Store one row of every table (beside the reference data) and return what routes need to name them."""
    bind(db)
    volunteer = VolunteerFactory()
    open_request = RequestFactory()
    review = RequestFactory(status="review", status_token_hash=token_hash(STATUS_TOKEN))
    pending = _offer(db, open_request.id, volunteer.id, OFFER_TOKEN, "pending")
    past = (local_now() - timedelta(days=2)).replace(hour=10, minute=0, second=0, microsecond=0)
    completed = helpers.completed(
        db, volunteer.id, open_request.institution_id, past - timedelta(days=40), 3400
    )
    confirmed = helpers.completed(db, volunteer.id, open_request.institution_id, past, 0)
    confirmed.status, confirmed.allowance_cents = "confirmed", None
    db.get(Offer, confirmed.offer_id).token_hash = token_hash(ACCEPTED_TOKEN)
    db.get(type(open_request), confirmed.request_id).status = "confirmed"
    absence = Absence(
        volunteer_id=volunteer.id,
        start=local_now().date() + timedelta(days=60),
        end=local_now().date() + timedelta(days=61),
    )
    run = MatchingRun(
        pool_id=FIRST_POOL, created_by_id=coordinator.id, result={"assignments": [], "unassigned": []}
    )
    mail = OutboxMail(
        dedupe_key="world-mail",
        message_id="<world@localhost>",
        recipient="leitung@kita.example",
        subject="Eingangsbestätigung",
        body_text="Text",
        body_html="<p>Text</p>",
        status="failed",
    )
    grant = PoolGrant(pool_id=FIRST_POOL, year=past.year, amount_cents=5_000_000)
    personal_links = [
        VolunteerLink(
            pool_id=FIRST_POOL,
            volunteer_id=volunteer.id,
            purpose=purpose,
            token_hash=token_hash(token),
            new_email=new_email,
            expires_at=local_now() + timedelta(days=2),
        )
        for purpose, token, new_email in (
            ("page", SELF_TOKEN, ""),
            ("email", EMAIL_TOKEN, "neu-world@example.org"),
        )
    ]
    feedback = [
        Feedback(  # an open link, and an answer with a debriefing wish the coordination has not handled
            pool_id=FIRST_POOL, assignment_id=confirmed.id, side="volunteer", token_hash=token_hash(FEEDBACK_TOKEN),
            expires_at=local_now() + timedelta(days=30),
        ),
        Feedback(
            pool_id=FIRST_POOL, assignment_id=completed.id, side="volunteer", token_hash=token_hash("answered"),
            expires_at=local_now() + timedelta(days=30), submitted_at=local_now(), rating=2,
            comment="Bitte um Rückruf.", debriefing_wanted=True,
        ),
    ]  # fmt: skip
    db.add_all([absence, run, mail, grant, *personal_links, *feedback])
    db.flush()
    _bookkeeping(db, coordinator, volunteer.id, completed)
    db.commit()
    loan = _loan_asked_of_us(db, volunteer.id)
    with app.app_context():
        completion_token = links.completion_token(confirmed.id)
    return World(
        ids={
            "request_id": review.id,
            "institution_id": review.institution_id,
            "volunteer_id": volunteer.id,
            "absence_id": absence.id,
            "run_id": run.id,
            "mail_id": mail.id,
            "assignment_id": confirmed.id,
            "offer_id": pending.id,
            "year": past.year,
            "code": "uk",  # a language of the standard list
            "user_id": coordinator.id,
            "token_id": db.exec(select(ApiToken.id)).one(),
            "change": "deaktivieren",
            "feedback_id": feedback[1].id,
            "loan_id": loan.id,
        },
        month=past.strftime("%Y-%m"),
        completion_token=completion_token,
    )


def _loan_asked_of_us(db: Session, volunteer_id: int) -> Loan:
    """Let a second pool ask for the first pool's volunteer, so the lender's routes have a loan to decide."""
    other = Pool(slug="welt-zwei", name="Zweiter Pool der Welt")
    db.add(other)
    db.flush()
    institution = Institution(
        pool_id=other.id, name="Amt Anderswo", type="behoerde", email="amt@anderswo.example"
    )
    db.add_all(
        [
            Municipality(pool_id=other.id, id="anderswo", name="Anderswo", lat=51.0, lon=6.0),
            Language(pool_id=other.id, code="uk", name_de="Ukrainisch"),
            institution,
        ]
    )
    db.flush()
    request = RequestFactory(pool_id=other.id, institution_id=institution.id, municipality_id="anderswo")
    loan = Loan(pool_id=other.id, lender_pool_id=FIRST_POOL, request_id=request.id, volunteer_id=volunteer_id)
    db.add(loan)
    db.commit()
    return loan


def _offer(db: Session, request_id: int, volunteer_id: int, token: str, status: str) -> Offer:
    row = Offer(
        pool_id=FIRST_POOL,
        request_id=request_id,
        volunteer_id=volunteer_id,
        status=status,
        token_hash=token_hash(token),
        expires_at=local_now() + timedelta(hours=48),
    )
    db.add(row)
    db.flush()
    return row


def _bookkeeping(db: Session, coordinator: User, volunteer_id: int, completed: Any) -> None:
    """Add the rows no route creates directly: tokens, audit, payouts, jobs, closures, lease, tariff."""
    month = PayoutMonth(
        pool_id=FIRST_POOL,
        month=completed.start.strftime("%Y-%m"),
        closed_at=local_now(),
        closed_by_id=coordinator.id,
    )
    db.add(month)
    db.flush()
    db.add_all(
        [
            ApiToken(user_id=coordinator.id, token_hash=token_hash(BEARER_TOKEN)),
            LoginFailure(key="world@example.org"),
            AuditEvent(actor="test", entity="world", entity_id="1", action="seeded"),
            PayoutEntry(
                pool_id=FIRST_POOL,
                payout_month_id=month.id,
                volunteer_id=volunteer_id,
                assignment_id=completed.id,
                amount_cents=3400,
            ),
            PayoutLine(
                pool_id=FIRST_POOL,
                payout_month_id=month.id,
                volunteer_id=volunteer_id,
                assignments=1,
                amount_cents=3400,
                year_to_date_cents=3400,
            ),
            JobRun(job="world", period="2020-01-01"),
            SchedulerLease(name="world", holder="test", expires_at=local_now()),
            PoolClosure(pool_id=FIRST_POOL, day=date(2020, 12, 24), note="Heiligabend"),
            Tariff(
                pool_id=FIRST_POOL,
                name="Kreis Heinsberg",
                valid_from=date(2020, 1, 1),
                scheme=tariff_to_dict(HEINSBERG),
            ),
        ]
    )


def snapshot(db: Session) -> dict[str, list[tuple]]:
    """Return every table's rows, sorted, read fresh; compare two to see whether anything changed."""
    db.rollback()
    tables: dict[str, list[tuple]] = {}
    for table in SQLModel.metadata.sorted_tables:
        rows = db.execute(sa_select(table)).all()
        tables[table.name] = sorted((tuple(row) for row in rows), key=repr)
    db.commit()
    return tables


def without_csrf_failures(tables: dict[str, list[tuple]]) -> dict[str, list[tuple]]:
    """Drop audit rows of refused CSRF checks: recording the refusal is the one change allowed."""
    action = [column.name for column in AuditEvent.__table__.columns].index("action")
    kept = dict(tables)
    kept["audit_event"] = [row for row in tables["audit_event"] if row[action] != "csrf_failed"]
    return kept
