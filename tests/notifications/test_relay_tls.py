"""The relay speaks STARTTLS only to a mail server whose certificate it can verify (checklist: verified TLS).

A real aiosmtpd server offers STARTTLS with a certificate from a CA made for the test. Unknown CA or a
certificate for another host: the mail stays in the outbox with the reason. MAIL_CA_FILE names the CA:
the same mail goes out, once.
"""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from notifications.relay import RelaySettings, deliver_due, tls_context
from sprachmittlerpool import create_app
from sprachmittlerpool.models import MailStatus, local_now
from tests.notifications.conftest import outbox_row
from tests.smtp import SmtpSink
from tests.tls import CertificateAuthority, make_certificate_authority


@pytest.fixture
def authority(tmp_path: Path) -> CertificateAuthority:
    """A CA and a server certificate for 127.0.0.1, the address the relay dials."""
    return make_certificate_authority(tmp_path / "tls")


@pytest.fixture
def tls_server(authority: CertificateAuthority) -> Iterator[SmtpSink]:
    """A real SMTP server that requires STARTTLS and shows the test CA's certificate."""
    sink = SmtpSink(tls_context=authority.server_context)
    sink.start()
    yield sink
    sink.stop()


def _use_tls(app_config: dict[str, object], sink: SmtpSink, **extra: object) -> None:
    app_config.update(sink.config(), MAIL_USE_TLS=True, MAIL_TIMEOUT_SECONDS=5, **extra)


def test_an_untrusted_certificate_is_refused_and_the_mail_stays_queued_with_the_reason(
    app_config, tls_server, request
):
    _use_tls(app_config, tls_server)
    app: Flask = request.getfixturevalue("app")
    row = request.getfixturevalue("queue_mail")()

    report = deliver_due(app, now=local_now())

    waiting = outbox_row(app, row.id)
    assert (report.sent, report.deferred) == (0, 1)
    assert (waiting.status, waiting.sent_at) == (MailStatus.PENDING, None)
    assert "CERTIFICATE_VERIFY_FAILED" in waiting.last_error
    assert tls_server.messages == []


def test_with_mail_ca_file_the_same_mail_is_delivered_once_over_starttls(
    app_config, tls_server, authority, request
):
    _use_tls(app_config, tls_server, MAIL_CA_FILE=str(authority.ca_file))
    app: Flask = request.getfixturevalue("app")
    row = request.getfixturevalue("queue_mail")()

    first = deliver_due(app, now=local_now())
    second = deliver_due(app, now=local_now())

    (message,) = tls_server.wait_for(1)
    assert (first.sent, second.sent) == (1, 0)
    assert message["Message-ID"] == row.message_id
    assert outbox_row(app, row.id).status == MailStatus.SENT
    assert len(tls_server.messages) == 1


def test_a_refused_mail_goes_out_once_the_operator_names_the_ca(app_config, tls_server, authority, request):
    _use_tls(app_config, tls_server)
    untrusting: Flask = request.getfixturevalue("app")
    row = request.getfixturevalue("queue_mail")()
    assert deliver_due(untrusting, now=local_now()).deferred == 1

    trusting_config = {**app_config, "MAIL_CA_FILE": str(authority.ca_file)}
    trusting = create_app(trusting_config)
    try:
        report = deliver_due(trusting, now=outbox_row(untrusting, row.id).next_attempt_at)
    finally:
        trusting.extensions["sqlalchemy_engine"].dispose()

    (message,) = tls_server.wait_for(1)
    assert report.sent == 1
    assert message["Message-ID"] == row.message_id
    assert outbox_row(untrusting, row.id).status == MailStatus.SENT


def test_a_trusted_ca_does_not_excuse_a_certificate_for_another_host(app_config, tmp_path, request):
    other_host = make_certificate_authority(tmp_path / "other", server_name="mail.anderswo.example")
    sink = SmtpSink(tls_context=other_host.server_context)
    sink.start()
    try:
        _use_tls(app_config, sink, MAIL_CA_FILE=str(other_host.ca_file))
        app: Flask = request.getfixturevalue("app")
        row = request.getfixturevalue("queue_mail")()
        report = deliver_due(app, now=local_now())
    finally:
        sink.stop()

    assert report.deferred == 1
    waiting = outbox_row(app, row.id)
    assert waiting.status == MailStatus.PENDING
    assert "IP address mismatch" in waiting.last_error
    assert sink.messages == []


def test_implicit_tls_refuses_an_untrusted_certificate_and_delivers_once_with_the_ca(
    app_config, authority, request
):
    sink = SmtpSink(tls_context=authority.server_context, implicit_tls=True)
    sink.start()
    try:
        app_config.update(sink.config(), MAIL_USE_SSL=True, MAIL_TIMEOUT_SECONDS=5)
        untrusting: Flask = request.getfixturevalue("app")
        row = request.getfixturevalue("queue_mail")()
        refused = deliver_due(untrusting, now=local_now())
        reason = outbox_row(untrusting, row.id)

        trusting = create_app({**app_config, "MAIL_CA_FILE": str(authority.ca_file)})
        try:
            delivered = deliver_due(trusting, now=reason.next_attempt_at)
        finally:
            trusting.extensions["sqlalchemy_engine"].dispose()
        (message,) = sink.wait_for(1)
    finally:
        sink.stop()

    assert (refused.deferred, delivered.sent) == (1, 1)
    assert "CERTIFICATE_VERIFY_FAILED" in reason.last_error
    assert message["Message-ID"] == row.message_id
    assert outbox_row(untrusting, row.id).status == MailStatus.SENT


def test_the_client_context_always_verifies_the_chain_and_the_host_name(authority):
    settings = RelaySettings.from_config({"MAIL_DIR": "unused", "MAIL_CA_FILE": str(authority.ca_file)})

    context = tls_context(settings)

    assert (context.verify_mode, context.check_hostname) == (ssl.CERT_REQUIRED, True)
    assert context.minimum_version >= ssl.TLSVersion.TLSv1_2


def test_a_mail_ca_file_that_does_not_exist_stops_the_app_with_one_sentence(app_config, tmp_path):
    app_config["MAIL_CA_FILE"] = str(tmp_path / "fehlt.pem")

    with pytest.raises(SystemExit, match="MAIL_CA_FILE nennt keine lesbare Datei"):
        create_app(app_config)
