"""The payout list as a SEPA credit transfer (pain.001.001.09) for the district's bank.

Only volunteers with an IBAN and a positive sum are paid. Text is transliterated into the
SEPA Latin character set — German umlauts as ae/oe/ue/ss, every other script through anyascii
("Олена Коваль" → "Olena Koval") — which is the only place where names are changed. Every file
is a payment order of its own: the caller passes a unique message and payment id, the real
creation time (with its UTC offset) and a bank working day to execute on.
"""

from __future__ import annotations

import re
import unicodedata
import xml.etree.ElementTree as ET
from datetime import date, datetime
from decimal import Decimal

from anyascii import anyascii

from sprachmittlerpool.exports.formatting import cents
from sprachmittlerpool.exports.payout_list import PayoutLine, PayoutList
from sprachmittlerpool.ibans import is_bic, validate_iban

NAMESPACE = "urn:iso:std:iso:20022:tech:xsd:pain.001.001.09"
REMITTANCE = "Aufwandsentschädigung Sprachmittlung {month}"
MAX_ID = 35
MAX_NAME = 70
MAX_REMITTANCE = 140

_TRANSLITERATION = str.maketrans(
    {"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss"}
)
_TRANSLITERATION.update(str.maketrans({"&": "+", "_": "-", "\t": " ", "\n": " ", "\r": " "}))
_NOT_SEPA = re.compile(r"[^A-Za-z0-9/\-?:().,'+ ]")


def sepa_text(value: str, limit: int = MAX_NAME) -> str:
    """Reduce text to the SEPA Latin set: umlauts as ae/oe/ue, other scripts transliterated, the rest removed."""
    decomposed = unicodedata.normalize("NFKD", value.translate(_TRANSLITERATION))
    latin = "".join(_latin(char) for char in decomposed if not unicodedata.combining(char))
    return " ".join(_NOT_SEPA.sub("", latin).split())[:limit].strip()


def _latin(char: str) -> str:
    """Transliterate a letter, digit, space or dash of any script; drop symbols such as emoji.

    Signs that only mark softness (ь → ') leave no apostrophe behind.
    """
    if char.isascii():
        return char
    if unicodedata.category(char)[0] not in "LNZ" and unicodedata.category(char) != "Pd":
        return ""
    return anyascii(char).replace("'", "").replace('"', "")


def payable_lines(payout_list: PayoutList) -> tuple[PayoutLine, ...]:
    """Return the lines a transfer pays: an IBAN is known and the sum is positive."""
    return tuple(line for line in payout_list.sorted_lines() if line.iban and line.amount > 0)


def to_sepa(
    payout_list: PayoutList,
    *,
    debtor_name: str,
    debtor_iban: str,
    debtor_bic: str | None,
    execution_date: date,
    message_id: str,
    payment_id: str,
    created_at: datetime,
) -> bytes:
    """Render a pain.001.001.09 credit transfer paying each volunteer's month sum."""
    _check_id(message_id)
    _check_id(payment_id)
    if created_at.utcoffset() is None:
        raise ValueError("created_at must carry its UTC offset")
    lines = payable_lines(payout_list)
    if not lines:
        raise ValueError("no volunteer with an IBAN and a positive sum: nothing to transfer")
    total = sum((cents(line.amount) for line in lines), Decimal("0.00"))
    # A default xmlns attribute rather than ET.register_namespace, which mutates global state.
    document = ET.Element("Document", xmlns=NAMESPACE)
    initiation = _sub(document, "CstmrCdtTrfInitn")
    header = _sub(initiation, "GrpHdr")
    _sub(header, "MsgId", message_id)
    _sub(header, "CreDtTm", created_at.replace(microsecond=0).isoformat())
    _sub(header, "NbOfTxs", str(len(lines)))
    _sub(header, "CtrlSum", str(total))
    _sub(_sub(header, "InitgPty"), "Nm", sepa_text(debtor_name))
    payment = _payment_info(initiation, payment_id, len(lines), total, execution_date)
    _debtor(payment, debtor_name, debtor_iban, debtor_bic)
    for line in lines:
        _transaction(payment, line, payout_list.month)
    ET.indent(document)
    return ET.tostring(document, encoding="UTF-8", xml_declaration=True)


