"""Coordinator pages: the dashboard."""

from __future__ import annotations

from flask import render_template
from flask_login import login_required

from sprachmittlerpool.coordination import bp
from sprachmittlerpool.db import get_session
from sprachmittlerpool.models import local_now
from sprachmittlerpool.pools import current_pool_id
from sprachmittlerpool.services import sharing
from sprachmittlerpool.services.background_matching import active_run
from sprachmittlerpool.services.dashboard import overview
from sprachmittlerpool.services.matching_run import latest_run


@bp.before_request
@login_required
def _require_login() -> None:
    """Deny every coordination page to anonymous visitors."""


@bp.route("/")
def dashboard():
    """Show the pool's state at a glance and offer to compute proposals."""
    db = get_session()
    figures = overview(db, pool_id=current_pool_id(db))
    return render_template(
        "coordination/dashboard.html",
        counts=figures.counts,
        pending_offers=figures.pending_offers,
        volunteers=figures.volunteers,
        failed_mails=figures.failed_mails,
        durations_to_approve=figures.durations_to_approve,
        upcoming=figures.upcoming,
        clearances_expiring=figures.clearances_expiring,
        debriefings=figures.debriefings,
        last_run=latest_run(db, pool_id=current_pool_id(db)),
        active_run=active_run(db, pool_id=current_pool_id(db)),
        loans_waiting=sharing.open_count(db, lender_pool_id=current_pool_id(db), now=local_now()),
    )
