"""Coordinator pages."""

from __future__ import annotations

from flask import render_template
from flask_login import login_required
from sqlmodel import func, select

from sprachmittlerpool.coordination import bp
from sprachmittlerpool.db import get_session
from sprachmittlerpool.models import InterpretingRequest, RequestStatus, Volunteer


@bp.before_request
@login_required
def _require_login() -> None:
    """Deny every coordination page to anonymous visitors."""


@bp.route("/")
def dashboard():
    """Show the pool's state at a glance."""
    db = get_session()
    counts = dict(
        db.exec(select(InterpretingRequest.status, func.count()).group_by(InterpretingRequest.status)).all()
    )
    volunteers = db.exec(select(func.count()).select_from(Volunteer).where(Volunteer.active)).one()
    upcoming = db.exec(
        select(InterpretingRequest)
        .where(InterpretingRequest.status.in_([RequestStatus.OPEN, RequestStatus.REVIEW]))  # type: ignore[attr-defined]
        .order_by(InterpretingRequest.start)
        .limit(50)
    ).all()
    return render_template(
        "coordination/dashboard.html", counts=counts, volunteers=volunteers, upcoming=upcoming
    )
