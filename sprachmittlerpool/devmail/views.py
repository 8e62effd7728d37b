"""Coordinators see every queued mail with its state, read .eml files, and queue failed mails again."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_login import login_required
from sqlmodel import col, select

from notifications.outbox import failed_count, pending_count, retry_failed
from notifications.relay import wake
from sprachmittlerpool.db import get_session
from sprachmittlerpool.devmail import bp
from sprachmittlerpool.models import BERLIN, OutboxMail, local_now

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
        .order_by(col(OutboxMail.status) != "failed", col(OutboxMail.id).desc())
        .limit(LIST_LIMIT)
    ).all()
    return render_template(
        "devmail/index.html",
        rows=rows,
        files=_eml_files(),
        failed=failed_count(session),
        pending=pending_count(session),
        mail_server=current_app.config.get("MAIL_SERVER"),
    )


@bp.get("/datei/<name>")
def show_file(name: str):
    """Show one .eml file as plain text."""
    path = _mail_dir() / name
    if not EML_NAME.match(name) or not path.is_file():
        abort(404)
    return render_template("devmail/file.html", name=name, content=path.read_text("utf-8", "replace"))


@bp.post("/<int:mail_id>/erneut")
def retry(mail_id: int):
    """Queue a failed mail again and wake the relay."""
    session = get_session()
    if not retry_failed(session, mail_id, now=local_now()):
        abort(409)
    session.commit()
    wake()
    flash("Die E-Mail wird erneut versendet.", "success")
    return redirect(url_for("devmail.index"))


def _mail_dir() -> Path:
    return Path(current_app.config["MAIL_DIR"])


def _eml_files() -> list[EmlFile]:
    """Return the .eml files, newest first."""
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
        if EML_NAME.match(path.name)
    ]
    return sorted(files, key=lambda f: f.name, reverse=True)[:LIST_LIMIT]
