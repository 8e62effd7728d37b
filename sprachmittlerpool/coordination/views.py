"""Coordinator pages: the dashboard."""

from __future__ import annotations

from flask import render_template
from flask_login import login_required
from sqlmodel import Session, col, func, select

from sprachmittlerpool.coordination import bp
from sprachmittlerpool.db import get_session
from sprachmittlerpool.models import (
    Institution,
    InterpretingRequest,
    Language,
    MailStatus,
    Municipality,
    OutboxMail,
    RequestStatus,
    Volunteer,
)
from sprachmittlerpool.services.matching_run import latest_run

WAITING = (RequestStatus.OPEN, RequestStatus.REVIEW)


@bp.before_request
@login_required
def _require_login() -> None:
    """Deny every coordination page to anonymous visitors."""


@bp.route("/")
def dashboard():
    """Show the pool's state at a glance and offer to compute proposals."""
    db = get_session()
    return render_template(
        "coordination/dashboard.html",
        counts=_status_counts(db),
        volunteers=db.exec(select(func.count()).select_from(Volunteer).where(col(Volunteer.active))).one(),
        failed_mails=_failed_mails(db),
        upcoming=_waiting_requests(db),
        last_run=latest_run(db),
    )


def _status_counts(db: Session) -> dict[str, int]:
    rows = db.exec(select(InterpretingRequest.status, func.count()).group_by(col(InterpretingRequest.status)))
    return dict(rows.all())


def _waiting_requests(db: Session) -> list[tuple[InterpretingRequest, str, str, str]]:
    """Return open and review requests by date with the names a person reads."""
    rows = db.exec(
        select(InterpretingRequest, Language.name_de, Municipality.name, Institution.name)
        .join(Language, col(Language.code) == InterpretingRequest.language_code)
        .join(Municipality, col(Municipality.id) == InterpretingRequest.municipality_id)
        .join(Institution, col(Institution.id) == InterpretingRequest.institution_id)
        .where(col(InterpretingRequest.status).in_(WAITING))
        .order_by(col(InterpretingRequest.start))
        .limit(100)
    )
    return list(rows.all())


def _failed_mails(db: Session) -> int:
    """Count the mails the outbox gave up on, so a coordinator can follow up by phone."""
    return db.exec(
        select(func.count()).select_from(OutboxMail).where(OutboxMail.status == MailStatus.FAILED)
    ).one()
