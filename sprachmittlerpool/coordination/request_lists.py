"""The coordinators' list of all requests: filter by status, period, language, town, institution and text."""

from __future__ import annotations

from flask import render_template, request

from sprachmittlerpool.coordination import bp
from sprachmittlerpool.db import get_session
from sprachmittlerpool.pools import current_pool_id
from sprachmittlerpool.services import request_lists
from sprachmittlerpool.services.volunteers import load_catalog


@bp.get("/anfragen")
def request_list() -> str:
    """List the pool's requests by appointment, filtered by what the query string asks, in pages."""
    db = get_session()
    pool_id = current_pool_id(db)
    wanted, problems = request_lists.parse_filter(request.args)
    return render_template(
        "coordination/request_list.html",
        found=request_lists.find_requests(db, pool_id=pool_id, wanted=wanted),
        wanted=wanted,
        args=wanted.query_args(),
        problems=problems,
        slugs=request_lists.SLUG_OF,
        counts=request_lists.status_counts(db, pool_id=pool_id),
        catalog=load_catalog(db, pool_id=pool_id),
        institutions=request_lists.institution_choices(db, pool_id=pool_id),
    )
