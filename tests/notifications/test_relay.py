"""The relay delivers every queued mail exactly as SMTP allows: retry on 4xx and outages, fail on 5xx."""

from __future__ import annotations

import email
import email.policy
from datetime import timedelta
from pathlib import Path

from flask import Flask

from notifications.relay import RelaySettings, _claim_next, _Transport, backoff, deliver_due
from sprachmittlerpool.models import MailStatus, local_now
from tests.notifications.conftest import outbox_row, sink_on
from tests.smtp import free_port


def test_queued_mail_reaches_the_smtp_server_with_its_message_id(app_config, smtp_server, request, ics):
    app_config.update(smtp_server.config())
    app: Flask = request.getfixturevalue("app")
    row = request.getfixturevalue("queue_mail")("anna@beispiel.de", attachments=[ics])

    report = deliver_due(app, now=local_now())

    (message,) = smtp_server.wait_for(1)
    assert report.sent == 1
    assert message["Message-ID"] == row.message_id
    assert message["To"] == "anna@beispiel.de"
    assert [part.get_filename() for part in message.iter_attachments()] == ["termin.ics"]
    stored = outbox_row(app, row.id)
    assert (stored.status, stored.attempts, stored.sent_at is not None) == (MailStatus.SENT, 1, True)


def test_closed_port_leaves_the_row_waiting_until_a_server_listens(app_config, request):
    port = free_port()
    app_config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_TIMEOUT_SECONDS=2)
    app: Flask = request.getfixturevalue("app")
    row = request.getfixturevalue("queue_mail")()
    now = local_now()

    report = deliver_due(app, now=now)

    waiting = outbox_row(app, row.id)
    assert report.deferred == 1
    assert (waiting.status, waiting.attempts) == (MailStatus.PENDING, 1)
    assert waiting.next_attempt_at > now
    assert "nicht erreichbar" in waiting.last_error
    assert deliver_due(app, now=now).sent == 0  # not due yet

    sink = sink_on(port)
    sink.start()
    try:
        report = deliver_due(app, now=waiting.next_attempt_at)
        (message,) = sink.wait_for(1)
    finally:
        sink.stop()
    assert report.sent == 1
    assert message["Message-ID"] == row.message_id
    assert outbox_row(app, row.id).status == MailStatus.SENT


def test_an_outage_costs_one_connection_timeout_per_pass_not_one_per_mail(app_config, request):
    app_config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port())
    app: Flask = request.getfixturevalue("app")
    queue = request.getfixturevalue("queue_mail")
    rows = [queue(), queue(), queue()]

    report = deliver_due(app, now=local_now())

    assert report.deferred == 3
    assert all(outbox_row(app, row.id).attempts == 1 for row in rows)


def test_answers_451_451_250_deliver_on_the_third_try(app_config, smtp_server, request):
    app_config.update(smtp_server.config())
    app: Flask = request.getfixturevalue("app")
    row = request.getfixturevalue("queue_mail")()
    smtp_server.scripted.extend(["451 4.3.0 try later", "451 4.3.0 try later"])
    now = local_now()

    reports = []
    for _ in range(3):
        reports.append(deliver_due(app, now=now))
        now = outbox_row(app, row.id).next_attempt_at

    assert [(r.sent, r.deferred) for r in reports] == [(0, 1), (0, 1), (1, 0)]
    assert [m["Message-ID"] for m in smtp_server.messages] == [row.message_id]
    stored = outbox_row(app, row.id)
    assert (stored.status, stored.attempts, stored.last_error) == (MailStatus.SENT, 3, "")


def test_retries_back_off_exponentially_with_jitter_up_to_a_cap(app):
    settings = RelaySettings.from_config(
        {**app.config, "MAIL_RETRY_BASE_SECONDS": 30, "MAIL_RETRY_MAX_SECONDS": 600}
    )

    waits = [backoff(attempt, settings).total_seconds() for attempt in range(1, 10)]

    assert 15 <= waits[0] <= 30
    assert 60 <= waits[3] <= 240
    assert all(300 <= wait <= 600 for wait in waits[6:])


def test_a_4xx_after_the_deadline_fails_the_mail_for_good(app_config, smtp_server, request):
    app_config.update(smtp_server.config(), MAIL_RETRY_HOURS=48)
    app: Flask = request.getfixturevalue("app")
    row = request.getfixturevalue("queue_mail")(now=local_now() - timedelta(hours=49))
    smtp_server.scripted.append("451 4.3.0 try later")

    report = deliver_due(app, now=local_now())

    stored = outbox_row(app, row.id)
    assert report.failed == 1
    assert stored.status == MailStatus.FAILED
    assert "aufgegeben" in stored.last_error and "451" in stored.last_error


