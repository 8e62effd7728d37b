"""Every mail speaks for its pool: a footer with the pool's name, contact, Impressum and Datenschutz (absolute
links), and a Reply-To header with the pool's address, stored on the outbox row and sent by the relay."""

from __future__ import annotations

import email
import email.policy
from pathlib import Path
from types import SimpleNamespace

import pytest
from flask import Flask
from sqlmodel import select

from notifications.compose import TEMPLATES, compose
from notifications.relay import deliver_due
from sprachmittlerpool.db import new_session
from sprachmittlerpool.identity import PoolIdentity
from sprachmittlerpool.models import OutboxMail, Pool, local_now
from sprachmittlerpool.services.mail import queue_mail
from tests.factories import FIRST_POOL
from tests.intake.conftest import payload

KLEVE = PoolIdentity(
    name="Sprachmittlerpool Kreis Kleve",
    organisation="Kommunales Integrationszentrum Kreis Kleve",
    postal_address="Nassauerallee 15–23\n47533 Kleve",
    phone="02821 85-0",
    email="sprachmittlerpool@kreis-kleve.example",
    opening_hours="Mo–Do 8–12 Uhr",
    base_url="https://sprachmittlung.kreis-kleve.example",
)
FOOTER_TEXT = [
    "\n-- \nSprachmittlerpool Kreis Kleve\n",
    "Kommunales Integrationszentrum Kreis Kleve",
    "Nassauerallee 15–23, 47533 Kleve",
    "Telefon: 02821 85-0",
    "E-Mail: sprachmittlerpool@kreis-kleve.example",
    "Sprechzeiten: Mo–Do 8–12 Uhr",
    "Impressum: https://sprachmittlung.kreis-kleve.example/impressum",
    "Datenschutz: https://sprachmittlung.kreis-kleve.example/datenschutz",
]
FOOTER_HTML = [
    "<strong>Sprachmittlerpool Kreis Kleve</strong>",
    "Nassauerallee 15–23, 47533 Kleve",
    'href="mailto:sprachmittlerpool@kreis-kleve.example"',
    '<a href="https://sprachmittlung.kreis-kleve.example/impressum">Impressum</a>',
    '<a href="https://sprachmittlung.kreis-kleve.example/datenschutz">Datenschutz</a>',
]
# What any template of the product may ask for; a template that needs more fails the sweep (StrictUndefined).
SAMPLE = {
    "request": SimpleNamespace(
        contact_name="Frau Schneider",
        status="review",
        reasons=[{"message": "Bitte prüfen: Gespräch beim Jugendamt.", "rule": "R9"}],
    ),
    "date": "03.03.2026",
    "time": "10:00–11:00",
    "day": "Dienstag, 3. März 2026",
    "place": "Apfelstraße 1, Kleve",
    "municipality": "Kleve",
    "address": "Apfelstraße 1",
    "language": "Ukrainisch",
    "dialect": "",
    "institution": "Städtische Kita Regenbogen",
    "first_name": "Olena",
    "volunteer_first_name": "Olena",
    "contact_route": "",
    "url": "https://sprachmittlung.kreis-kleve.example/o/token",
    "status_url": "https://sprachmittlung.kreis-kleve.example/status/token",
    "expires": "Montag, 2. März 2026, 18:00 Uhr",
    "reason": "vergeben",
    "reasons": [
        {
            "message": "Gerichtstermine werden nicht vermittelt.",
            "rule": "R1",
            "title": "Termine bei Gerichten",
        }
    ],
    "note": "",
    "by_volunteer": False,
    "released": False,
    "new": {
        "day": "Mittwoch, 4. März 2026",
        "time": "11:00–12:00 Uhr",
        "place": "Markt 1, Kleve",
        "language": "Russisch",
    },
    "cutoff_hours": 24,
    "name": "Kim Koordination",
    "email": "kim@kreis-kleve.example",
    "role": "Koordination",
    "link": "https://sprachmittlung.kreis-kleve.example/einladung/token",
    "valid_until": "10. März 2026",
    "new_email": "olena.neu@example.org",
    "kind": "erweitertes Führungszeugnis",
    "expired": False,
    "weeks": 8,
    "items": [
        SimpleNamespace(
            volunteer_name="Olena Nowak",
            kind_label="Erweitertes Führungszeugnis",
            until_text="gültig bis 31.01.2027",
        )
    ],
    "list_url": "https://sprachmittlung.kreis-kleve.example/koordination/sprachmittelnde/nachweise-ablauf",
    "asking_pool": "Sprachmittlerpool Kreis Heinsberg",
    "volunteer_name": "Olena Kowalenko",
}


def product_templates() -> list[str]:
    """Return the name of every mail the product sends (the .txt/.html pairs, the partials aside)."""
    return sorted(path.stem for path in TEMPLATES.glob("*.txt") if not path.stem.startswith("_"))


def test_every_template_has_its_html_twin_and_there_are_all_of_them() -> None:
    names = product_templates()

    assert len(names) == 29, names
    assert all((TEMPLATES / f"{name}.html").exists() for name in names)


