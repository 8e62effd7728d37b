"""Fixtures for the mail relay, the scheduler and the jobs: queue mails, run a sink on a chosen port."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from flask import Flask

from notifications import compose as compose_module
from notifications.compose import Attachment, Mail
from notifications.outbox import enqueue
from sprachmittlerpool.db import new_session
from sprachmittlerpool.models import OutboxMail, local_now
from tests.smtp import SmtpSink, _Handler

TEMPLATES = Path(__file__).parent / "templates"


@pytest.fixture
def queue_mail(app: Flask) -> Callable[..., OutboxMail]:
    """Return a function that queues one mail in its own committed transaction."""
    counter = iter(range(1, 10_000))

    def queue(recipient: str = "person@beispiel.de", **overrides: object) -> OutboxMail:
        number = next(counter)
        mail = Mail(
            recipient=recipient,
            subject=str(overrides.pop("subject", f"Testmail {number}")),
            body_text="Guten Tag,\nhier ist ein Test.",
            body_html="<p>Guten Tag, hier ist ein Test.</p>",
            dedupe_key=str(overrides.pop("dedupe_key", f"test:{number}")),
            attachments=tuple(overrides.pop("attachments", ())),  # type: ignore[arg-type]
        )
        now = overrides.pop("now", local_now())
        with app.app_context(), new_session(write=True) as session:
            row = enqueue(session, mail, now=now)  # type: ignore[arg-type]
            session.commit()
            return row

    return queue


@pytest.fixture
def ics() -> Attachment:
    """Return a small calendar attachment."""
    return Attachment("termin.ics", "text/calendar", "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n")


def outbox_row(app: Flask, row_id: int) -> OutboxMail:
    """Reload an outbox row as the database has it now."""
    with app.app_context(), new_session(write=False) as session:
        row = session.get(OutboxMail, row_id)
        assert row is not None
        return row


def sink_on(port: int) -> SmtpSink:
    """Build a (not yet started) SMTP sink listening on a given port, for a server that comes up later."""
    sink = SmtpSink()
    sink._controller.loop.close()  # the sink's own controller never starts
    sink.port = port
    sink._controller = Controller(_Handler(sink), hostname="127.0.0.1", port=port)
    return sink


@pytest.fixture
def test_templates(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Let compose() also find the test-only template pairs next to these tests."""
    for env in (compose_module._html, compose_module._text):
        monkeypatch.setattr(env.loader, "searchpath", [*env.loader.searchpath, str(TEMPLATES)])  # type: ignore[union-attr]
    yield
    for env in (compose_module._html, compose_module._text):
        if env.cache is not None:
            env.cache.clear()  # forget templates loaded from the test folder
