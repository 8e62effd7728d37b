"""A closed month is frozen: its files and checksum stay byte for byte what they were at closing.

Everything a later edit could change is changed after closing — the volunteer's name and IBAN,
the institution's name, the pool's name — and every file of the closed month is fetched again.
"""

from __future__ import annotations

import hashlib
import io
from datetime import datetime

import openpyxl
import pytest
from pypdf import PdfReader
from sqlmodel import select

from sprachmittlerpool.db import new_session
from sprachmittlerpool.exports.csv_export import content_digest
from sprachmittlerpool.exports.pdf_export import to_pdf
from sprachmittlerpool.ibans import encrypt_iban, mask_iban, parse_key
from sprachmittlerpool.models import Institution, PayoutDocument, PayoutMonth, Pool, Volunteer, local_now
from sprachmittlerpool.services import payouts
from tests.conftest import TEST_IBAN_KEY
from tests.factories import FIRST_POOL
from tests.payouts import helpers
from tests.payouts.conftest import IBAN

NEW_IBAN = "DE02120300000000202051"
FILES = ("/payouts/2025-03.csv", "/payouts/2025-03.xlsx", "/payouts/2025-03.pdf", "/api/v1/payouts/2025-03")


def _edit_everything(app, march) -> None:
    """Rename the volunteer and the institution and give the volunteer a new account."""
    with app.app_context(), new_session(write=True) as s:
        anna = s.get(Volunteer, march["anna"])
        anna.name = "Anna Schmidt"
        anna.iban_encrypted = encrypt_iban(NEW_IBAN, key=parse_key(TEST_IBAN_KEY), row_id=str(anna.id))
        anna.iban_masked = mask_iban(NEW_IBAN)
        for institution in s.exec(select(Institution)).all():
            institution.name = "Kita Umbenannt"
        s.get(Pool, FIRST_POOL).name = "Anderer Poolname"
        s.commit()


def _checksum(app) -> str:
    with app.app_context(), new_session(write=False) as s:
        return s.exec(select(PayoutMonth).where(PayoutMonth.month == "2025-03")).one().checksum


def test_closed_files_and_checksum_survive_later_edits_byte_for_byte(
    app, coordinator_client, bearer, march
) -> None:
    assert coordinator_client.post("/api/v1/payouts/2025-03/close", headers=bearer).status_code == 200
    before = {url: coordinator_client.get(url).data for url in FILES}
    page_before = coordinator_client.get("/auszahlungen/2025-03").get_data(as_text=True)
    checksum = _checksum(app)

    _edit_everything(app, march)

    after = {url: coordinator_client.get(url).data for url in FILES}
    for url in FILES:
        assert after[url] == before[url], url
    assert _checksum(app) == checksum
    with app.app_context(), new_session(write=False) as s:
        assert content_digest(payouts.build_payout_list(s, "2025-03", pool_id=FIRST_POOL)) == checksum
    page = coordinator_client.get("/auszahlungen/2025-03").get_data(as_text=True)
    assert "Anna Müller" in page and "Anna Schmidt" not in page
    assert mask_iban(IBAN) in page and mask_iban(NEW_IBAN) not in page
    assert page.count("Kita Umbenannt") == page_before.count("Kita Umbenannt") == 0
    workbook = openpyxl.load_workbook(io.BytesIO(after["/payouts/2025-03.xlsx"]))
    assert "Anna Müller" in [cell.value for row in workbook.active.iter_rows() for cell in row]
    pdf = "".join(page.extract_text() for page in PdfReader(io.BytesIO(after["/payouts/2025-03.pdf"])).pages)
    assert "Anna Müller" in pdf and "Sonnenschein" in pdf


def test_the_sepa_file_of_a_closed_month_pays_the_account_of_the_closing(
    app, coordinator_client, bearer, march
) -> None:
    assert coordinator_client.post("/api/v1/payouts/2025-03/close", headers=bearer).status_code == 200
    _edit_everything(app, march)

    xml = coordinator_client.post("/payouts/2025-03/sepa").get_data(as_text=True)

    assert f"<IBAN>{IBAN}</IBAN>" in xml and NEW_IBAN not in xml
    assert "Anna Mueller" in xml and "Schmidt" not in xml