@pytest.mark.parametrize("template", product_templates())
def test_every_mail_carries_the_pools_footer_in_text_and_html_and_its_reply_to(template: str) -> None:
    mail = compose(template, recipient="leitung@kita.example", dedupe_key="k", pool=KLEVE, context=SAMPLE)

    assert [line for line in FOOTER_TEXT if line not in mail.body_text] == []
    assert [part for part in FOOTER_HTML if part not in mail.body_html] == []
    assert mail.reply_to == "sprachmittlerpool@kreis-kleve.example"
    assert "Sprachmittlerpool Kreis Kleve" in mail.body_text.split("\n-- \n")[0]  # signed by the pool, too


def test_a_pool_without_optional_contact_data_leaves_no_empty_lines_behind() -> None:
    bare = PoolIdentity(name="Sprachmittlerpool", email="pool@example.org", base_url="http://localhost")

    mail = compose("unfilled", recipient="a@kita.example", dedupe_key="k", pool=bare, context=SAMPLE)

    assert mail.body_text.endswith(
        "\n-- \nSprachmittlerpool\nE-Mail: pool@example.org\n"
        "Impressum: http://localhost/impressum\nDatenschutz: http://localhost/datenschutz"
    )
    assert "Telefon:" not in mail.body_html and "Sprechzeiten:" not in mail.body_html


def test_a_reply_to_with_a_line_break_is_refused_so_no_header_can_be_added() -> None:
    evil = PoolIdentity(name="P", email="pool@example.org\r\nBcc: alle@evil.example")

    with pytest.raises(ValueError):
        compose("unfilled", recipient="a@kita.example", dedupe_key="k", pool=evil, context=SAMPLE)


@pytest.fixture
def kleve_pool(app: Flask) -> None:
    """Give the first pool Kreis Kleve's identity in the database."""
    with app.app_context(), new_session(write=True) as session:
        pool = session.get(Pool, FIRST_POOL)
        for field in ("name", "organisation", "postal_address", "phone", "email", "opening_hours"):
            setattr(pool, field, getattr(KLEVE, field))
        session.add(pool)
        session.commit()


def test_the_relay_sends_every_template_with_the_pools_reply_to_and_footer(
    app_config, smtp_server, request
) -> None:
    app_config.update(smtp_server.config(), BASE_URL=KLEVE.base_url)
    app: Flask = request.getfixturevalue("app")
    request.getfixturevalue("kleve_pool")
    names = product_templates()
    with app.app_context(), new_session(write=True) as session:
        for number, name in enumerate(names):
            queue_mail(
                session, name, pool_id=FIRST_POOL, recipient=f"r{number}@kita.example",
                dedupe_key=f"sweep:{name}", context=SAMPLE, now=local_now(),
            )  # fmt: skip
        session.commit()

    report = deliver_due(app, now=local_now())

    messages = smtp_server.wait_for(len(names))
    assert report.sent == len(names)
    assert {m["Reply-To"] for m in messages} == {"sprachmittlerpool@kreis-kleve.example"}
    for message in messages:
        text = message.get_body(("plain",)).get_content().replace("\r\n", "\n")
        html = message.get_body(("html",)).get_content()
        assert [line for line in FOOTER_TEXT if line not in text] == [], message["Subject"]
        assert [part for part in FOOTER_HTML if part not in html] == [], message["Subject"]


def test_a_request_from_the_form_queues_its_mail_for_its_pool_and_the_reply_reaches_the_ki(
    app_config, smtp_server, request
) -> None:
    app_config.update(smtp_server.config())
    app: Flask = request.getfixturevalue("app")
    request.getfixturevalue("kleve_pool")
    response = app.test_client().post("/api/v1/requests", json=payload())
    assert response.status_code == 201, response.get_json()

    deliver_due(app, now=local_now())

    (message,) = smtp_server.wait_for(1)
    assert message["To"] == "leitung@kita-regenbogen.example"
    assert message["Reply-To"] == "sprachmittlerpool@kreis-kleve.example"
    text = message.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert "Mit freundlichen Grüßen\nSprachmittlerpool Kreis Kleve" in text
    assert "Impressum: http://localhost/impressum" in text
    with app.app_context(), new_session(write=False) as session:
        row = session.exec(select(OutboxMail)).one()
        assert (row.pool_id, row.reply_to) == (FIRST_POOL, "sprachmittlerpool@kreis-kleve.example")


def test_without_a_mail_server_the_eml_file_carries_the_reply_to(app, kleve_pool) -> None:
    with app.app_context(), new_session(write=True) as session:
        queue_mail(
            session, "unfilled", pool_id=FIRST_POOL, recipient="a@kita.example", dedupe_key="eml",
            context=SAMPLE, now=local_now(),
        )  # fmt: skip
        session.commit()

    deliver_due(app, now=local_now())

    (path,) = Path(app.config["MAIL_DIR"]).glob("*.eml")
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert message["Reply-To"] == "sprachmittlerpool@kreis-kleve.example"
