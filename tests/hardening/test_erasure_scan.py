"""Erasure leaves nothing: after erasing a volunteer, no table and no file under instance/ holds their name or address.

The database lives under instance/ as in production, so its raw bytes (free pages, the WAL) are scanned
as well as every text column of every table; the mails the volunteer received went through the real
relay into .eml files first.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import inspect, select, text

from notifications.relay import deliver_due
from sprachmittlerpool.db import new_session
from sprachmittlerpool.models import (
    Assignment,
    Feedback,
    InterpretingRequest,
    OutboxMail,
    RequestStatus,
    SQLModel,
)
from sprachmittlerpool.security import token_hash
from sprachmittlerpool.services import offers, privacy
from tests.conftest import PG_URL, make_test_config
from tests.coordination.helpers import now, open_request

NAME = "Zuzanna Wyszyńska-Quellbrunn"
EMAIL = "zuzanna.quellbrunn@example.org"
PHONE = "0170 5550199"


@pytest.fixture
def app_config(database_url: str, tmp_path: Path) -> dict[str, object]:
    """Keep the SQLite database inside instance/, where production keeps it, so its files are scanned too."""
    if PG_URL:
        return make_test_config(database_url, tmp_path)
    instance = tmp_path / "instance"
    instance.mkdir(exist_ok=True)
    moved = instance / "sprachmittlerpool.sqlite"
    Path(database_url.removeprefix("sqlite:///")).rename(moved)
    return make_test_config(f"sqlite:///{moved}", tmp_path)


def _give_the_volunteer_a_history(app, factories) -> int:
    volunteer = factories.VolunteerFactory(name=NAME, email=EMAIL, phone=PHONE)
    pending, declined, accepted = (open_request(factories) for _ in range(3))
    for index, request in enumerate((pending, declined, accepted)):
        request.start += timedelta(days=index)
    with app.app_context(), new_session(write=True) as session:
        ids = [
            offers.make_offer(session, request_id=r.id, volunteer_id=volunteer.id, now=now(), actor="t")[0].id
            for r in (pending, declined, accepted)
        ]
        offers.decline_offer(session, offer_id=ids[1], reason=f"Ich, {NAME}, bin krank ({EMAIL})", now=now())
        offers.accept_offer(session, offer_id=ids[2], now=now())
        _feedback_naming_the_volunteer(session, ids[2])
    report = deliver_due(app, now=now() + timedelta(minutes=1))
    assert report.summary()
    return volunteer.id


def _feedback_naming_the_volunteer(session, offer_id: int) -> None:
    """The institution's feedback names the volunteer in its words; the volunteer's own link is still open."""
    assignment = session.exec(select(Assignment).where(Assignment.offer_id == offer_id)).scalar_one()
    for side, comment in (("institution", f"{NAME} war großartig, Telefon {PHONE}"), ("volunteer", "")):
        session.add(
            Feedback(
                pool_id=assignment.pool_id, assignment_id=assignment.id, side=side, token_hash=token_hash(side),
                expires_at=now() + timedelta(days=30), submitted_at=now() if comment else None,
                rating=5 if comment else None, comment=comment,
            )
        )  # fmt: skip
    session.commit()


def _text_hits(app) -> list[str]:
    hits = []
    with app.app_context(), new_session(write=False) as session:
        for table in SQLModel.metadata.sorted_tables:
            columns = list(table.columns)
            for row in session.execute(select(*columns)).all():
                for column, value in zip(columns, row, strict=True):
                    if not isinstance(value, str | dict | list | bytes):
                        continue  # numbers, dates and flags cannot hold a name
                    shown = (
                        value
                        if isinstance(value, str)
                        else json.dumps(value, ensure_ascii=False, default=str)
                    )
                    if any(needle.lower() in (shown or "").lower() for needle in (NAME, EMAIL, PHONE)):
                        hits.append(f"{table.name}.{column.name}")
        assert inspect(session.get_bind()).get_table_names()
    return hits


def _file_hits(instance: Path) -> list[str]:
    needles = [n.encode(encoding) for n in (NAME, EMAIL, PHONE) for encoding in ("utf-8", "utf-16-le")]
    needles += [EMAIL.encode().replace(b"@", b"=40")]
    return [
        str(path.relative_to(instance))
        for path in instance.rglob("*")
        if path.is_file() and any(needle in path.read_bytes() for needle in needles)
    ]


def test_an_erased_volunteer_is_nowhere_in_the_database_or_under_instance(app, factories):
    volunteer_id = _give_the_volunteer_a_history(app, factories)
    instance = Path(app.instance_path)
    assert any(instance.rglob("*.eml")) and _file_hits(instance), "the history must have left traces first"
    assert _text_hits(app)

    with app.app_context(), new_session(write=True) as session:
        exported = privacy.export_volunteer(session, volunteer_id)
        session.commit()
    assert exported["volunteer"]["mails"], "the Art. 15 export lists the mails the person got"
    with app.app_context(), new_session(write=True) as session:
        privacy.erase_volunteer(session, volunteer_id, now=now(), actor="t")

    app.extensions["sqlalchemy_engine"].dispose()
    assert _text_hits(app) == []
    assert _file_hits(instance) == []
    with app.app_context(), new_session(write=False) as session:
        kept = session.execute(select(OutboxMail.id, OutboxMail.status, OutboxMail.created_at)).all()
        assert kept, "the mail rows stay for the audit, without their text"
        session.execute(text("SELECT 1"))


def test_the_retention_job_blanks_the_mails_of_the_requests_it_anonymises(app, factories):
    """Mails about a request (to its contact, to volunteers about its offers) lose their text with it."""
    request = open_request(factories, contact_email="ruth.quellbrunn@kita.example")
    volunteer = factories.VolunteerFactory()
    with app.app_context(), new_session(write=True) as session:
        offer, _token = offers.make_offer(
            session, request_id=request.id, volunteer_id=volunteer.id, now=now(), actor="t"
        )
        offers.accept_offer(session, offer_id=offer.id, now=now())
    deliver_due(app, now=now() + timedelta(minutes=1))
    with app.app_context(), new_session(write=True) as session:
        row = session.get(InterpretingRequest, request.id)
        row.status = RequestStatus.CANCELLED
        row.end = now() - timedelta(days=31 * 30)
        row.start = row.end - timedelta(hours=1)
        session.add(row)
        session.commit()
        privacy.anonymise_finished(session, now=now())

    with app.app_context(), new_session(write=False) as session:
        left = session.execute(select(OutboxMail.recipient, OutboxMail.body_text)).all()
    assert left and all(recipient == "" and body == "" for recipient, body in left)
    assert list(Path(app.instance_path).rglob("*.eml")) == []