def _check_id(identifier: str) -> None:
    """Refuse an id the bank would reject: 1–35 SEPA characters, no spaces, no leading, trailing or double '/'."""
    if (
        not identifier
        or len(identifier) > MAX_ID
        or _NOT_SEPA.search(identifier)
        or " " in identifier
        or identifier.startswith("/")
        or identifier.endswith("/")
        or "//" in identifier
    ):
        raise ValueError(f"message_id/payment_id must be 1-35 SEPA characters without spaces: {identifier!r}")


def _payment_info(
    parent: ET.Element, payment_id: str, count: int, total: Decimal, execution_date: date
) -> ET.Element:
    """Add the one payment block: SEPA service level, batch booking, execution date."""
    payment = _sub(parent, "PmtInf")
    _sub(payment, "PmtInfId", payment_id)
    _sub(payment, "PmtMtd", "TRF")
    _sub(payment, "BtchBookg", "true")
    _sub(payment, "NbOfTxs", str(count))
    _sub(payment, "CtrlSum", str(total))
    _sub(_sub(_sub(payment, "PmtTpInf"), "SvcLvl"), "Cd", "SEPA")
    _sub(_sub(payment, "ReqdExctnDt"), "Dt", execution_date.isoformat())
    return payment


def _debtor(payment: ET.Element, name: str, iban: str, bic: str | None) -> None:
    """Add the paying account (the district's) and who bears the charges."""
    _sub(_sub(payment, "Dbtr"), "Nm", sepa_text(name))
    _sub(_sub(_sub(payment, "DbtrAcct"), "Id"), "IBAN", validate_iban(iban))
    institution = _sub(_sub(payment, "DbtrAgt"), "FinInstnId")
    if bic:
        _sub(institution, "BICFI", _checked_bic(bic))
    else:
        _sub(_sub(institution, "Othr"), "Id", "NOTPROVIDED")
    _sub(payment, "ChrgBr", "SLEV")


def _transaction(payment: ET.Element, line: PayoutLine, month: str) -> None:
    """Add one volunteer's transfer."""
    transaction = _sub(payment, "CdtTrfTxInf")
    end_to_end = sepa_text(f"{month}-{line.volunteer_id}", MAX_ID).replace(" ", "-")
    _sub(_sub(transaction, "PmtId"), "EndToEndId", end_to_end or "NOTPROVIDED")
    _sub(_sub(transaction, "Amt"), "InstdAmt", str(cents(line.amount)), Ccy="EUR")
    if line.bic:
        _sub(_sub(_sub(transaction, "CdtrAgt"), "FinInstnId"), "BICFI", _checked_bic(line.bic))
    name = sepa_text(line.name) or sepa_text(f"Sprachmittler {line.volunteer_id}")
    _sub(_sub(transaction, "Cdtr"), "Nm", name)
    _sub(_sub(_sub(transaction, "CdtrAcct"), "Id"), "IBAN", validate_iban(line.iban or ""))
    _sub(_sub(transaction, "RmtInf"), "Ustrd", sepa_text(REMITTANCE.format(month=month), MAX_REMITTANCE))


def _checked_bic(bic: str) -> str:
    """Normalise a BIC and refuse one that cannot be valid."""
    compact = "".join(bic.split()).upper()
    if not is_bic(compact):
        raise ValueError(f"invalid BIC {bic!r}")
    return compact


def _sub(parent: ET.Element, name: str, text: str | None = None, **attributes: str) -> ET.Element:
    """Append a child element (in the document's default namespace), optionally with text."""
    element = ET.SubElement(parent, name, attributes)
    if text is not None:
        element.text = text
    return element
