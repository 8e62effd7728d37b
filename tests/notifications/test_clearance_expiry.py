"""Police clearances that run out: the volunteer is told once per end date, the coordinators get one digest,
a rerun or a second scheduler sends nothing again, and a renewed clearance gets its own reminder."""

from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest
from flask import Flask
from sqlmodel import select

from notifications.jobs import ALREADY_RAN, find_job, run_job
from notifications.relay import deliver_due
from sprachmittlerpool import create_app
from sprachmittlerpool.db import new_session
from sprachmittlerpool.jobs import JOBS
from sprachmittlerpool.models import Pool, Qualification, Role, User, Volunteer, local_now
from sprachmittlerpool.services.qualifications import Entry, save_qualifications
from tests.conftest import COORDINATOR_EMAIL
from tests.factories import FIRST_POOL
from tests.smtp import SmtpSink

JOB = find_job(JOBS, "remind_clearances")
NOW = local_now().replace(hour=7, minute=30, second=0, microsecond=0)
TODAY = NOW.date()
ADMIN_EMAIL = "leitung@kreis-heinsberg.example"
POOL_PHONE, POOL_EMAIL = "02452 13-0", "sprachmittlerpool@kreis-heinsberg.example"


def _qualified_until(valid_until: date | None) -> dict[str, date | None]:
    return {"trained": None, "confidentiality": None, "clearance": valid_until}


@pytest.fixture
def mail_app(app_config, smtp_server: SmtpSink, request) -> Flask:
    """The app sending to the real SMTP sink, with a pool contact, a coordinator, an admin and a retired account."""
    app_config.update(smtp_server.config())
    app: Flask = request.getfixturevalue("app")
    request.getfixturevalue("coordinator")
    with app.app_context(), new_session(write=True) as session:
        pool = session.get(Pool, FIRST_POOL)
        pool.phone, pool.email = POOL_PHONE, POOL_EMAIL
        session.add(pool)
        for email, role, active in (
            (ADMIN_EMAIL, Role.ADMIN, True),
            ("frueher@kreis-heinsberg.example", Role.COORDINATOR, False),
        ):
            session.add(User(pool_id=FIRST_POOL, email=email, role=role, active=active, password_hash="x"))
        session.commit()
    return app


@pytest.fixture
def people(mail_app, factories) -> dict[str, Volunteer]:
    """Volunteers whose clearances end soon, have ended, end much later, or who are no longer active."""
    return {
        "soon": factories.VolunteerFactory(
            name="Olena Nowak", qualifications=_qualified_until(TODAY + timedelta(days=30))
        ),
        "expired": factories.VolunteerFactory(
            name="Amir Haddad", qualifications=_qualified_until(TODAY - timedelta(days=3))
        ),
        "later": factories.VolunteerFactory(
            name="Lena Petrova", qualifications=_qualified_until(TODAY + timedelta(weeks=9))
        ),
        "inactive": factories.VolunteerFactory(
            name="Karim Aziz", active=False, qualifications=_qualified_until(TODAY + timedelta(days=5))
        ),
        "open_ended": factories.VolunteerFactory(name="Mira Sahin", qualifications=_qualified_until(None)),
    }


def _run_and_deliver(app: Flask, *, now=NOW) -> str:
    summary = run_job(app, JOB, now=now)
    deliver_due(app, now=now)
    return summary


def _text(message) -> str:
    return message.get_body(("plain",)).get_content().replace("\r\n", "\n")


def test_the_volunteer_is_told_once_and_the_coordinators_get_one_digest(mail_app, people, smtp_server):
    summary = _run_and_deliver(mail_app)

    messages = smtp_server.wait_for(4)
    soon_until = f"{TODAY + timedelta(days=30):%d.%m.%Y}"
    expired_until = f"{TODAY - timedelta(days=3):%d.%m.%Y}"
    assert summary == "2 Führungszeugnisse angekündigt"
    assert sorted(str(m["To"]) for m in messages) == sorted(
        [people["soon"].email, people["expired"].email, COORDINATOR_EMAIL, ADMIN_EMAIL]
    )
    (soon,) = smtp_server.to(people["soon"].email)
    assert soon["Subject"] == f"Ihr erweitertes Führungszeugnis gilt bis {soon_until}"
    assert f"Hallo Olena,\n\nIhr erweitertes Führungszeugnis gilt bis {soon_until}." in _text(soon)
    assert f"Telefon {POOL_PHONE}, E-Mail {POOL_EMAIL}" in _text(soon)
    (expired,) = smtp_server.to(people["expired"].email)
    assert expired["Subject"] == "Ihr erweitertes Führungszeugnis ist abgelaufen"
    assert f"galt bis {expired_until} und ist jetzt abgelaufen" in _text(expired)
    (digest,) = smtp_server.to(COORDINATOR_EMAIL)
    assert digest["Subject"] == "Führungszeugnisse laufen ab: 2 Personen"
    body = _text(digest)
    assert f"- Amir Haddad: Erweitertes Führungszeugnis, abgelaufen am {expired_until}\n" in body
    assert f"- Olena Nowak: Erweitertes Führungszeugnis, gültig bis {soon_until}\n" in body
    assert "Lena Petrova" not in body and "Karim Aziz" not in body and "Mira Sahin" not in body
    assert "http://localhost/koordination/sprachmittelnde/nachweise-ablauf" in body


