"""The outbox relay: sends due rows over SMTP with timeouts and verified TLS, or writes .eml files.

Each row is claimed in a short transaction (PostgreSQL: FOR UPDATE SKIP LOCKED; SQLite: the write
lock of BEGIN IMMEDIATE) by pushing its next_attempt_at past the send window, sent outside any
transaction, and marked in its own short transaction right after the server's answer. A crash
between "250" and that commit re-sends once, with the same Message-ID.
"""

from __future__ import annotations

import logging
import random
import re
import smtplib
import ssl
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parseaddr
from pathlib import Path
from typing import Any

from flask import Flask
from flask_mail import Message
from sqlalchemy import update
from sqlmodel import col, select

from notifications.jobs import Every, Job
from sprachmittlerpool.db import new_session
from sprachmittlerpool.models import MailStatus, OutboxMail, local_now
from sprachmittlerpool.private_files import private_dir, write_private

log = logging.getLogger(__name__)

_wake = threading.Event()
_ADDRESS = re.compile(r"[^\s<>\"']+@([^\s<>\"']+)")


def wake() -> None:
    """Ask the in-process relay loop to send now instead of at its next tick (call after commit)."""
    _wake.set()


def wait_for_wake(timeout: float) -> bool:
    """Block until woken or the timeout passes; tell whether someone woke the relay."""
    woken = _wake.wait(timeout)
    _wake.clear()
    return woken


@dataclass(frozen=True)
class RelaySettings:
    """The relay's view of the MAIL_* settings."""

    server: str | None
    port: int
    use_tls: bool
    use_ssl: bool
    username: str | None
    password: str | None
    timeout: float
    mail_dir: Path
    retry_base_seconds: float
    retry_max_seconds: float
    retry_hours: float
    batch_size: int
    ca_file: str | None = None

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> RelaySettings:
        """Read the settings, with defaults for the retry knobs."""
        return cls(
            server=config.get("MAIL_SERVER") or None,
            port=int(config.get("MAIL_PORT", 25)),
            use_tls=bool(config.get("MAIL_USE_TLS")),
            use_ssl=bool(config.get("MAIL_USE_SSL")),
            username=config.get("MAIL_USERNAME") or None,
            password=config.get("MAIL_PASSWORD") or None,
            timeout=float(config.get("MAIL_TIMEOUT_SECONDS", 10)),
            mail_dir=Path(config["MAIL_DIR"]),
            retry_base_seconds=float(config.get("MAIL_RETRY_BASE_SECONDS", 30)),
            retry_max_seconds=float(config.get("MAIL_RETRY_MAX_SECONDS", 3600)),
            retry_hours=float(config.get("MAIL_RETRY_HOURS", 48)),
            batch_size=int(config.get("MAIL_RELAY_BATCH", 50)),
            ca_file=config.get("MAIL_CA_FILE") or None,
        )

    @property
    def claim_window(self) -> timedelta:
        """How long a claimed row stays hidden from other relays while it is being sent."""
        return timedelta(seconds=max(60.0, 4 * self.timeout))


@dataclass
class RelayReport:
    """What one relay pass did."""

    sent: int = 0
    deferred: int = 0
    failed: int = 0

    def summary(self) -> str:
        """Say it in one German line for logs and the CLI."""
        return f"{self.sent} gesendet, {self.deferred} zurückgestellt, {self.failed} fehlgeschlagen"


class TransientError(Exception):
    """A 4xx answer or a network problem: try again later."""


class PermanentError(Exception):
    """A 5xx answer about this message: retrying will not help."""


def deliver_due(app: Flask, *, now: datetime | None = None) -> RelayReport:
    """Send every pending row whose time has come; each row's fate is committed right after its answer."""
    report = RelayReport()
    with app.app_context():
        settings = RelaySettings.from_config(app.config)
        now = now or local_now()
        with _Transport(settings) as transport:
            for _ in range(settings.batch_size):
                row = _claim_next(settings, now=now)
                if row is None:
                    break
                _deliver_one(row, transport, settings, report, now=now)
    return report


