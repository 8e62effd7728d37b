"""The languages settings: add, rename, retire after a confirmation; a retired language leaves the form only."""

from __future__ import annotations

import pytest
from sqlmodel import select

from sprachmittlerpool.models import InterpretingRequest, Language
from tests.factories import FIRST_POOL
from tests.intake.test_form import form_data
from tests.settings.conftest import audit_rows


@pytest.fixture
def coordinator_role() -> str:
    """Log in as an admin: the settings are theirs."""
    return "admin"


def language(db, code: str) -> Language | None:
    db.rollback()
    return db.get(Language, (FIRST_POOL, code))


def retire(client, code: str, *, confirmed: bool = True):
    data = {"retire": "1"} | ({"confirmed": "1"} if confirmed else {})
    return client.post(f"/einstellungen/sprachen/{code}/angebot", data=data)


def test_an_added_language_is_offered_on_the_form_and_the_api(coordinator_client, client, db) -> None:
    response = coordinator_client.post(
        "/einstellungen/sprachen", data={"code": "ar-lev", "name": "Arabisch (Levante)"}
    )

    assert response.status_code == 302
    assert language(db, "ar-lev").name_de == "Arabisch (Levante)"
    assert '<option value="ar-lev">Arabisch (Levante)</option>' in client.get("/anfrage").get_data(
        as_text=True
    )
    assert {"code": "ar-lev", "name": "Arabisch (Levante)"} in client.get("/api/v1/languages").get_json()[
        "languages"
    ]
    assert audit_rows(db, "pool", "language_added")[0].detail == {
        "code": "ar-lev",
        "name": "Arabisch (Levante)",
    }


@pytest.mark.parametrize(
    ("code", "name", "field", "message"),
    [
        ("AR", "Arabisch groß", "code", "nur Kleinbuchstaben (ohne Umlaute), Ziffern und Bindestriche"),
        ("ar lev", "Arabisch", "code", "nur Kleinbuchstaben"),
        ("uk", "Ukrainisch neu", "code", "Das Kürzel „uk“ hat schon die Sprache „Ukrainisch“."),
        ("ukr", "ukrainisch", "name", "Eine Sprache „Ukrainisch“ gibt es schon"),
        ("ti", "", "name", "Bitte geben Sie den deutschen Namen der Sprache ein"),
        ("", "Tigrinya", "code", "Bitte geben Sie ein Kürzel ein"),
    ],
)
def test_a_wrong_or_duplicate_language_is_refused_with_a_clear_message(
    coordinator_client, code, name, field, message
) -> None:
    response = coordinator_client.post("/einstellungen/sprachen", data={"code": code, "name": name})
    page = response.get_data(as_text=True)

    assert response.status_code == 422
    assert f'id="{field}-error"' in page and message in page


def test_a_rename_shows_everywhere_and_a_clash_is_refused(coordinator_client, client, db) -> None:
    coordinator_client.post("/einstellungen/sprachen/fa/name", data={"name": "Persisch (Farsi)"})
    clash = coordinator_client.post("/einstellungen/sprachen/fa/name", data={"name": "Russisch"})

    assert language(db, "fa").name_de == "Persisch (Farsi)"
    assert '<option value="fa">Persisch (Farsi)</option>' in client.get("/anfrage").get_data(as_text=True)
    assert clash.status_code == 422 and "Eine Sprache „Russisch“ gibt es schon" in clash.get_data(
        as_text=True
    )
    assert audit_rows(db, "pool", "language_renamed")[0].detail["to"] == "Persisch (Farsi)"


def test_retiring_asks_first_and_changes_nothing_on_the_first_click(
    coordinator_client, db, factories
) -> None:
    factories.RequestFactory(language_code="uk")

    page = retire(coordinator_client, "uk", confirmed=False).get_data(as_text=True)

    assert "„Ukrainisch“ nicht mehr anbieten?" in page
    assert "Sie bleibt bei 1 alten Anfragen" in page
    assert language(db, "uk").retired_at is None


def test_a_retired_language_leaves_the_form_and_api_but_stays_on_an_old_request(
    coordinator_client, client, db, factories
) -> None:
    old = factories.RequestFactory(language_code="ru")

    retire(coordinator_client, "ru")

    assert language(db, "ru").retired_at is not None
    assert 'value="ru"' not in client.get("/anfrage").get_data(as_text=True)
    assert "ru" not in {row["code"] for row in client.get("/api/v1/languages").get_json()["languages"]}
    refused = client.post("/anfrage", data=form_data(language="ru"))
    assert "Diese Sprache vermittelt der Pool zurzeit nicht" in refused.get_data(as_text=True)
    db.rollback()
    assert db.exec(select(InterpretingRequest).where(InterpretingRequest.language_code == "ru")).all() == [
        db.get(InterpretingRequest, old.id)
    ]
    shown = coordinator_client.get(f"/koordination/anfragen/{old.id}/kandidaten").get_data(as_text=True)
    assert "Russisch, Heinsberg" in shown
    assert audit_rows(db, "pool", "language_retired")[0].detail["code"] == "ru"


def test_a_retired_language_can_be_offered_again(coordinator_client, client, db) -> None:
    retire(coordinator_client, "ru")

    coordinator_client.post("/einstellungen/sprachen/ru/angebot", data={"retire": "0", "confirmed": "1"})

    assert language(db, "ru").retired_at is None
    assert '<option value="ru">Russisch</option>' in client.get("/anfrage").get_data(as_text=True)
    assert len(audit_rows(db, "pool", "language_reactivated")) == 1


def test_an_unknown_code_is_not_found(coordinator_client) -> None:
    assert retire(coordinator_client, "xx").status_code == 404
    assert coordinator_client.post("/einstellungen/sprachen/xx/name", data={"name": "X"}).status_code == 404
