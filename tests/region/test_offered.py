"""A retired municipality leaves the public form, the API lists and the home page, but not the old requests."""

from __future__ import annotations

from tests.intake.conftest import payload
from tests.intake.test_form import form_data


def retire_all_but_kleve(app) -> None:
    result = app.test_cli_runner().invoke(args=["region", "import", "kreis-kleve"])
    assert result.exit_code == 0, result.output


def test_the_form_the_api_and_the_home_page_offer_only_active_towns(app, client) -> None:
    retire_all_but_kleve(app)

    form = client.get("/anfrage").get_data(as_text=True)
    listed = {row["id"] for row in client.get("/api/v1/municipalities").get_json()["municipalities"]}
    home = client.get("/").get_data(as_text=True)

    assert '<option value="kleve">Kleve</option>' in form and 'value="heinsberg"' not in form
    assert "kleve" in listed and "heinsberg" not in listed and len(listed) == 16
    assert "Emmerich am Rhein" in home and "Hückelhoven" not in home


def test_a_new_request_for_a_retired_town_is_refused_in_german(app, client) -> None:
    retire_all_but_kleve(app)

    by_form = client.post("/anfrage", data=form_data(municipality="heinsberg"))
    by_api = client.post("/api/v1/requests", json=payload(municipality="heinsberg"))

    assert "Diesen Ort bietet der Pool nicht mehr an" in by_form.get_data(as_text=True)
    assert by_api.status_code == 422
    assert "Diesen Ort bietet der Pool nicht mehr an" in str(by_api.get_json())


def test_an_old_request_keeps_its_retired_town(app, client, factories, coordinator_client) -> None:
    old = factories.RequestFactory(municipality_id="wassenberg")

    retire_all_but_kleve(app)

    page = coordinator_client.get(f"/koordination/anfragen/{old.id}/kandidaten").get_data(as_text=True)
    assert "Ukrainisch, Wassenberg" in page