def _claim_next(settings: RelaySettings, *, now: datetime) -> OutboxMail | None:
    """Take one due row so no other relay sends it meanwhile."""
    with new_session(write=True) as session:
        row = session.exec(
            select(OutboxMail)
            .where(OutboxMail.status == MailStatus.PENDING, OutboxMail.next_attempt_at <= now)
            .order_by(col(OutboxMail.next_attempt_at), col(OutboxMail.id))
            .limit(1)
            .with_for_update(skip_locked=True)
        ).first()
        if row is None:
            return None
        row.next_attempt_at = now + settings.claim_window
        session.commit()
        return row


def _deliver_one(
    row: OutboxMail, transport: _Transport, settings: RelaySettings, report: RelayReport, *, now: datetime
) -> None:
    try:
        transport.send(row)
    except PermanentError as exc:
        _mark_failed(row, str(exc), now=now)
        report.failed += 1
    except TransientError as exc:
        if _retry(row, str(exc), settings, now=now):
            report.deferred += 1
        else:
            report.failed += 1
    else:
        _mark_sent(row, now=now)
        report.sent += 1


def _mark_sent(row: OutboxMail, *, now: datetime) -> None:
    _update(row, status=MailStatus.SENT, sent_at=now, last_error="")
    log.info("mail %s sent to @%s", row.id, _domain(row.recipient))


def _mark_failed(row: OutboxMail, error: str, *, now: datetime) -> None:
    _update(row, status=MailStatus.FAILED, last_error=error[:1000], next_attempt_at=now)
    log.warning("mail %s to @%s failed: %s", row.id, _domain(row.recipient), _redact(error))


def _retry(row: OutboxMail, error: str, settings: RelaySettings, *, now: datetime) -> bool:
    """Schedule the next try with backoff; give up (and tell so) once the deadline has passed."""
    next_at = now + backoff(row.attempts + 1, settings)
    if next_at > row.created_at + timedelta(hours=settings.retry_hours):
        _mark_failed(row, f"Zustellung aufgegeben nach {row.attempts + 1} Versuchen: {error}", now=now)
        return False
    _update(row, next_attempt_at=next_at, last_error=error[:1000])
    log.info("mail %s to @%s deferred until %s: %s", row.id, _domain(row.recipient), next_at, _redact(error))
    return True


def backoff(attempt: int, settings: RelaySettings) -> timedelta:
    """Return the wait before the next try: exponential, capped, with jitter so retries do not march in step."""
    ceiling = min(settings.retry_max_seconds, settings.retry_base_seconds * 2 ** (attempt - 1))
    return timedelta(seconds=ceiling / 2 + random.uniform(0, ceiling / 2))


def _update(row: OutboxMail, **values: Any) -> None:
    """Write a row's outcome in its own short transaction and count the attempt."""
    with new_session(write=True) as session:
        session.exec(
            update(OutboxMail)
            .where(col(OutboxMail.id) == row.id)
            .values(attempts=OutboxMail.attempts + 1, **values)
        )
        session.commit()


def _domain(address: str) -> str:
    return address.rpartition("@")[2]


def _redact(error: str) -> str:
    """Drop the local parts of addresses a server echoes, so logs name domains only."""
    return _ADDRESS.sub(r"…@\1", error)


def build_message(row: OutboxMail) -> Message:
    """Build the MIME message with Flask-Mail, keeping the row's Message-ID and its pool's Reply-To."""
    message = Message(
        subject=row.subject,
        recipients=[row.recipient],
        body=row.body_text,
        html=row.body_html or None,
        reply_to=row.reply_to or None,
    )
    message.msgId = row.message_id
    for attachment in row.attachments:
        # Flask-Mail builds MIMEBase(*content_type.split("/")), so parameters after the subtype
        # ("text/calendar; method=REQUEST; charset=UTF-8") reach the part's header as written.
        message.attach(
            attachment["filename"], attachment["content_type"], attachment["content"].encode("utf-8")
        )
    if message.has_bad_headers():
        raise PermanentError("Ungültige Kopfzeile (Zeilenumbruch in Betreff oder Adresse)")
    return message


