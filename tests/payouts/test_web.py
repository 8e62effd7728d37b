"""Payout pages, downloads and the API: coordinators only, exact shapes, closed months frozen."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlmodel import select

from sprachmittlerpool.db import new_session
from sprachmittlerpool.ibans import mask_iban
from sprachmittlerpool.models import PayoutEntry, PayoutLine, PayoutMonth
from sprachmittlerpool.services import payouts

IBAN = "DE89370400440532013000"


def test_api_shape_with_money_strings_and_ids_as_strings(coordinator_client, march) -> None:
    response = coordinator_client.get("/api/v1/payouts/2025-03")
    assert response.status_code == 200
    data = response.get_json()
    (warning,) = data.pop("warnings")
    assert "Ben Öztürk" in warning and "keine IBAN" in warning and "Anna" not in warning
    assert data == {
        "month": "2025-03",
        "closed": False,
        "volunteers": [
            {
                "volunteer": str(march["anna"]),
                "name": "Anna Müller",
                "assignments": 2,
                "amount": "60.00",
                "year_to_date": "60.00",
            },
            {
                "volunteer": str(march["ben"]),
                "name": "Ben Öztürk",
                "assignments": 1,
                "amount": "25.00",
                "year_to_date": "25.00",
            },
        ],
        "total": "85.00",
    }


def test_api_refuses_anonymous_and_bad_month(client, coordinator_client) -> None:
    assert client.get("/api/v1/payouts/2025-03").status_code == 401
    assert client.post("/api/v1/payouts/2025-03/close").status_code == 401
    assert coordinator_client.get("/api/v1/payouts/2025-13").status_code == 404


def test_close_twice_is_409_and_nothing_changes(app, coordinator_client, bearer, march) -> None:
    first = coordinator_client.post("/api/v1/payouts/2025-03/close", headers=bearer)
    assert first.status_code == 200 and first.get_json()["closed"] is True
    with app.app_context():
        s = new_session(write=False)
        row = s.exec(select(PayoutMonth).where(PayoutMonth.month == "2025-03")).one()
        assert row.total_cents == 8500 and len(row.checksum) == 64
        lines = sorted(
            (row.volunteer_id, row.amount_cents, row.assignments) for row in s.exec(select(PayoutLine))
        )
        assert lines == [(march["anna"], 6000, 2), (march["ben"], 2500, 1)]
        s.close()
    assert coordinator_client.post("/api/v1/payouts/2025-03/close", headers=bearer).status_code == 409
    page = coordinator_client.post("/auszahlungen/2025-03/abschliessen")
    assert page.status_code == 409
    again = coordinator_client.get("/auszahlungen/2025-03").get_data(as_text=True)
    assert "Der Monat März 2025 ist bereits abgeschlossen" in again


def test_closed_month_is_frozen_against_rebooking(app, coordinator_client, bearer, march) -> None:
    assert coordinator_client.post("/api/v1/payouts/2025-03/close", headers=bearer).status_code == 200
    before = coordinator_client.get("/payouts/2025-03.csv").data
    with app.app_context():
        s = new_session(write=True)
        from sprachmittlerpool.models import Assignment

        assignment = s.get(Assignment, march["assignments"][0])
        assignment.allowance_cents = 4500  # a completion re-recorded with a longer duration
        correction = payouts.book_allowance(s, assignment, now=datetime(2025, 4, 2))
        s.commit()
        assert correction.amount_cents == 2000
        assert payouts.month_of_id(s, correction.payout_month_id) == "2025-04"
        s.close()
    assert coordinator_client.get("/payouts/2025-03.csv").data == before
    april = coordinator_client.get("/auszahlungen/2025-04").get_data(as_text=True)
    assert f"Korrektur zu 2025-03/a{march['assignments'][0]}" in april
    assert (
        coordinator_client.get("/api/v1/payouts/2025-04").get_json()["volunteers"][0]["year_to_date"]
        == "80.00"
    )


@pytest.mark.parametrize(
    ("ext", "mimetype"),
    [
        ("csv", "text/csv"),
        ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("pdf", "application/pdf"),
    ],
)
def test_downloads_have_content_types_and_refuse_anonymous(
    client, coordinator_client, march, ext, mimetype
) -> None:
    anonymous = client.get(f"/payouts/2025-03.{ext}")
    assert anonymous.status_code in (302, 401)
    assert "/anmelden" in anonymous.headers.get("Location", "/anmelden")
    response = coordinator_client.get(f"/payouts/2025-03.{ext}")
    assert response.status_code == 200
    assert response.mimetype == mimetype
    assert "attachment" in response.headers["Content-Disposition"]
    if ext != "pdf":  # an open month's PDF is dated when it is made; a closed month's is frozen
        assert coordinator_client.get(f"/payouts/2025-03.{ext}").data == response.data


def test_sepa_pays_only_iban_holders_and_pages_mask(coordinator_client, bearer, march) -> None:
    assert coordinator_client.post("/api/v1/payouts/2025-03/close", headers=bearer).status_code == 200
    xml = coordinator_client.post("/payouts/2025-03/sepa").get_data(as_text=True)
    assert IBAN in xml and "Anna Mueller" in xml and "Oeztuerk" not in xml
    page = coordinator_client.get("/auszahlungen/2025-03").get_data(as_text=True)
    assert IBAN not in page and "0532013000" not in page
    assert mask_iban(IBAN) in page
    assert "=Kita &lt;Sonnenschein&gt;" in page


def test_pages_need_login(client) -> None:
    for url in ("/auszahlungen", "/auszahlungen/2025-03", "/auszahlungen/2025-03/abschliessen"):
        assert client.get(url).status_code == 302
    assert client.post("/auszahlungen/2025-03/abschliessen").status_code in (302, 400)


def test_pages_render_and_close_with_confirmation(app, coordinator_client, march) -> None:
    overview = coordinator_client.get("/auszahlungen").get_data(as_text=True)
    assert "März 2025" in overview and "85,00 €" in overview and "kein Zuschuss hinterlegt" in overview
    confirm = coordinator_client.get("/auszahlungen/2025-03/abschliessen")
    assert confirm.status_code == 200 and "Endgültig abschließen" in confirm.get_data(as_text=True)
    done = coordinator_client.post("/auszahlungen/2025-03/abschliessen")
    assert done.status_code == 302
    with app.app_context():
        s = new_session(write=False)
        assert s.exec(select(PayoutMonth).where(PayoutMonth.month == "2025-03")).one().closed_at is not None
        assert len(s.exec(select(PayoutEntry)).all()) == 3
        s.close()