def test_an_open_months_files_show_current_data(app, coordinator_client, march) -> None:
    _edit_everything(app, march)

    text = coordinator_client.get("/payouts/2025-03.csv").data.decode("utf-8-sig")

    assert "Anna Schmidt" in text and "Kita Umbenannt" in text and "Anderer Poolname" in text
    assert "vorläufig" in text


def _month_ahead(months: int) -> str:
    today = local_now()
    index = today.year * 12 + today.month - 1 + months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def test_a_month_more_than_one_month_ahead_cannot_be_closed(app, coordinator_client, bearer) -> None:
    far = _month_ahead(2)

    api = coordinator_client.post(f"/api/v1/payouts/{far}/close", headers=bearer)
    page = coordinator_client.post(f"/auszahlungen/{far}/abschliessen", follow_redirects=True)

    assert api.status_code == 409
    assert "kann erst ab dem" in api.get_json()["message"]
    assert "kann erst" in page.get_data(as_text=True)
    assert (
        coordinator_client.post(f"/api/v1/payouts/{_month_ahead(1)}/close", headers=bearer).status_code == 200
    )
    with app.app_context(), new_session(write=False) as s:
        assert s.exec(select(PayoutMonth).where(PayoutMonth.month == far)).first() is None


@pytest.mark.parametrize("month", ["0001-01", "0000-12", "1000-06", "9999-12", "2999-01"])
def test_far_past_and_far_future_months_never_answer_500(coordinator_client, bearer, month) -> None:
    answers = [
        coordinator_client.get(f"/auszahlungen/{month}"),
        coordinator_client.get(f"/auszahlungen/{month}/abschliessen"),
        coordinator_client.post(f"/auszahlungen/{month}/abschliessen"),
        coordinator_client.get(f"/api/v1/payouts/{month}"),
        coordinator_client.post(f"/api/v1/payouts/{month}/close", headers=bearer),
        coordinator_client.post(f"/payouts/{month}/sepa"),
        *(coordinator_client.get(f"/payouts/{month}.{ext}") for ext in ("csv", "xlsx", "pdf")),
    ]

    assert [answer.status_code for answer in answers if answer.status_code >= 500] == []


def test_a_far_past_booking_still_closes_and_exports(app, coordinator_client, bearer) -> None:
    with app.app_context(), new_session(write=True) as s:
        volunteer = helpers.volunteer(s)
        institution = helpers.institution(s)
        assignment = helpers.completed(s, volunteer.id, institution.id, datetime(2008, 12, 30, 9), 2500)
        payouts.book_allowance(s, assignment, now=datetime(2008, 12, 31))
        s.commit()

    assert coordinator_client.post("/api/v1/payouts/2008-12/close", headers=bearer).status_code == 200
    assert coordinator_client.get("/payouts/2008-12.pdf").status_code == 200


def _digest(data: bytes) -> str:
    return hashlib.sha256(
        data
    ).hexdigest()  # compared instead of the bytes: pytest's diff of two PDFs is slow


def test_a_closed_months_pdf_is_made_at_closing_and_sent_while_it_carries_the_months_checksum(
    app, coordinator_client, bearer, march
) -> None:
    assert coordinator_client.post("/api/v1/payouts/2025-03/close", headers=bearer).status_code == 200
    with app.app_context(), new_session(write=False) as s:
        kept = s.exec(select(PayoutDocument)).one()
        month = s.get(PayoutMonth, kept.payout_month_id)
        fresh = to_pdf(payouts.build_payout_list(s, "2025-03", pool_id=FIRST_POOL))
    assert (month.month, kept.format, kept.checksum) == ("2025-03", "pdf", month.checksum)
    assert _digest(kept.data) == _digest(fresh)  # keeping it changes nothing a coordinator receives
    assert _digest(coordinator_client.get("/payouts/2025-03.pdf").data) == _digest(fresh)

    def _stored(**change) -> bytes:
        with app.app_context(), new_session(write=True) as s:
            row = s.exec(select(PayoutDocument)).one()
            for name, value in change.items():
                setattr(row, name, value)
            s.commit()
        return coordinator_client.get("/payouts/2025-03.pdf").data

    assert _stored(data=b"%PDF-1.4 kept") == b"%PDF-1.4 kept"  # the download is the kept document
    assert _digest(_stored(checksum="0" * 64)) == _digest(fresh)  # not the month's checksum: laid out anew
