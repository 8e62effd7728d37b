"""The state grant per year: kept by the admins, read by the budget box and the reports, never invented."""

from __future__ import annotations

import re

from sqlmodel import select

from sprachmittlerpool.models import AuditEvent, PoolGrant
from tests.coordination.helpers import fresh_read


def grants(db) -> list[tuple[int, int]]:
    return fresh_read(
        db, lambda: [(g.year, g.amount_cents) for g in db.exec(select(PoolGrant).order_by(PoolGrant.year))]
    )


def test_an_admin_records_a_grant_typed_the_german_way(admin_client, db, admin) -> None:
    response = admin_client.post(
        "/einstellungen/zuschuss", data={"year": "2025", "amount": "48.500,00"}, follow_redirects=True
    )

    page = response.get_data(as_text=True)
    assert grants(db) == [(2025, 4_850_000)]
    assert "Landeszuschuss 2025: 48.500,00 € gespeichert." in page
    assert "<td>2025</td>" in page and "48.500,00 €" in page
    event = fresh_read(db, lambda: db.exec(select(AuditEvent).where(AuditEvent.entity == "pool_grant")).one())
    assert (event.actor, event.action, event.detail) == (
        f"user:{admin.id}",
        "grant_set",
        {"year": 2025, "amount_cents": 4_850_000, "before_cents": None},
    )


def test_a_second_entry_for_the_year_changes_it_and_removing_it_leaves_no_grant(admin_client, db) -> None:
    admin_client.post("/einstellungen/zuschuss", data={"year": "2025", "amount": "48.500,00"})
    admin_client.post("/einstellungen/zuschuss", data={"year": "2025", "amount": "52000"})
    assert grants(db) == [(2025, 5_200_000)]

    response = admin_client.post("/einstellungen/zuschuss/2025/entfernen", follow_redirects=True)

    assert grants(db) == []
    assert "für 2025 ist nun kein Zuschuss hinterlegt" in response.get_data(as_text=True)
    assert admin_client.post("/einstellungen/zuschuss/2025/entfernen").status_code == 404


def test_a_wrong_amount_or_year_is_named_at_its_field_and_nothing_is_stored(admin_client, db) -> None:
    response = admin_client.post("/einstellungen/zuschuss", data={"year": "20255", "amount": "50,000.00"})

    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="year-error"' in page and "Bitte ein Jahr zwischen 2000 und 2100 angeben" in page
    assert 'id="amount-error"' in page and "Bitte den Betrag in Euro angeben, z. B. 50.000,00." in page
    assert 'value="50,000.00"' in page
    assert grants(db) == []


def test_the_budget_box_compares_the_year_with_its_grant(admin_client, coordinator_client, march) -> None:
    admin_client.post("/einstellungen/zuschuss", data={"year": "2025", "amount": "48.500,00"})

    page = coordinator_client.get("/auszahlungen/2025-03").get_data(as_text=True)

    assert "Budget 2025" in page
    assert "48.475,00 €" in page and "verbleibend von 48.500,00 € Landeszuschuss" in page  # 25 € booked
    assert "0,05 %" in page
    assert "50.000" not in page


def test_a_year_without_a_grant_says_so_instead_of_inventing_one(
    admin_client, coordinator_client, march
) -> None:
    admin_client.post("/einstellungen/zuschuss", data={"year": "2024", "amount": "50.000,00"})

    coordinator_page = coordinator_client.get("/auszahlungen/2025-03").get_data(as_text=True)
    admin_page = admin_client.get("/auszahlungen/2025-03").get_data(as_text=True)

    assert "kein Zuschuss hinterlegt" in coordinator_page and "50.000" not in coordinator_page
    assert "die Administration trägt den Landeszuschuss in den Einstellungen ein" in coordinator_page
    assert (
        'href="/einstellungen/zuschuss"' in admin_page
        and 'href="/einstellungen/zuschuss"' not in coordinator_page
    )


def test_the_report_and_its_files_show_each_years_grant_or_its_absence(
    admin_client, coordinator_client, march
) -> None:
    admin_client.post("/einstellungen/zuschuss", data={"year": "2025", "amount": "48.500,00"})

    page = coordinator_client.get("/berichte?from=2024-07-01&to=2025-12-31").get_data(as_text=True)
    csv = coordinator_client.get("/berichte.csv?from=2024-07-01&to=2025-12-31").data.decode("utf-8-sig")

    assert re.search(r'<th scope="row">2025</th>\s*<td class="num">48\.500,00 €</td>', page), page
    assert re.search(r'<th scope="row">2024</th>\s*<td class="num">kein Zuschuss hinterlegt</td>', page)
    assert "Landeszuschuss 2024;Zuschuss (EUR);kein Zuschuss hinterlegt" in csv
    assert "Landeszuschuss 2025;Zuschuss (EUR);48500,00" in csv
    assert "Landeszuschuss 2025;Ausgezahlt bzw. gebucht im ganzen Jahr (EUR);25,00" in csv
    assert "Landeszuschuss 2025;Anteil am Zuschuss (%);0,05" in csv


def test_the_cli_report_names_the_grant(app, admin_client, march) -> None:
    admin_client.post("/einstellungen/zuschuss", data={"year": "2025", "amount": "48.500,00"})

    result = app.test_cli_runner().invoke(args=["report", "--year", "2025"])

    assert result.exit_code == 0, result.output
    assert "Landeszuschuss 2025" in result.output and "Zuschuss (EUR): 48500,00" in result.output
