"""Only the SEPA file carries a plain IBAN; every other view of a payout month masks it or leaves it out.

The files are read as their recipients read them (CSV text, the workbook through openpyxl, the PDF
through pypdf). A second test walks the package's syntax tree, so that a new place that decrypts
IBANs, or asks the payout list for them, is a decision someone makes on purpose and writes down here.
"""

from __future__ import annotations

import ast
import io
import json
import re
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest
from pypdf import PdfReader

import sprachmittlerpool
from sprachmittlerpool.db import new_session
from sprachmittlerpool.ibans import encrypt_iban, mask_iban, parse_key
from sprachmittlerpool.services import payouts
from tests.conftest import TEST_IBAN_KEY
from tests.payouts import helpers

IBAN = "DE89370400440532013000"
ACCOUNT = IBAN[-10:]  # what identifies the account even with spaces or the country prefix cut off
NAME = "Anna Müller"
PACKAGE = Path(sprachmittlerpool.__file__).parent

# Where plain IBANs may appear: decrypted while building the list, and asked for only by the SEPA export;
# the pool's own paying account is decrypted for the same file, as its debtor.
DECRYPTION_SITES = {
    ("services/payouts.py", "<module>"),
    ("services/payouts.py", "_plain_iban"),
    ("services/identity.py", "<module>"),
    ("services/identity.py", "paying_account"),
}
IBAN_KEY_CALLERS = {("services/payouts.py", "_sepa_file")}


@pytest.fixture
def march(app) -> None:
    """Book one assignment of a volunteer who gave an IBAN into March 2025."""
    with app.app_context():
        session = new_session(write=True)
        helpers.paying_account(session, TEST_IBAN_KEY)
        volunteer = helpers.volunteer(session, name=NAME)
        volunteer.iban_encrypted = encrypt_iban(IBAN, key=parse_key(TEST_IBAN_KEY), row_id=str(volunteer.id))
        volunteer.iban_masked = mask_iban(IBAN)
        institution = helpers.institution(session)
        assignment = helpers.completed(session, volunteer.id, institution.id, datetime(2025, 3, 3, 9), 2500)
        payouts.book_allowance(session, assignment, now=datetime(2025, 3, 20))
        session.commit()
        session.close()


def _workbook_text(data: bytes) -> str:
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    cells = (cell for sheet in workbook for row in sheet.iter_rows(values_only=True) for cell in row)
    return "\n".join(str(cell) for cell in cells if cell is not None)


def _pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


READERS: dict[str, Callable[[bytes], str]] = {
    "/payouts/2025-03.csv": lambda data: data.decode("utf-8-sig"),
    "/payouts/2025-03.xlsx": _workbook_text,
    "/payouts/2025-03.pdf": _pdf_text,
    "/api/v1/payouts/2025-03": lambda data: json.dumps(json.loads(data), ensure_ascii=False),
    "/auszahlungen/2025-03": lambda data: data.decode(),
}


@pytest.mark.parametrize("url", READERS)
def test_a_payout_month_outside_the_sepa_file_shows_the_iban_masked_or_not_at_all(
    coordinator_client, march, url
) -> None:
    response = coordinator_client.get(url)

    text = READERS[url](response.data)
    assert response.status_code == 200
    assert NAME in text  # the reader found the content, so the absence below means something
    assert ACCOUNT not in re.sub(r"\s", "", text)


def test_the_sepa_file_carries_the_plain_iban(coordinator_client, march) -> None:
    assert coordinator_client.post("/auszahlungen/2025-03/abschliessen").status_code == 302
    xml = coordinator_client.post("/payouts/2025-03/sepa").get_data(as_text=True)

    assert f"<IBAN>{IBAN}</IBAN>" in xml


class _Uses(ast.NodeVisitor):
    """Collect (function, name) for every mention of the watched names, by the enclosing function."""

    def __init__(self, watched: set[str]) -> None:
        self.watched, self.scope, self.found = watched, ["<module>"], set()

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:  # noqa: N802
        self.scope.append(node.name)
        self.generic_visit(node)
        self.scope.pop()

    visit_AsyncFunctionDef = visit_FunctionDef  # noqa: N815

    def visit_Name(self, node: ast.Name) -> None:  # noqa: N802
        self._see(node.id)

    def visit_Attribute(self, node: ast.Attribute) -> None:  # noqa: N802
        self._see(node.attr)
        self.generic_visit(node)

    def visit_alias(self, node: ast.alias) -> None:
        self._see(node.name)

    def visit_keyword(self, node: ast.keyword) -> None:
        self._see(node.arg or "")
        self.generic_visit(node)

    def _see(self, name: str) -> None:
        if name in self.watched:
            self.found.add((self.scope[-1], name))


def _uses(name: str) -> set[tuple[str, str]]:
    """Return (file, function) for each place in the package that mentions `name` (imports count)."""
    sites = set()
    for path in sorted(PACKAGE.rglob("*.py")):
        visitor = _Uses({name})
        visitor.visit(ast.parse(path.read_text(encoding="utf-8")))
        sites |= {(path.relative_to(PACKAGE).as_posix(), scope) for scope, _ in visitor.found}
    return sites


def test_ibans_are_decrypted_only_where_the_sepa_export_needs_them() -> None:
    assert _uses("decrypt_iban") == DECRYPTION_SITES


def test_only_the_sepa_export_asks_the_payout_list_for_plain_ibans() -> None:
    callers = {site for site in _uses("iban_key") if site[1] != "build_payout_list"}

    assert callers == IBAN_KEY_CALLERS
