"""The public home page."""

from flask import Blueprint, render_template
from sqlmodel import func, select

from sprachmittlerpool.db import get_session
from sprachmittlerpool.models import Language, Municipality

bp = Blueprint("public", __name__)


@bp.route("/")
def home():
    """Say what the pool is and lead institutions to the request form."""
    db = get_session()
    languages = db.exec(select(func.count()).select_from(Language)).one()
    municipalities = db.exec(select(Municipality).order_by(Municipality.name)).all()
    return render_template("public/home.html", language_count=languages, municipalities=municipalities)
