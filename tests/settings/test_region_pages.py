"""The region settings: an admin uploads a file or picks a shipped district, sees the changes, then confirms."""

from __future__ import annotations

import io
import re

import pytest
from sqlmodel import select

from sprachmittlerpool.models import Municipality
from tests.factories import FIRST_POOL
from tests.settings.conftest import audit_rows

KLEVE = "name;lat;lon;kind\nKleve;51,79;6,14;Stadt\nGoch;51.6839;6.1619;Stadt\n"


@pytest.fixture
def coordinator_role() -> str:
    """Log in as an admin: the settings are theirs."""
    return "admin"


def upload(client, text: str, name: str = "kreis.csv"):
    data = {"file": (io.BytesIO(text.encode("utf-8")), name)}
    return client.post("/einstellungen/region/vorschau", data=data, content_type="multipart/form-data")


def hidden_fields(page: str) -> dict[str, str]:
    return dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', page))


def active_towns(db) -> set[str]:
    db.rollback()
    rows = db.exec(select(Municipality).where(Municipality.pool_id == FIRST_POOL)).all()
    return {row.id for row in rows if row.retired_at is None}


def test_an_upload_shows_the_changes_first_and_applies_them_only_on_confirmation(
    coordinator_client, db
) -> None:
    preview = upload(coordinator_client, KLEVE)
    page = preview.get_data(as_text=True)

    assert preview.status_code == 200
    assert "Das würde sich ändern: 2 neu, 0 geändert, 10 nicht mehr angeboten" in page
    assert "Neu: Kleve (Stadt)" in page and "Nicht mehr angeboten: Heinsberg" in page
    assert "kleve" not in active_towns(db)

    done = coordinator_client.post("/einstellungen/region/uebernehmen", data=hidden_fields(page))

    assert done.status_code == 302
    assert active_towns(db) == {"kleve", "goch"}
    listing = coordinator_client.get("/einstellungen/region").get_data(as_text=True)
    assert "Gemeinden übernommen: 2 neu" in listing
    assert "Nicht mehr angeboten (10)" in listing and "Heinsberg" in listing
    assert "Gemeinden eingelesen aus „kreis.csv“" in listing
    assert audit_rows(db, "pool", "region_import")[0].actor.startswith("user:")


def test_a_file_with_wrong_lines_shows_each_in_german_and_changes_nothing(coordinator_client, db) -> None:
    response = upload(coordinator_client, KLEVE + "Weeze;abc;6.19;Gemeinde\n;51.6;6.2\n")
    page = response.get_data(as_text=True)

    assert response.status_code == 422
    assert "Zeile 4: Breitengrad „abc“ ist keine Zahl" in page
    assert "Zeile 5: Name fehlt" in page
    assert "Es wurde nichts geändert." in page
    assert "heinsberg" in active_towns(db)


def test_a_shipped_district_is_previewed_and_imported_on_confirmation(coordinator_client, db) -> None:
    preview = coordinator_client.post("/einstellungen/region/vorschau", data={"shipped": "kreis-viersen"})
    page = preview.get_data(as_text=True)

    assert "Datei „Kreis Viersen“: 9 Städte und Gemeinden gelesen" in page
    assert "Neu: Tönisvorst (Stadt)" in page

    coordinator_client.post("/einstellungen/region/uebernehmen", data=hidden_fields(page))

    assert active_towns(db) == {
        "brueggen", "grefrath", "kempen", "nettetal", "niederkruechten", "schwalmtal", "toenisvorst", "viersen",
        "willich",
    }  # fmt: skip


def test_a_confirmation_after_the_pool_changed_shows_the_new_changes_instead_of_applying(
    coordinator_client, db
) -> None:
    page = upload(coordinator_client, KLEVE).get_data(as_text=True)
    coordinator_client.post("/einstellungen/region/uebernehmen", data=hidden_fields(page))

    again = coordinator_client.post("/einstellungen/region/uebernehmen", data=hidden_fields(page))

    assert again.status_code == 200
    assert "Seit der Vorschau hat sich etwas geändert" in again.get_data(as_text=True)
    assert len(audit_rows(db, "pool", "region_import")) == 1


def test_reimporting_what_the_pool_has_says_nothing_would_change(coordinator_client) -> None:
    page = coordinator_client.post("/einstellungen/region/vorschau", data={"shipped": "kreis-heinsberg"})

    assert "Das würde sich nicht ändern" in page.get_data(as_text=True)


def test_no_file_and_an_unknown_district_are_explained(coordinator_client) -> None:
    empty = coordinator_client.post("/einstellungen/region/vorschau", data={})
    unknown = coordinator_client.post("/einstellungen/region/vorschau", data={"shipped": "kreis-borken"})

    assert empty.status_code == 422 and "Bitte wählen Sie eine Datei aus" in empty.get_data(as_text=True)
    assert unknown.status_code == 422 and "Diese Kreisliste gibt es nicht" in unknown.get_data(as_text=True)


def test_the_page_lists_the_shipped_districts_by_their_german_names(coordinator_client) -> None:
    page = coordinator_client.get("/einstellungen/region").get_data(as_text=True)

    assert '<option value="kreis-dueren">Kreis Düren</option>' in page
    assert '<option value="staedteregion-aachen">Städteregion Aachen</option>' in page
    assert "Übach-Palenberg" in page
