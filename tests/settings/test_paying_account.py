"""The paying account: checked, stored encrypted for the pool row, shown masked, and the SEPA file's debtor."""

from __future__ import annotations

import pytest
from defusedxml.ElementTree import fromstring
from sqlmodel import select

from sprachmittlerpool.ibans import DecryptionError, decrypt_iban, mask_iban, parse_key
from sprachmittlerpool.models import AuditEvent, Pool
from tests.conftest import TEST_IBAN_KEY
from tests.coordination.helpers import fresh_read
from tests.factories import FIRST_POOL
from tests.settings.conftest import VOLUNTEER_IBAN

POOL_IBAN = "DE89370400440532013000"
ACCOUNT = {"account_holder": "Kreis Kleve – Kämmerei", "iban": "DE89 3704 0044 0532 0130 00", "bic": ""}
NS = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.001.001.09"}


def pool_row(db) -> Pool:
    return fresh_read(db, lambda: db.get(Pool, FIRST_POOL, populate_existing=True))


def test_the_account_is_stored_encrypted_for_the_pool_row_and_shown_masked(admin_client, db) -> None:
    response = admin_client.post("/einstellungen/zahlungskonto", data=ACCOUNT, follow_redirects=True)

    page = response.get_data(as_text=True)
    row = pool_row(db)
    assert (row.account_holder, row.bic, row.iban_masked) == (
        "Kreis Kleve – Kämmerei",
        "COBADEFFXXX",
        mask_iban(POOL_IBAN),
    )
    assert "0532013000" not in row.iban_encrypted and "0532013000" not in page.replace(" ", "")
    assert mask_iban(POOL_IBAN) in page
    key = parse_key(TEST_IBAN_KEY)
    assert decrypt_iban(row.iban_encrypted, key=key, row_id=f"pool:{FIRST_POOL}") == POOL_IBAN
    with pytest.raises(DecryptionError):  # bound to the pool row: not readable as volunteer 1's IBAN
        decrypt_iban(row.iban_encrypted, key=key, row_id=str(FIRST_POOL))


def test_an_empty_iban_field_keeps_the_stored_iban_and_the_trail_names_fields_only(admin_client, db) -> None:
    admin_client.post("/einstellungen/zahlungskonto", data=ACCOUNT)
    stored = pool_row(db).iban_encrypted

    admin_client.post(
        "/einstellungen/zahlungskonto",
        data={**ACCOUNT, "iban": "", "bic": "COBADEFFXXX", "account_holder": "Kreis Kleve"},
    )

    row = pool_row(db)
    assert (row.iban_encrypted, row.account_holder) == (stored, "Kreis Kleve")
    details = fresh_read(
        db,
        lambda: [
            e.detail
            for e in db.exec(
                select(AuditEvent).where(AuditEvent.action == "account_changed").order_by(AuditEvent.id)
            )
        ],
    )
    assert details == [{"fields": ["account_holder", "bic", "iban"]}, {"fields": ["account_holder"]}]
    assert "0532013000" not in repr(details) and "Kämmerei" not in repr(details)


def test_a_wrong_iban_is_named_at_the_field_and_nothing_is_stored(admin_client, db) -> None:
    response = admin_client.post(
        "/einstellungen/zahlungskonto", data={**ACCOUNT, "iban": "DE89370400440532013001"}
    )

    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="iban-error"' in page and "Die IBAN ist ungültig (Prüfziffer stimmt nicht)." in page
    assert 'aria-invalid="true"' in page
    assert "DE89370400440532013001" not in page  # a typed IBAN is not echoed back into the page
    assert pool_row(db).iban_encrypted is None


def close_march(client, cli=None) -> None:
    """Close March 2025 (a SEPA file is made only of a closed month), by CLI or by the page."""
    if cli is not None:
        assert cli.invoke(args=["payouts", "close", "2025-03", "--yes"]).exit_code == 0
        return
    assert client.post("/auszahlungen/2025-03/abschliessen").status_code == 302


def test_removing_the_account_asks_first_and_then_stops_the_sepa_file(admin_client, db, march) -> None:
    admin_client.post("/einstellungen/zahlungskonto", data=ACCOUNT)

    confirm = admin_client.get("/einstellungen/zahlungskonto/entfernen").get_data(as_text=True)
    assert (
        "Danach lassen sich keine SEPA-Dateien mehr erzeugen" in confirm and mask_iban(POOL_IBAN) in confirm
    )
    assert pool_row(db).iban_encrypted is not None  # the GET changed nothing
    admin_client.post("/einstellungen/zahlungskonto/entfernen")

    row = pool_row(db)
    assert (row.iban_encrypted, row.iban_masked, row.account_holder, row.bic) == (None, None, "", "")
    close_march(admin_client)
    assert admin_client.post("/payouts/2025-03/sepa").status_code == 302


def test_the_sepa_file_pays_from_the_pools_account(admin_client, march) -> None:
    admin_client.post("/einstellungen/zahlungskonto", data=ACCOUNT)
    close_march(admin_client)

    xml = fromstring(admin_client.post("/payouts/2025-03/sepa").data)

    assert xml.findtext("p:CstmrCdtTrfInitn/p:PmtInf/p:Dbtr/p:Nm", namespaces=NS) == "Kreis Kleve - Kaemmerei"
    assert xml.findtext("p:CstmrCdtTrfInitn/p:PmtInf/p:DbtrAcct/p:Id/p:IBAN", namespaces=NS) == POOL_IBAN
    assert (
        xml.findtext("p:CstmrCdtTrfInitn/p:PmtInf/p:DbtrAgt/p:FinInstnId/p:BICFI", namespaces=NS)
        == "COBADEFFXXX"
    )
    assert xml.findtext(".//p:CdtTrfTxInf/p:CdtrAcct/p:Id/p:IBAN", namespaces=NS) == VOLUNTEER_IBAN


def test_without_a_paying_account_the_download_says_which_setting_is_missing(
    coordinator_client, march
) -> None:
    close_march(coordinator_client)

    response = coordinator_client.post("/payouts/2025-03/sepa", follow_redirects=True)

    page = response.get_data(as_text=True)
    assert response.request.path == "/auszahlungen/2025-03"
    assert "Für die SEPA-Datei fehlt das Zahlungskonto des Pools" in page
    assert "Einstellungen → Zahlungskonto (/einstellungen/zahlungskonto)" in page


def test_without_a_paying_account_the_cli_stops_with_the_same_sentence(app, march, tmp_path) -> None:
    target = tmp_path / "maerz.xml"
    close_march(app.test_client(), cli=app.test_cli_runner())

    result = app.test_cli_runner().invoke(
        args=["payouts", "export", "2025-03", "--format", "sepa", "--out", str(target)]
    )

    assert result.exit_code == 1
    assert (
        "Für die SEPA-Datei fehlt das Zahlungskonto des Pools: bitte unter Einstellungen → Zahlungskonto"
        in result.output
    )
    assert "Traceback" not in result.output and not target.exists()
