"""Builders for intake tests: a valid submission, an API token, outbox and row counts."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlmodel import Session, func, select

from sprachmittlerpool.db import new_session
from sprachmittlerpool.models import ApiToken, Institution, InterpretingRequest, OutboxMail, User
from sprachmittlerpool.security import token_hash
from tests.factories import next_weekday

API_TOKEN = "test-token-of-the-coordination-0123456789"
SCRIPT = "<script>alert(1)</script>"


def appointment(weeks_ahead: int = 3, hour: int = 10) -> tuple[datetime, datetime]:
    """Return a Tuesday appointment of one hour, far enough ahead for the lead time."""
    start = next_weekday(1, weeks_ahead=weeks_ahead, hour=hour)
    return start, start + timedelta(hours=1)


def payload(**overrides: Any) -> dict[str, Any]:
    """Return a submission the rules accept as open; overrides change or (with None) keep a field."""
    start, end = appointment()
    data: dict[str, Any] = {
        "institution_name": "Städtische Kita Regenbogen",
        "institution_type": "kita",
        "contact_name": "Frau Schneider",
        "contact_email": "leitung@kita-regenbogen.example",
        "contact_phone": "02452 123456",
        "language": "uk",
        "dialect": "",
        "appointment_type": "elterngespraech",
        "topic": "Entwicklungsgespräch zum Übergang in die Schule",
        "start": start.strftime("%Y-%m-%dT%H:%M"),
        "end": end.strftime("%Y-%m-%dT%H:%M"),
        "municipality": "heinsberg",
        "address": "Apfelstraße 1",
        "persons": 2,
        "gender_required": None,
    }
    data.update(overrides)
    return data


def without(field: str) -> dict[str, Any]:
    """Return a valid submission missing one field."""
    data = payload()
    del data[field]
    return data


@pytest.fixture
def api_headers(app: Flask, coordinator: User) -> dict[str, str]:
    """Return headers that authenticate as the coordinator with a bearer token."""
    with app.app_context():
        session = new_session(write=True)
        session.add(ApiToken(user_id=coordinator.id, token_hash=token_hash(API_TOKEN)))
        session.commit()
        session.close()
    return {"Authorization": f"Bearer {API_TOKEN}"}


def fresh(db: Session) -> Session:
    """End the read snapshot and forget loaded rows, so what requests wrote since is seen."""
    db.rollback()
    db.expire_all()
    return db


def count(db: Session, model: type) -> int:
    """Count rows of a table, fresh from the database."""
    fresh(db)
    return db.exec(select(func.count()).select_from(model)).one()


def stored_nothing(db: Session) -> bool:
    """Tell whether no request, institution or mail was stored."""
    return count(db, InterpretingRequest) == 0 and count(db, Institution) == 0 and count(db, OutboxMail) == 0


def mails(db: Session, recipient: str | None = None) -> list[OutboxMail]:
    """Return the queued mails, optionally to one recipient."""
    fresh(db)
    statement = select(OutboxMail).order_by(OutboxMail.id)
    if recipient:
        statement = statement.where(OutboxMail.recipient == recipient)
    return list(db.exec(statement).all())