class _Transport:
    """One SMTP connection per relay pass (opened on first use), or the .eml directory without a server."""

    def __init__(self, settings: RelaySettings) -> None:
        self.settings = settings
        self.smtp: smtplib.SMTP | None = None
        self.unreachable: str | None = None

    def __enter__(self) -> _Transport:
        return self

    def __exit__(self, *_exc: object) -> None:
        self._close()

    def send(self, row: OutboxMail) -> None:
        """Deliver one row or raise TransientError / PermanentError."""
        message = build_message(row)
        if self.settings.server is None:
            write_eml(self.settings.mail_dir, row, message.as_bytes())
            return
        if self.unreachable is not None:
            raise TransientError(self.unreachable)  # do not wait for the same timeout once per row
        self._send_smtp(message)

    def _send_smtp(self, message: Message) -> None:
        sender = parseaddr(str(message.sender))[1]
        try:
            smtp = self.smtp or self._connect()
            smtp.sendmail(sender, [message.recipients[0]], message.as_bytes())  # type: ignore[list-item]
        except smtplib.SMTPRecipientsRefused as exc:
            code, text = next(iter(exc.recipients.values()))
            raise _classify(code, text) from exc
        except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as exc:
            raise _classify(exc.smtp_code, exc.smtp_error) from exc
        except (smtplib.SMTPException, OSError) as exc:
            self._close()
            raise TransientError(f"Mailserver-Verbindung: {type(exc).__name__}: {exc}") from exc

    def _connect(self) -> smtplib.SMTP:
        """Open the connection: SMTP_SSL or STARTTLS with a verifying context, always with a timeout."""
        s = self.settings
        try:
            if s.use_ssl:
                smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                    s.server or "", s.port, timeout=s.timeout, context=tls_context(s)
                )
            else:
                smtp = smtplib.SMTP(s.server or "", s.port, timeout=s.timeout)
                if s.use_tls:
                    smtp.starttls(context=tls_context(s))
            if s.username and s.password:
                smtp.login(s.username, s.password)
        except (smtplib.SMTPException, OSError) as exc:
            self.unreachable = f"Mailserver nicht erreichbar: {type(exc).__name__}: {exc}"
            raise TransientError(self.unreachable) from exc
        self.smtp = smtp
        return smtp

    def _close(self) -> None:
        if self.smtp is None:
            return
        try:
            self.smtp.quit()
        except (smtplib.SMTPException, OSError):
            self.smtp.close()
        self.smtp = None


def tls_context(settings: RelaySettings) -> ssl.SSLContext:
    """Build the client context: the certificate must chain to a trusted CA and name the server.

    smtplib's own default (used when no context is passed, as Flask-Mail does) verifies nothing, so
    an attacker on the path could read every mail. MAIL_CA_FILE adds the operator's CA (an internal
    relay) to the system store; it never switches verification off.
    """
    context = ssl.create_default_context(cafile=settings.ca_file)
    context.check_hostname = True
    context.verify_mode = ssl.CERT_REQUIRED
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


def _classify(code: int, text: bytes | str) -> Exception:
    """Turn an SMTP answer into a retry (4xx) or a final failure (5xx)."""
    detail = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    message = f"{code} {detail}"
    return PermanentError(message) if 500 <= code < 600 else TransientError(message)


def write_eml(mail_dir: Path, row: OutboxMail, content: bytes) -> Path:
    """Write the mail as an RFC 5322 file; the name is fixed per row so a rewrite replaces, not doubles."""
    private_dir(mail_dir)
    path = write_private(mail_dir / f"{row.created_at:%Y%m%d-%H%M%S}-{row.id}.eml", content)
    log.info("mail %s written to %s", row.id, path.name)
    return path


def relay_outbox(_session: object, *, now: datetime) -> str:
    """Send what is due (a job function: each row is its own transaction, so the session is unused)."""
    from flask import current_app

    return deliver_due(current_app._get_current_object(), now=now).summary()  # type: ignore[attr-defined]


def relay_job(schedule: Every) -> Job:
    """Describe the relay as a scheduled job that wake() can start early."""
    return Job(
        "relay_outbox",
        relay_outbox,
        schedule,
        "Wartende E-Mails aus dem Postausgang versenden (mit Wiederholung bei Störungen)",
        tracked=False,
        wake=_wake,
    )
