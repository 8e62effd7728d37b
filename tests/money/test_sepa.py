"""The SEPA credit transfer (pain.001.001.09) made from a payout list."""

import xml.etree.ElementTree as ET
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from defusedxml.ElementTree import fromstring
from hypothesis import given, settings

from sprachmittlerpool.exports.payout_list import PayoutList
from sprachmittlerpool.exports.sepa import NAMESPACE, sepa_text, to_sepa
from tests.money.builders import VALID_IBANS, item, line, payout_list, payout_lists

NS = {"p": NAMESPACE}


def render(pl: PayoutList) -> bytes:
    return to_sepa(
        pl,
        debtor_name="Kreis Heinsberg – Kämmerei",
        debtor_iban="DE02 3705 0299 0000 6847 12",
        debtor_bic="COLSDE33",
        execution_date=date(2025, 4, 7),
        message_id="SMP-20250404-101500-1",
        payment_id="SMP-2025-03-1",
        created_at=datetime(2025, 4, 4, 10, 15, tzinfo=ZoneInfo("Europe/Berlin")),
    )


def texts(root: ET.Element, path: str) -> list[str]:
    return [element.text or "" for element in root.findall(path, NS)]


def test_only_volunteers_with_an_iban_and_a_positive_sum_are_paid() -> None:
    pl = payout_list(
        line("v1", "Jürgen Weiß", item(amount="35.00"), iban=VALID_IBANS[0]),
        line("v2", "Ohne Konto", item(amount="25.00")),
        line("v3", "Nur Korrektur", item(amount="-10.00"), iban=VALID_IBANS[1]),
        line(
            "v4", "Ahmad S.", item(amount="25.00"), item("a2", "10.50"), iban=VALID_IBANS[2], bic="ABNANL2A"
        ),
    )

    root = fromstring(render(pl))

    assert texts(root, ".//p:CdtTrfTxInf/p:Cdtr/p:Nm") == ["Ahmad S.", "Juergen Weiss"]
    assert texts(root, ".//p:CdtTrfTxInf/p:Amt/p:InstdAmt") == ["35.50", "35.00"]
    assert texts(root, ".//p:CdtTrfTxInf/p:CdtrAgt/p:FinInstnId/p:BICFI") == ["ABNANL2A"]
    assert texts(root, "p:CstmrCdtTrfInitn/p:GrpHdr/p:NbOfTxs") == ["2"]
    assert texts(root, "p:CstmrCdtTrfInitn/p:GrpHdr/p:CtrlSum") == ["70.50"]
    assert texts(root, ".//p:PmtInf/p:CtrlSum") == ["70.50"]
    assert texts(root, ".//p:DbtrAcct/p:Id/p:IBAN") == ["DE02370502990000684712"]
    assert texts(root, ".//p:Dbtr/p:Nm") == ["Kreis Heinsberg - Kaemmerei"]
    assert set(texts(root, ".//p:RmtInf/p:Ustrd")) == {"Aufwandsentschaedigung Sprachmittlung 2025-03"}


@settings(max_examples=40, deadline=None)
@given(payout_lists)
def test_transaction_count_and_control_sum_match_the_payable_lines(pl: PayoutList) -> None:
    payable = [volunteer for volunteer in pl.lines if volunteer.iban and volunteer.amount > 0]
    if not payable:
        with pytest.raises(ValueError, match="nothing to transfer"):
            render(pl)
        return

    root = fromstring(render(pl))

    amounts = [Decimal(text) for text in texts(root, ".//p:CdtTrfTxInf/p:Amt/p:InstdAmt")]
    assert texts(root, ".//p:GrpHdr/p:NbOfTxs") == [str(len(payable))]
    assert Decimal(texts(root, ".//p:GrpHdr/p:CtrlSum")[0]) == sum(amounts) == sum(v.amount for v in payable)
    assert render(pl) == render(pl)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Jürgen Weiß-Özdemir", "Juergen Weiss-Oezdemir"),
        ("Zoë & François", "Zoe + Francois"),
        ("<script>alert(1)</script>", "scriptalert(1)/script"),
        ("Ольга", "Olga"),
        ("Олена Коваль", "Olena Koval"),
        ("Γιώργος Καρράς", "Giorgos Karras"),
        ("Łukasz Żółć 🙂", "Lukasz Zolc"),
        ("محمد", "mhmd"),
        ("O'Brien", "O'Brien"),
    ],
)
def test_text_is_reduced_to_the_sepa_latin_set(text: str, expected: str) -> None:
    assert sepa_text(text) == expected


def test_a_name_without_any_printable_character_falls_back_to_the_volunteer_id() -> None:
    pl = payout_list(line("v7", "\u200b", iban=VALID_IBANS[0]))

    root = fromstring(render(pl))

    assert texts(root, ".//p:Cdtr/p:Nm") == ["Sprachmittler v7"]


def test_an_overlong_message_id_is_refused() -> None:
    with pytest.raises(ValueError, match="message_id"):
        to_sepa(
            payout_list(line(iban=VALID_IBANS[0])),
            debtor_name="Kreis",
            debtor_iban=VALID_IBANS[1],
            debtor_bic=None,
            execution_date=date(2025, 4, 7),
            message_id="X" * 36,
            payment_id="P-1",
            created_at=datetime(2025, 4, 4, 10, 15, tzinfo=ZoneInfo("Europe/Berlin")),
        )
