"""SEPA credit transfers as the bank reads them: the ISO 20022 pain.001.001.09 schema and the SEPA rules.

Every file is validated against the real XSD (tests/xsd/). The demo pool is seeded, a month is closed
and its SEPA file is checked rule by rule: unique ids, a real creation time, a TARGET2 bank day,
transliterated names, sums.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree
from sqlmodel import select

from sprachmittlerpool import demo
from sprachmittlerpool.bank_days import bank_days_after, is_bank_day
from sprachmittlerpool.db import new_session
from sprachmittlerpool.exports.sepa import NAMESPACE
from sprachmittlerpool.ibans import encrypt_iban, parse_key, validate_iban
from sprachmittlerpool.models import BERLIN, PayoutEntry, PayoutMonth, Pool, Volunteer
from sprachmittlerpool.services import payouts
from tests.conftest import TEST_IBAN_KEY
from tests.factories import FIRST_POOL

XSD = etree.XMLSchema(etree.parse(str(Path(__file__).parents[1] / "xsd" / "pain.001.001.09.xsd")))
NS = {"p": NAMESPACE}
SEPA_ID = re.compile(r"^[A-Za-z0-9/\-?:().,'+]{1,35}$")
SEPA_TEXT = re.compile(r"^[A-Za-z0-9/\-?:().,'+ ]+$")


def valid_document(data: bytes) -> etree._Element:
    """Parse a SEPA file safely and insist that it validates against pain.001.001.09."""
    root = etree.fromstring(data, parser=etree.XMLParser(resolve_entities=False, no_network=True))
    XSD.assertValid(root)
    return root


def texts(root: etree._Element, path: str) -> list[str]:
    return [element.text or "" for element in root.findall(path, NS)]


def check_sepa_rules(root: etree._Element, *, today: datetime) -> None:
    """Check what the schema cannot: id charset, creation time, execution day, sums, names."""
    (message_id,) = texts(root, "p:CstmrCdtTrfInitn/p:GrpHdr/p:MsgId")
    (payment_id,) = texts(root, ".//p:PmtInf/p:PmtInfId")
    for identifier in (message_id, payment_id, *texts(root, ".//p:EndToEndId")):
        assert SEPA_ID.match(identifier) and "//" not in identifier, identifier
    (created,) = texts(root, ".//p:GrpHdr/p:CreDtTm")
    moment = datetime.fromisoformat(created)
    assert moment.utcoffset() is not None, created
    assert abs(moment - today) < timedelta(minutes=5)
    (day,) = texts(root, ".//p:ReqdExctnDt/p:Dt")
    execution = datetime.fromisoformat(day).date()
    assert is_bank_day(execution) and execution >= today.date()
    assert execution == bank_days_after(today.date(), 2)
    amounts = [Decimal(text) for text in texts(root, ".//p:CdtTrfTxInf/p:Amt/p:InstdAmt")]
    assert all(amount > 0 for amount in amounts)
    for path in (".//p:GrpHdr/p:CtrlSum", ".//p:PmtInf/p:CtrlSum"):
        assert Decimal(texts(root, path)[0]) == sum(amounts)
    for path in (".//p:GrpHdr/p:NbOfTxs", ".//p:PmtInf/p:NbOfTxs"):
        assert texts(root, path) == [str(len(amounts))]
    for name in texts(root, ".//p:Nm"):
        assert SEPA_TEXT.match(name) and len(name) <= 70, name
    for iban in texts(root, ".//p:IBAN"):
        assert validate_iban(iban) == iban


@pytest.fixture
def demo_pool(app) -> dict[str, str]:
    """Seed the demo pool (two months back) and return its last closed and its open past month."""
    with app.app_context():
        demo.seed(months=2)
        with new_session(write=False) as s:
            months = s.exec(select(PayoutMonth).order_by(PayoutMonth.month)).all()
            closed = [row.month for row in months if row.closed_at is not None]
            current = payouts.month_of(datetime.now(BERLIN))
            open_past = [row.month for row in months if row.closed_at is None and row.month < current]
    assert closed and open_past
    return {"closed": closed[-1], "open": open_past[-1]}


def test_a_closed_demo_month_gives_a_sepa_file_the_bank_accepts(app, coordinator_client, bearer, demo_pool):
    month = demo_pool["open"]
    with app.app_context(), new_session(write=True) as s:
        volunteer = s.exec(
            select(Volunteer)
            .join(PayoutEntry, PayoutEntry.volunteer_id == Volunteer.id)
            .join(PayoutMonth, PayoutMonth.id == PayoutEntry.payout_month_id)
            .where(
                PayoutMonth.month == month,
                PayoutEntry.amount_cents > 0,
                Volunteer.iban_encrypted.is_not(None),
            )
        ).first()
        volunteer.name = "Олена Коваль"  # renamed before closing: the transfer names her in Latin letters
        s.commit()
    assert coordinator_client.post(f"/api/v1/payouts/{month}/close", headers=bearer).status_code == 200

    first = coordinator_client.post(f"/api/v1/payouts/{month}/sepa", headers=bearer)
    second = coordinator_client.post(f"/payouts/{month}/sepa")

    assert first.status_code == second.status_code == 200
    assert first.headers["Content-Type"] == "application/xml"
    one, other = valid_document(first.data), valid_document(second.data)
    now = datetime.now(BERLIN)
    check_sepa_rules(one, today=now)
    check_sepa_rules(other, today=now)
    for path in ("p:CstmrCdtTrfInitn/p:GrpHdr/p:MsgId", ".//p:PmtInf/p:PmtInfId"):
        assert texts(one, path) != texts(other, path)  # two files are two payment orders
    assert "Olena Koval" in texts(one, ".//p:Cdtr/p:Nm")
    with app.app_context(), new_session(write=False) as s:
        closed = payouts.build_payout_list(s, month, pool_id=FIRST_POOL)
    payable = [line for line in closed.lines if line.iban_masked and line.amount > 0]
    assert texts(one, ".//p:GrpHdr/p:NbOfTxs") == [str(len(payable))]


def test_the_demo_pools_closed_months_validate_too(app, coordinator_client, bearer, demo_pool):
    response = coordinator_client.post(f"/api/v1/payouts/{demo_pool['closed']}/sepa", headers=bearer)

    assert response.status_code == 200
    check_sepa_rules(valid_document(response.data), today=datetime.now(BERLIN))


def test_an_open_month_gets_no_sepa_file_on_page_cli_and_api(
    app, coordinator_client, bearer, march, tmp_path
):
    api = coordinator_client.post("/api/v1/payouts/2025-03/sepa", headers=bearer)
    page = coordinator_client.post("/payouts/2025-03/sepa", follow_redirects=True)
    cli = app.test_cli_runner().invoke(
        args=["payouts", "export", "2025-03", "--format", "sepa", "--out", str(tmp_path / "x.xml")]
    )

    sentence = "März 2025 ist noch nicht abgeschlossen"
    assert api.status_code == 409 and sentence in api.get_json()["message"]
    assert sentence in page.get_data(as_text=True)
    assert cli.exit_code != 0 and sentence in cli.output
    assert not (tmp_path / "x.xml").exists()


def _spoil_account(app, how: str) -> None:
    """Leave the pool without a usable paying account, as a console session behind the page could."""
    with app.app_context(), new_session(write=True) as s:
        pool = s.get(Pool, FIRST_POOL)
        if how == "missing":
            pool.account_holder, pool.bic, pool.iban_encrypted, pool.iban_masked = "", "", None, None
        elif how == "bad-iban":
            pool.iban_encrypted = encrypt_iban(
                "DE02370502990000684713", key=parse_key(TEST_IBAN_KEY), row_id=f"pool:{FIRST_POOL}"
            )
        else:
            pool.bic = "COKS-DE-33"
        s.commit()


@pytest.mark.parametrize(
    ("how", "names"),
    [
        ("missing", "fehlt das Zahlungskonto des Pools"),
        ("bad-iban", "Zahlungskonto des Pools ist ungültig"),
        ("bad-bic", "Zahlungskonto des Pools ist ungültig"),
    ],
)
def test_a_missing_or_bad_paying_account_stops_with_one_german_sentence(
    app, coordinator_client, bearer, march, how, names
):
    assert coordinator_client.post("/api/v1/payouts/2025-03/close", headers=bearer).status_code == 200
    _spoil_account(app, how)

    response = coordinator_client.post("/api/v1/payouts/2025-03/sepa", headers=bearer)

    message = response.get_json()["message"]
    assert response.status_code == 409 and names in message and "/einstellungen/zahlungskonto" in message
    one_sentence = message.replace("z. B.", "zB")
    assert one_sentence.endswith(".") and re.search(r"[.!?]\s", one_sentence) is None, message


def test_volunteers_without_iban_are_named_before_closing_on_page_api_and_cli(app, coordinator_client, march):
    page = coordinator_client.get("/auszahlungen/2025-03/abschliessen").get_data(as_text=True)
    api = coordinator_client.get("/api/v1/payouts/2025-03").get_json()
    cli = app.test_cli_runner().invoke(args=["payouts", "close", "2025-03"], input="n\n")

    for text in (page, " ".join(api["warnings"]), cli.output):
        assert "Ben Öztürk" in text and "keine IBAN" in text and "Anna Müller" not in text
    assert cli.exit_code != 0  # answered "n": nothing closed
    with app.app_context(), new_session(write=False) as s:
        assert s.exec(select(PayoutMonth).where(PayoutMonth.month == "2025-03")).one().closed_at is None
