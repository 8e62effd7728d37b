"""The public home page."""

from flask import Blueprint, current_app, render_template
from sqlmodel import func, select

from sprachmittlerpool.db import get_session
from sprachmittlerpool.models import Language, Municipality
from sprachmittlerpool.pools import current_pool_id
from sprachmittlerpool.services import pool_rules

bp = Blueprint("public", __name__)


@bp.route("/")
def home():
    """Say what the pool is and lead institutions to the request form."""
    db = get_session()
    pool_id = current_pool_id(db)
    languages = db.exec(select(func.count()).select_from(Language).where(Language.pool_id == pool_id)).one()
    municipalities = db.exec(
        select(Municipality).where(Municipality.pool_id == pool_id).order_by(Municipality.name)
    ).all()
    refused = pool_rules.public_rules(db, pool_id=pool_id, instance_path=current_app.instance_path).refused
    return render_template(
        "public/home.html", language_count=languages, municipalities=municipalities, refused=refused
    )


# The rules page registers its route on import.
from sprachmittlerpool.public import rules  # noqa: E402, F401