def test_the_next_days_run_sends_nothing_again(mail_app, people, smtp_server):
    _run_and_deliver(mail_app)
    smtp_server.wait_for(4)

    summary = _run_and_deliver(mail_app, now=NOW + timedelta(days=1))

    assert summary == "0 Führungszeugnisse angekündigt"
    assert len(smtp_server.messages) == 4


def test_a_renewed_clearance_gets_its_own_reminder_when_its_end_comes_near(mail_app, people, smtp_server):
    _run_and_deliver(mail_app)
    smtp_server.wait_for(4)
    renewed_until = TODAY + timedelta(weeks=60)
    with mail_app.app_context(), new_session(write=True) as session:
        olena = session.get(Volunteer, people["soon"].id)
        save_qualifications(
            session, olena, remote=False, actor="test",
            entries={"trained": Entry(TODAY), "confidentiality": Entry(TODAY),
                     "clearance": Entry(TODAY, renewed_until)},
        )  # fmt: skip

    nothing_yet = _run_and_deliver(mail_app, now=NOW + timedelta(days=1))
    near_the_end = NOW + timedelta(weeks=60 - 7)
    later = _run_and_deliver(mail_app, now=near_the_end)

    assert nothing_yet == "0 Führungszeugnisse angekündigt"
    assert later == "2 Führungszeugnisse angekündigt"  # Olena's new end date; Lena's has come near as well
    reminders = smtp_server.to(people["soon"].email)
    assert [m["Subject"] for m in reminders][
        -1
    ] == f"Ihr erweitertes Führungszeugnis gilt bis {renewed_until:%d.%m.%Y}"
    assert len(reminders) == 2


def test_two_schedulers_running_the_job_at_the_same_moment_send_each_mail_once(
    app_config, mail_app, people, smtp_server
):
    apps = [create_app(app_config), create_app(app_config)]
    start = threading.Barrier(2)
    summaries: list[str] = []

    def run(app: Flask) -> None:
        start.wait()
        summaries.append(run_job(app, JOB, now=NOW))

    threads = [threading.Thread(target=run, args=(app,)) for app in apps]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    # the second scheduler takes over the next day: the rows remember what was told
    next_day = run_job(apps[1], JOB, now=NOW + timedelta(days=1))
    deliver_due(mail_app, now=NOW + timedelta(days=1))
    for app in apps:
        app.extensions["sqlalchemy_engine"].dispose()

    assert sorted(summaries) == sorted([ALREADY_RAN, "2 Führungszeugnisse angekündigt"])
    assert next_day == "0 Führungszeugnisse angekündigt"
    smtp_server.wait_for(4)
    assert len(smtp_server.messages) == 4
    with mail_app.app_context(), new_session(write=False) as session:
        rows = session.exec(select(Qualification).where(Qualification.kind == "clearance")).all()
        marks = {row.volunteer_id: row.expiry_notice_for for row in rows}
    assert marks[people["soon"].id] == TODAY + timedelta(days=30)
    assert marks[people["later"].id] is None


def test_a_pool_that_announces_twelve_weeks_ahead_tells_about_the_later_end_too(
    mail_app, people, smtp_server
):
    with mail_app.app_context(), new_session(write=True) as session:
        pool = session.get(Pool, FIRST_POOL)
        pool.clearance_notice_weeks = 12
        session.add(pool)
        session.commit()

    summary = _run_and_deliver(mail_app)

    assert summary == "3 Führungszeugnisse angekündigt"
    smtp_server.wait_for(5)
    (lena,) = smtp_server.to(people["later"].email)
    assert (
        lena["Subject"] == f"Ihr erweitertes Führungszeugnis gilt bis {TODAY + timedelta(weeks=9):%d.%m.%Y}"
    )
    (digest,) = smtp_server.to(COORDINATOR_EMAIL)
    assert "in den nächsten 12 Wochen" in _text(digest)
