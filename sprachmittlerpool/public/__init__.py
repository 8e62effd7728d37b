"""The public pages: home, Impressum and privacy notice (the admins' texts, rendered safely)."""

from flask import Blueprint, current_app, render_template
from sqlmodel import col, func, select

from sprachmittlerpool.db import get_session
from sprachmittlerpool.identity import render_markdown
from sprachmittlerpool.models import Language, Municipality
from sprachmittlerpool.pools import current_pool_id
from sprachmittlerpool.services import pool_rules
from sprachmittlerpool.services.identity import pool_row

bp = Blueprint("public", __name__)


@bp.route("/")
def home():
    """Say what the pool is and lead institutions to the request form."""
    db = get_session()
    pool_id = current_pool_id(db)
    languages = db.exec(
        select(func.count())
        .select_from(Language)
        .where(Language.pool_id == pool_id, col(Language.retired_at).is_(None))
    ).one()
    municipalities = db.exec(
        select(Municipality)
        .where(Municipality.pool_id == pool_id, col(Municipality.retired_at).is_(None))
        .order_by(Municipality.name)
    ).all()
    refused = pool_rules.public_rules(db, pool_id=pool_id, instance_path=current_app.instance_path).refused
    return render_template(
        "public/home.html", language_count=languages, municipalities=municipalities, refused=refused
    )


@bp.get("/impressum")
def impressum():
    """Show the pool's Impressum with its contact; a clear sentence while the admins have not written it."""
    db = get_session()
    text = pool_row(db, current_pool_id(db)).impressum_md
    return render_template(
        "public/notice.html",
        title="Impressum",
        text=render_markdown(text) if text.strip() else None,
        missing="Das Impressum ist noch nicht hinterlegt. Die Administration des Pools trägt es in den "
        "Einstellungen ein; bis dahin erreichen Sie den Pool über die Kontaktangaben auf dieser Seite.",
    )


@bp.get("/datenschutz")
def privacy():
    """Show the pool's privacy notice; a clear sentence while the admins have not written it."""
    db = get_session()
    text = pool_row(db, current_pool_id(db)).privacy_md
    return render_template(
        "public/notice.html",
        title="Datenschutzhinweis",
        text=render_markdown(text) if text.strip() else None,
        missing="Der Datenschutzhinweis ist noch nicht hinterlegt. Die Administration des Pools trägt ihn in "
        "den Einstellungen ein; Fragen zum Datenschutz beantwortet der Pool über die Kontaktangaben auf "
        "dieser Seite.",
    )


# The rules page registers its route on import.
from sprachmittlerpool.public import rules  # noqa: E402, F401
