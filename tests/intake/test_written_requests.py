"""Written translations at intake: refused where the pool does not broker them, a request type where it does."""

from __future__ import annotations

from sqlmodel import select

from sprachmittlerpool.models import InterpretingRequest, OutboxMail, Pool, local_now
from sprachmittlerpool.services.qualifications import save_pool_settings
from tests.factories import FIRST_POOL
from tests.intake.conftest import appointment, fresh, payload, stored_nothing
from tests.intake.test_form import form_data

DUE = appointment()[0].date()


def _broker_written(db, on: bool = True) -> None:
    pool = db.get(Pool, FIRST_POOL)
    save_pool_settings(
        db, pool, remote_modes=pool.remote_modes, required=pool.required_qualifications, actor="test",
        brokers_written=on,
    )  # fmt: skip


def _written(**overrides):
    body = payload(mode="written", due=DUE.isoformat(), pages=3, address="", topic="Zeugnis übersetzen")
    del body["start"], body["end"]
    return body | overrides


def test_without_the_setting_a_talk_request_asking_for_a_translation_is_refused_by_its_rule(client, db):
    response = client.post("/api/v1/requests", json=payload(topic="Bitte die Geburtsurkunde übersetzen"))

    assert response.status_code == 201
    body = response.get_json()
    assert body["status"] == "rejected"
    assert [r["rule"] for r in body["reasons"]] == ["pool.written_translation"]
    assert "Schriftliche Übersetzungen" in body["reasons"][0]["message"]


def test_without_the_setting_the_written_mode_is_refused_and_not_offered(client, db):
    response = client.post("/api/v1/requests", json=_written())

    assert response.status_code == 422
    assert "Schriftliche Übersetzungen vermittelt dieser Pool nicht" in response.get_json()["fields"]["mode"]
    assert stored_nothing(db)
    page = client.get("/anfrage").get_data(as_text=True)
    assert "Abgabe bis" not in page and "schriftliche Übersetzung</option>" not in page


def test_a_talk_about_the_report_passes_either_way(client, db):
    response = client.post("/api/v1/requests", json=payload(topic="Elterngespräch über das Zeugnis"))

    assert response.get_json()["status"] == "open"


def test_with_the_setting_the_api_takes_a_written_request_with_due_day_and_pages(client, db):
    _broker_written(db)

    response = client.post("/api/v1/requests", json=_written())

    assert response.status_code == 201 and response.get_json()["status"] == "open"
    row = fresh(db).get(InterpretingRequest, int(response.get_json()["id"]))
    assert (row.mode, row.address, row.pages) == ("written", "", 3)
    assert (row.start, row.end.time().isoformat()) == (
        row.start.replace(year=DUE.year, month=DUE.month, day=DUE.day, hour=0, minute=0),
        "23:59:00",
    )


def test_a_written_request_needs_a_future_due_day_and_a_page_estimate(client, db):
    _broker_written(db)

    response = client.post("/api/v1/requests", json=_written(due=None, pages=0))
    past = client.post("/api/v1/requests", json=_written(due=local_now().date().isoformat()))

    assert response.status_code == 422 and set(response.get_json()["fields"]) == {"due", "pages"}
    assert past.status_code == 422 and "nach dem heutigen Tag" in past.get_json()["fields"]["due"]


def test_a_certified_translation_is_refused_even_where_written_ones_are_brokered(client, db):
    _broker_written(db)

    response = client.post(
        "/api/v1/requests", json=_written(topic="Beglaubigte Übersetzung der Geburtsurkunde")
    )

    assert response.get_json()["status"] == "rejected"
    assert "legal.certified_translation" in [r["rule"] for r in response.get_json()["reasons"]]


def test_with_the_setting_a_talk_request_asking_for_a_translation_goes_to_review(client, db):
    _broker_written(db)

    response = client.post("/api/v1/requests", json=payload(topic="Zeugnisse übersetzen"))

    assert response.get_json()["status"] == "review"


def test_the_form_offers_written_translation_and_works_without_script(client, db):
    _broker_written(db)
    page = client.get("/anfrage").get_data(as_text=True)
    assert '<option value="written">schriftliche Übersetzung</option>' in page
    assert "Abgabe bis" in page and "Umfang in Seiten" in page

    data = form_data(
        mode="written",
        address="",
        date="",
        start_time="",
        end_time="",
        due=DUE.strftime("%d.%m.%Y"),
        pages="2",
    )
    response = client.post("/anfrage", data=data, follow_redirects=True)

    assert response.status_code == 200
    row = fresh(db).exec(select(InterpretingRequest)).one()
    assert (row.mode, row.pages, row.start.date()) == ("written", 2, DUE)
    [mail] = fresh(db).exec(select(OutboxMail)).all()
    assert f"am {DUE:%d.%m.%Y}, bis 23:59 Uhr" in mail.body_text
    status_link = next(word for word in mail.body_text.split() if "/status/" in word)
    status_page = client.get(status_link.replace("http://localhost", "")).get_data(as_text=True)
    assert "Abgabe bis" in status_page and f"{DUE:%d.%m.%Y}" in status_page
    assert "etwa 2 Seiten" in status_page


def test_the_form_names_a_missing_due_day(client, db):
    _broker_written(db)

    response = client.post("/anfrage", data=form_data(mode="written", address="", due="", pages="2"))

    assert response.status_code == 422
    assert "Bitte geben Sie das Datum an." in response.get_data(as_text=True)
    assert stored_nothing(db)


def test_the_public_rules_name_both_translation_rules_and_drop_the_written_one_once_brokered(client, db):
    page = client.get("/regeln").get_data(as_text=True)
    assert "Beglaubigte Übersetzungen" in page and "Schriftliche Übersetzungen" in page

    _broker_written(db)

    page = client.get("/regeln").get_data(as_text=True)
    assert "Beglaubigte Übersetzungen" in page and "Schriftliche Übersetzungen" not in page
