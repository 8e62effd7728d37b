"""The payout list as a SEPA credit transfer (pain.001.001.09) for the district's bank.

Only volunteers with an IBAN and a positive sum are paid. Text is reduced to the
SEPA Latin character set (umlauts transliterated: ä → ae), which is the only place
where names are changed. The output is deterministic: the creation time comes from
the month's closing time, or the execution date, never from the clock.
"""

from __future__ import annotations

import re
import unicodedata
import xml.etree.ElementTree as ET
from datetime import date, datetime, time
from decimal import Decimal

from sprachmittlerpool.exports.formatting import cents
from sprachmittlerpool.exports.payout_list import PayoutLine, PayoutList
from sprachmittlerpool.ibans import validate_iban

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
_BIC = re.compile(r"^[A-Z]{6}[A-Z0-9]{2}([A-Z0-9]{3})?$")


def sepa_text(value: str, limit: int = MAX_NAME) -> str:
    """Reduce text to the SEPA Latin set: transliterate umlauts, drop accents, remove the rest."""
    decomposed = unicodedata.normalize("NFKD", value.translate(_TRANSLITERATION))
    stripped = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(_NOT_SEPA.sub("", stripped).split())[:limit]


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
) -> bytes:
    """Render a pain.001.001.09 credit transfer paying each volunteer's month sum."""
    _check_id(message_id)
    lines = payable_lines(payout_list)
    if not lines:
        raise ValueError("no volunteer with an IBAN and a positive sum: nothing to transfer")
    total = sum((cents(line.amount) for line in lines), Decimal("0.00"))
    # A default xmlns attribute rather than ET.register_namespace, which mutates global state.
    document = ET.Element("Document", xmlns=NAMESPACE)
    initiation = _sub(document, "CstmrCdtTrfInitn")
    header = _sub(initiation, "GrpHdr")
    _sub(header, "MsgId", message_id)
    _sub(header, "CreDtTm", _created(payout_list, execution_date).strftime("%Y-%m-%dT%H:%M:%S"))
    _sub(header, "NbOfTxs", str(len(lines)))
    _sub(header, "CtrlSum", str(total))
    _sub(_sub(header, "InitgPty"), "Nm", sepa_text(debtor_name))
    payment = _payment_info(initiation, message_id, len(lines), total, execution_date)
    _debtor(payment, debtor_name, debtor_iban, debtor_bic)
    for line in lines:
        _transaction(payment, line, payout_list.month)
    ET.indent(document)
    return ET.tostring(document, encoding="UTF-8", xml_declaration=True)


def _check_id(message_id: str) -> None:
    """Refuse a message id the bank would reject: 1–35 characters of the SEPA set."""
    if not message_id or len(message_id) > MAX_ID or _NOT_SEPA.search(message_id) or " " in message_id:
        raise ValueError("message_id must be 1-35 SEPA characters without spaces")


def _created(payout_list: PayoutList, execution_date: date) -> datetime:
    """Take the closing time as creation time, so a regenerated file is identical."""
    if payout_list.closed_at is not None:
        return payout_list.closed_at.replace(microsecond=0, tzinfo=None)
    return datetime.combine(execution_date, time())


def _payment_info(
    parent: ET.Element, message_id: str, count: int, total: Decimal, execution_date: date
) -> ET.Element:
    """Add the one payment block: SEPA service level, batch booking, execution date."""
    payment = _sub(parent, "PmtInf")
    _sub(payment, "PmtInfId", message_id)
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
    if not _BIC.match(compact):
        raise ValueError(f"invalid BIC {bic!r}")
    return compact


def _sub(parent: ET.Element, name: str, text: str | None = None, **attributes: str) -> ET.Element:
    """Append a child element (in the document's default namespace), optionally with text."""
    element = ET.SubElement(parent, name, attributes)
    if text is not None:
        element.text = text
    return element
