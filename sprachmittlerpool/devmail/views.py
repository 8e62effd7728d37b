"""Coordinators see their pool's queued mails with their state, read their .eml files, and queue failed ones again.

Mails of other pools of the installation are as good as absent (the installation's own mails, without a pool,
are shown to every pool): not listed, their files and retries a 404.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_login import login_required
from sqlmodel import Session, col, select

from notifications.outbox import failed_count, own_mail, pending_count, retry_failed
from notifications.relay import wake
from sprachmittlerpool.db import get_session
from sprachmittlerpool.devmail import bp
from sprachmittlerpool.models import BERLIN, OutboxMail, local_now
from sprachmittlerpool.pools import current_pool_id

EML_NAME = re.compile(r"^[0-9]{8}-[0-9]{6}-[0-9]+\.eml$")
LIST_LIMIT = 200


@dataclass(frozen=True)
class EmlFile:
    """A mail written to instance/mail/."""

    name: str
    size: int
    written_at: datetime


@bp.before_request
@login_required
def _require_login() -> None:
    """Deny the outbox to anonymous visitors: mails carry answer links."""


@bp.get("")
def index():
    """List the latest outbox rows, failed ones first, and the .eml files."""
    session = get_session()
    rows = session.exec(
        select(OutboxMail)
        .where(own_mail(current_pool_id(session)))
        .order_by(col(OutboxMail.status) != "failed", col(OutboxMail.id).desc())
        .limit(LIST_LIMIT)
    ).all()
    return render_template(
        "devmail/index.html",
        rows=rows,
        files=_eml_files(_pool_mail_ids(session)),
        failed=failed_count(session, pool_id=current_pool_id(session)),
        pending=pending_count(session, pool_id=current_pool_id(session)),
        mail_server=current_app.config.get("MAIL_SERVER"),
    )


@bp.get("/datei/<name>")
def show_file(name: str):
    """Show one .eml file as plain text."""
    path = _mail_dir() / name
    if not EML_NAME.match(name) or not path.is_file() or _row_id(name) not in _pool_mail_ids(get_session()):
        abort(404)
    return render_template("devmail/file.html", name=name, content=path.read_text("utf-8", "replace"))


@bp.post("/<int:mail_id>/erneut")
def retry(mail_id: int):
    """Queue a failed mail again and wake the relay."""
    session = get_session()
    row = session.get(OutboxMail, mail_id)
    if row is None or row.pool_id not in (None, current_pool_id(session)):
        abort(404)
    if not retry_failed(session, mail_id, now=local_now()):
        abort(409)
    session.commit()
    wake()
    flash("Die E-Mail wird erneut versendet.", "success")
    return redirect(url_for("devmail.index"))


def _mail_dir() -> Path:
    return Path(current_app.config["MAIL_DIR"])


def _pool_mail_ids(session: Session) -> set[int]:
    """Return the outbox ids of this pool's mails: a file is shown only when its row belongs to the pool."""
    return set(session.exec(select(OutboxMail.id).where(own_mail(current_pool_id(session)))).all())


def _row_id(name: str) -> int:
    """Return the outbox id a file name ends with (`20261203-101500-42.eml`)."""
    return int(name.removesuffix(".eml").rsplit("-", 1)[1])


def _eml_files(pool_ids: set[int]) -> list[EmlFile]:
    """Return this pool's .eml files, newest first."""
    directory = _mail_dir()
    if not directory.is_dir():
        return []
    files = [
        EmlFile(
            path.name,
            path.stat().st_size,
            datetime.fromtimestamp(path.stat().st_mtime, BERLIN).replace(tzinfo=None),
        )
        for path in directory.iterdir()
        if EML_NAME.match(path.name) and _row_id(path.name) in pool_ids
    ]
    return sorted(files, key=lambda f: f.name, reverse=True)[:LIST_LIMIT]
