"""The volunteer import refuses absurd workbooks before parsing them: zip bombs and sheets of millions of cells.

Each workbook is a real XLSX (written by openpyxl, then changed inside its zip), sent through the
coordinators' upload; the answer is a German 422 and nothing is imported.
"""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from openpyxl import Workbook
from sqlmodel import func, select

from sprachmittlerpool.models import Volunteer
from sprachmittlerpool.volunteer_import import ImportFileError, check_xlsx_size, read_table

HEADER = ["Name", "E-Mail", "Wohnort", "Sprachen"]


def _workbook() -> bytes:
    book = Workbook()
    book.active.append(HEADER)
    book.active.append(["Olena Kowalenko", "olena@example.org", "Heinsberg", "uk"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _rewrite(data: bytes, change) -> bytes:
    """Copy the workbook's zip, letting `change(name, content)` replace members or add new ones."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            target.writestr(item.filename, change(item.filename, source.read(item.filename)))
        for name, content in change(None, None) or []:
            target.writestr(name, content)
    return out.getvalue()


def _padded_sheet(megabytes: int):
    """A sheet whose XML carries a huge comment: tiny packed, huge unpacked (a zip bomb)."""

    def change(name, content):
        if name is None:
            return None
        if name == "xl/worksheets/sheet1.xml":
            return content.replace(
                b"<sheetData>", b"<!--" + b" " * (megabytes * 1024 * 1024) + b"--><sheetData>"
            )
        return content

    return change


def _many_members(count: int):
    def change(name, content):
        if name is None:
            return [(f"xl/media/blank{i}.bin", b"") for i in range(count)]
        return content

    return change


def _huge_dimension(name, content):
    """Declare a sheet of a million rows by 16 384 columns, the most Excel allows."""
    if name is None:
        return None
    if name == "xl/worksheets/sheet1.xml":
        return re.sub(rb'<dimension ref="[^"]+"', b'<dimension ref="A1:XFD1048576"', content)
    return content


def _many_cells(name, content):
    """A sheet with more cells than any volunteer list has, and no dimension to warn of them."""
    if name is None:
        return None
    if name == "xl/worksheets/sheet1.xml":
        content = re.sub(rb'<dimension ref="[^"]+"/>', b"", content)
        rows = (b"<row>" + b'<c t="inlineStr"><is><t>x</t></is></c>' * 1000 + b"</row>") * 120
        return content.replace(b"</sheetData>", rows + b"</sheetData>")
    return content


BOMBS = {
    "zip bomb (200 MB unpacked)": _padded_sheet(200),
    "a thousand members": _many_members(1000),
    "declared dimension of 17 billion cells": _huge_dimension,
    "120 000 real cells": _many_cells,
}


@pytest.mark.parametrize("change", BOMBS.values(), ids=BOMBS.keys())
def test_an_absurd_workbook_is_refused_in_german_and_imports_nothing(coordinator_client, db, change):
    bomb = _rewrite(_workbook(), change)
    assert len(bomb) < 3 * 1024 * 1024, "the upload itself is small: only unpacking would be huge"

    upload = io.BytesIO(bomb)
    response = coordinator_client.post(
        "/koordination/sprachmittelnde/import",
        data={"file": (upload, "liste.xlsx")},
        content_type="multipart/form-data",
    )
    response.close()

    assert response.status_code == 422
    assert "ungewöhnlich groß" in response.get_data(as_text=True)
    db.rollback()
    assert db.exec(select(func.count()).select_from(Volunteer)).one() == 0


def test_the_zip_bomb_is_refused_from_the_declared_sizes_alone():
    """The check reads only the zip's directory: it refuses before openpyxl would unpack a byte."""
    bomb = _rewrite(_workbook(), _padded_sheet(200))

    with pytest.raises(ImportFileError, match="ungewöhnlich groß"):
        check_xlsx_size(bomb)
    check_xlsx_size(_workbook())
    assert read_table(_workbook(), "liste.xlsx")[0]["name"] == "Olena Kowalenko"
