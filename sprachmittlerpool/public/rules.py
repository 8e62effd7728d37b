"""The public page of the rules the pool actually applies (/regeln), linked from the request form."""

from __future__ import annotations

from flask import current_app, render_template

from sprachmittlerpool.db import get_session
from sprachmittlerpool.models import local_now
from sprachmittlerpool.pools import current_pool_id
from sprachmittlerpool.public import bp
from sprachmittlerpool.services import closures, pool_rules


@bp.get("/regeln")
def rules() -> str:
    """List, in German, what the pool refuses, what it checks, its lead time, longest assignment and closures."""
    db = get_session()
    pool_id = current_pool_id(db)
    return render_template(
        "public/rules.html",
        rules=pool_rules.public_rules(db, pool_id=pool_id, instance_path=current_app.instance_path),
        closures=closures.upcoming(db, pool_id=pool_id, today=local_now().date(), limit=20),
    )
