"""Admins set the pool's identity in the settings; the public pages, the footer and the audit trail follow."""

from __future__ import annotations

import pytest
from sqlmodel import select

from sprachmittlerpool.models import AuditEvent, Pool
from tests.coordination.helpers import fresh_read
from tests.factories import FIRST_POOL

KLEVE = {
    "name": "Sprachmittlerpool Kreis Kleve",
    "organisation": "Kommunales Integrationszentrum Kreis Kleve",
    "postal_address": "Nassauerallee 15–23\n47533 Kleve",
    "phone": "02821 85-0",
    "email": "sprachmittlerpool@kreis-kleve.example",
    "opening_hours": "Mo–Do 8–12 Uhr",
    "impressum_md": "## Anbieter\n\nKreis Kleve – Der Landrat",
    "privacy_md": "## Verantwortlich\n\nKreis Kleve <script>alert(1)</script> [x](javascript:alert(1))",
}
SETTINGS_PAGES = ["/einstellungen/auftritt", "/einstellungen/zahlungskonto", "/einstellungen/zuschuss"]


def pool_row(db) -> Pool:
    return fresh_read(db, lambda: db.get(Pool, FIRST_POOL, populate_existing=True))


def test_an_admin_saves_the_identity_and_every_page_shows_it(admin_client, client, db) -> None:
    response = admin_client.post("/einstellungen/auftritt", data={**KLEVE, "action": "save"})

    assert response.status_code == 302
    row = pool_row(db)
    assert (row.name, row.email, row.postal_address) == (
        KLEVE["name"],
        KLEVE["email"],
        KLEVE["postal_address"],
    )
    home = client.get("/").get_data(as_text=True)
    assert "Sprachmittlerpool Kreis Kleve" in home and "sprachmittlerpool@kreis-kleve.example" in home
    assert "47533 Kleve" in home and "Mo–Do 8–12 Uhr" in home


def test_the_audit_row_names_the_changed_fields_but_not_their_values(admin_client, db, admin) -> None:
    admin_client.post("/einstellungen/auftritt", data={**KLEVE, "action": "save"})
    admin_client.post("/einstellungen/auftritt", data={**KLEVE, "phone": "02821 85-1234", "action": "save"})

    events = fresh_read(
        db,
        lambda: list(db.exec(select(AuditEvent).where(AuditEvent.entity == "pool").order_by(AuditEvent.id))),
    )
    assert [(e.actor, e.action, e.entity_id) for e in events] == [
        (f"user:{admin.id}", "identity_changed", "1")
    ] * 2
    assert events[1].detail == {"fields": ["phone"]}
    assert set(events[0].detail["fields"]) == set(KLEVE)
    trail = repr([e.detail for e in events])
    assert "85-1234" not in trail and "kreis-kleve.example" not in trail and "Nassauerallee" not in trail


def test_saving_unchanged_values_writes_no_audit_row(admin_client, db) -> None:
    admin_client.post("/einstellungen/auftritt", data={**KLEVE, "action": "save"})
    again = admin_client.post(
        "/einstellungen/auftritt", data={**KLEVE, "action": "save"}, follow_redirects=True
    )

    assert "Nichts geändert." in again.get_data(as_text=True)
    count = fresh_read(db, lambda: len(list(db.exec(select(AuditEvent).where(AuditEvent.entity == "pool")))))
    assert count == 1


def test_the_preview_renders_the_texts_safely_and_saves_nothing(admin_client, db) -> None:
    response = admin_client.post("/einstellungen/auftritt", data={**KLEVE, "action": "preview"})

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Vorschau – noch nicht gespeichert" in page
    assert "<h2>Verantwortlich</h2>" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert" not in page
    assert 'href="javascript:' not in page
    assert pool_row(db).name == "Sprachmittlerpool"  # still the neutral name of a fresh installation


def test_a_mistake_is_named_at_its_field_and_nothing_is_saved(admin_client, db) -> None:
    response = admin_client.post(
        "/einstellungen/auftritt", data={**KLEVE, "email": "kein-at-zeichen", "name": "", "action": "save"}
    )

    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="email-error"' in page and "Bitte eine gültige E-Mail-Adresse angeben." in page
    assert 'id="name-error"' in page and "Bitte den Namen des Pools angeben." in page
    assert 'value="kein-at-zeichen"' in page  # what was typed stays in the form
    assert pool_row(db).email == ""


def test_impressum_and_privacy_notice_show_the_admins_text_rendered_safely(admin_client, client) -> None:
    admin_client.post("/einstellungen/auftritt", data={**KLEVE, "action": "save"})

    impressum = client.get("/impressum").get_data(as_text=True)
    privacy = client.get("/datenschutz").get_data(as_text=True)

    assert "<h2>Anbieter</h2>" in impressum and "Kreis Kleve – Der Landrat" in impressum
    assert "<h2>Verantwortlich</h2>" in privacy
    assert "<script>alert" not in privacy and 'href="javascript:' not in privacy
    assert "&lt;script&gt;" in privacy


def test_before_the_admins_write_them_the_notices_say_so_in_a_clear_sentence(client) -> None:
    impressum = client.get("/impressum")
    privacy = client.get("/datenschutz")

    assert impressum.status_code == privacy.status_code == 200
    assert "Das Impressum ist noch nicht hinterlegt." in impressum.get_data(as_text=True)
    assert "Der Datenschutzhinweis ist noch nicht hinterlegt." in privacy.get_data(as_text=True)


@pytest.mark.parametrize("path", SETTINGS_PAGES)
def test_a_coordinator_may_not_see_or_change_the_settings(coordinator_client, path: str) -> None:
    assert coordinator_client.get(path).status_code == 403
    assert coordinator_client.post(path, data={**KLEVE, "action": "save"}).status_code == 403


@pytest.mark.parametrize("path", SETTINGS_PAGES)
def test_anonymous_visitors_are_sent_to_the_login(client, path: str) -> None:
    response = client.get(path)

    assert response.status_code == 302 and "/anmelden" in response.headers["Location"]


def test_the_settings_index_lists_identity_account_and_grant(admin_client) -> None:
    page = admin_client.get("/einstellungen/").get_data(as_text=True)

    assert page.index("Auftritt und Kontakt") < page.index("Zahlungskonto") < page.index("Landeszuschuss")