def test_550_fails_at_once_and_the_coordinator_sees_it(app_config, smtp_server, request):
    app_config.update(smtp_server.config())
    app: Flask = request.getfixturevalue("app")
    row = request.getfixturevalue("queue_mail")("niemand@beispiel.de")
    smtp_server.scripted.append("550 5.1.1 no such user")

    report = deliver_due(app, now=local_now())

    stored = outbox_row(app, row.id)
    assert report.failed == 1
    assert (stored.status, stored.attempts) == (MailStatus.FAILED, 1)
    assert stored.last_error == "550 5.1.1 no such user"
    page = request.getfixturevalue("coordinator_client").get("/entwicklung/mails").get_data(as_text=True)
    assert 'class="mail-failed"' in page
    assert "550 5.1.1 no such user" in page and "niemand@beispiel.de" in page
    assert "fehlgeschlagen: 1" in page


def test_a_coordinator_can_send_a_failed_mail_again(app_config, smtp_server, request):
    app_config.update(smtp_server.config())
    app: Flask = request.getfixturevalue("app")
    row = request.getfixturevalue("queue_mail")()
    smtp_server.scripted.append("550 5.7.1 relaying denied")
    deliver_due(app, now=local_now())
    client = request.getfixturevalue("coordinator_client")

    response = client.post(f"/entwicklung/mails/{row.id}/erneut")
    deliver_due(app, now=local_now())

    assert response.status_code == 302
    assert outbox_row(app, row.id).status == MailStatus.SENT
    assert [m["Message-ID"] for m in smtp_server.messages] == [row.message_id]
    assert client.post(f"/entwicklung/mails/{row.id}/erneut").status_code == 409  # only failed mails


def test_a_crash_between_250_and_commit_sends_at_most_one_duplicate_with_the_same_message_id(
    app_config, smtp_server, request
):
    app_config.update(smtp_server.config())
    app: Flask = request.getfixturevalue("app")
    row = request.getfixturevalue("queue_mail")()
    now = local_now()
    with app.app_context():
        settings = RelaySettings.from_config(app.config)
        claimed = _claim_next(settings, now=now)
        assert claimed is not None
        with _Transport(settings) as transport:
            transport.send(claimed)  # the server said 250 … and the relay dies before marking the row

    assert deliver_due(app, now=now).sent == 0  # the claim hides the row from other relays meanwhile
    deliver_due(app, now=now + settings.claim_window)
    deliver_due(app, now=now + 2 * settings.claim_window)

    ids = [m["Message-ID"] for m in smtp_server.wait_for(2)]
    assert ids == [row.message_id, row.message_id]
    assert outbox_row(app, row.id).status == MailStatus.SENT


def test_without_mail_server_an_eml_file_appears_and_the_page_lists_it(request, ics):
    app: Flask = request.getfixturevalue("app")
    row = request.getfixturevalue("queue_mail")(
        "bea@beispiel.de", subject="Einsatz am Montag", attachments=[ics]
    )

    report = deliver_due(app, now=local_now())

    (path,) = Path(app.config["MAIL_DIR"]).glob("*.eml")
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert report.sent == 1
    assert path.name.endswith(f"-{row.id}.eml")
    assert (message["Message-ID"], message["To"], message["Subject"]) == (
        row.message_id,
        "bea@beispiel.de",
        "Einsatz am Montag",
    )
    assert "hier ist ein Test" in message.get_body(("plain",)).get_content()
    assert [part.get_filename() for part in message.iter_attachments()] == ["termin.ics"]
    assert outbox_row(app, row.id).status == MailStatus.SENT
    client = request.getfixturevalue("coordinator_client")
    page = client.get("/entwicklung/mails").get_data(as_text=True)
    assert path.name in page
    assert row.message_id.strip("<>") in client.get(f"/entwicklung/mails/datei/{path.name}").get_data(
        as_text=True
    )


def test_the_mail_page_refuses_anonymous_visitors(client):
    for response in (
        client.get("/entwicklung/mails"),
        client.get("/entwicklung/mails/datei/20250101-120000-1.eml"),
        client.post("/entwicklung/mails/1/erneut"),
    ):
        assert response.status_code == 302
        assert "/anmelden" in response.headers["Location"]


def test_a_mail_file_name_cannot_leave_the_mail_folder(coordinator_client):
    assert coordinator_client.get("/entwicklung/mails/datei/..%2Finstance.eml").status_code == 404
    assert coordinator_client.get("/entwicklung/mails/datei/secret_key").status_code == 404
