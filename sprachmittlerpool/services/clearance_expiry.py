"""Police clearances that run out: who is told, when, and the coordinators' list.

An extended police clearance (erweitertes Führungszeugnis) is valid for a limited time, and without a valid
one nobody is proposed for a Kita or a school. So a daily job tells each active volunteer, the pool's
`clearance_notice_weeks` ahead (8 unless an admin changes it), that theirs runs out (or already has), and
sends the pool's coordinators one digest of the clearances it told about. Each row remembers the end date it was reminded of (`expiry_notice_for`): a run
the next day sends nothing again, and a renewal (a new `valid_until`) gets its own reminder in time.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlmodel import Session, col, select

from sprachmittlerpool.models import Pool, Qualification, QualificationKind, Role, User, Volunteer
from sprachmittlerpool.pools import base_url_of
from sprachmittlerpool.services.mail import queue_mail
from sprachmittlerpool.services.qualifications import KIND_LABELS

# The qualifications whose end is announced; the others are rarely limited in time.
EXPIRING_KINDS = (QualificationKind.CLEARANCE.value,)
LIST_PATH = "/koordination/sprachmittelnde/nachweise-ablauf"
# how the mail names the kind inside a sentence ("Ihr erweitertes Führungszeugnis gilt bis …")
IN_SENTENCE = {QualificationKind.CLEARANCE.value: "erweitertes Führungszeugnis"}


@dataclass(frozen=True)
class Expiring:
    """A volunteer's clearance that runs out within the notice period, or already has."""

    volunteer_id: int
    volunteer_name: str
    kind_label: str
    valid_until: date
    expired: bool
    reminded: bool  # the volunteer was told about this end date

    @property
    def until_text(self) -> str:
        """Say the end in German: 'gültig bis 31.01.2027' or 'abgelaufen am 02.11.2026'."""
        return f"{'abgelaufen am' if self.expired else 'gültig bis'} {self.valid_until:%d.%m.%Y}"


def notice_weeks(session: Session, pool_id: int) -> int:
    """Return how many weeks ahead the pool announces a clearance's end."""
    pool = session.get(Pool, pool_id)
    assert pool is not None
    return pool.clearance_notice_weeks


def _due_rows(session: Session, *, pool_id: int, today: date) -> list[tuple[Qualification, Volunteer]]:
    """Return the clearance rows of active volunteers that end within the pool's notice, soonest first."""
    horizon = today + timedelta(weeks=notice_weeks(session, pool_id))
    query = (
        select(Qualification, Volunteer)
        .join(Volunteer, col(Volunteer.id) == Qualification.volunteer_id)
        .where(
            Qualification.pool_id == pool_id,
            col(Qualification.kind).in_(EXPIRING_KINDS),
            col(Qualification.valid_until).is_not(None),
            col(Qualification.valid_until) <= horizon,
            col(Volunteer.active),
            col(Volunteer.anonymised_at).is_(None),
        )
        .order_by(col(Qualification.valid_until), col(Volunteer.name), col(Volunteer.id))
    )
    return list(session.exec(query).all())


def _expiring(row: Qualification, volunteer: Volunteer, today: date) -> Expiring:
    assert row.valid_until is not None and volunteer.id is not None
    return Expiring(
        volunteer_id=volunteer.id,
        volunteer_name=volunteer.name,
        kind_label=KIND_LABELS.get(row.kind, row.kind),
        valid_until=row.valid_until,
        expired=row.valid_until < today,
        reminded=row.expiry_notice_for == row.valid_until,
    )


def expiring(session: Session, *, pool_id: int, today: date) -> list[Expiring]:
    """Return the pool's clearances that run out within the notice period or have run out, soonest first."""
    return [
        _expiring(row, volunteer, today)
        for row, volunteer in _due_rows(session, pool_id=pool_id, today=today)
    ]


def expired_of(session: Session, *, volunteer_id: int, today: date) -> list[Expiring]:
    """Return a volunteer's qualifications whose validity has ended, for their page."""
    volunteer = session.get(Volunteer, volunteer_id)
    rows = session.exec(
        select(Qualification).where(
            Qualification.volunteer_id == volunteer_id,
            col(Qualification.valid_until).is_not(None),
            col(Qualification.valid_until) < today,
        )
    ).all()
    assert volunteer is not None
    return [_expiring(row, volunteer, today) for row in rows]


def remind_expiring_clearances(session: Session, *, now: datetime) -> str:
    """Tell each volunteer once per end date that the clearance runs out, and the coordinators in one digest."""
    today = now.date()
    told = 0
    for pool_id in session.exec(select(Pool.id)).all():
        assert pool_id is not None
        due = [
            (row, volunteer)
            for row, volunteer in _due_rows(session, pool_id=pool_id, today=today)
            if row.expiry_notice_for != row.valid_until
        ]
        for row, volunteer in due:
            _remind_volunteer(session, row, volunteer, today=today, now=now)
        if due:
            _send_digest(session, pool_id, [_expiring(row, v, today) for row, v in due], now=now)
        told += len(due)
    session.flush()
    return f"{told} Führungszeugnisse angekündigt"


def _remind_volunteer(
    session: Session, row: Qualification, volunteer: Volunteer, *, today: date, now: datetime
) -> None:
    assert row.valid_until is not None
    queue_mail(
        session,
        "clearance_expiry",
        pool_id=row.pool_id,
        recipient=volunteer.email,
        dedupe_key=f"clearance_expiry:{row.id}:{row.valid_until.isoformat()}",
        context={
            "first_name": volunteer.first_name,
            "kind": IN_SENTENCE.get(row.kind, KIND_LABELS.get(row.kind, row.kind)),
            "valid_until": f"{row.valid_until:%d.%m.%Y}",
            "expired": row.valid_until < today,
        },
        now=now,
    )
    row.expiry_notice_for = row.valid_until
    session.add(row)


def _send_digest(session: Session, pool_id: int, items: list[Expiring], *, now: datetime) -> None:
    """Send every active coordinator and admin of the pool one mail listing what the volunteers were told."""
    facts = ",".join(f"{item.volunteer_id}:{item.valid_until.isoformat()}" for item in items)
    digest = hashlib.sha256(facts.encode()).hexdigest()[:16]
    users = session.exec(
        select(User)
        .where(User.pool_id == pool_id, col(User.active), col(User.role).in_([Role.COORDINATOR, Role.ADMIN]))
        .order_by(col(User.id))
    ).all()
    for user in users:
        queue_mail(
            session,
            "clearance_digest",
            pool_id=pool_id,
            recipient=user.email,
            dedupe_key=f"clearance_digest:{user.id}:{digest}",
            context={
                "items": items,
                "weeks": notice_weeks(session, pool_id),
                "list_url": base_url_of(session, pool_id) + LIST_PATH,
            },
            now=now,
        )
