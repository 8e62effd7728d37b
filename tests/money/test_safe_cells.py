"""Text that a spreadsheet would evaluate is neutralised; harmless text stays as it is."""

import pytest

from sprachmittlerpool.exports.payout_list import PayoutList
from sprachmittlerpool.exports.safe_cells import neutralise


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('=HYPERLINK("x")', '\'=HYPERLINK("x")'),
        ("+49 2452 13", "'+49 2452 13"),
        ("-1+1", "'-1+1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("Kita Regenbogen", "Kita Regenbogen"),
        ("Frau = Herr", "Frau = Herr"),
        ("", ""),
    ],
)
def test_leading_formula_characters_get_a_quote(text: str, expected: str) -> None:
    assert neutralise(text) == expected


def test_control_characters_are_dropped_before_the_check() -> None:
    assert neutralise("\x00=1\x1f") == "'=1"


@pytest.mark.parametrize("month", ["2025-3", "2025-13", "25-03", "März"])
def test_a_malformed_month_is_refused(month: str) -> None:
    with pytest.raises(ValueError, match="month"):
        PayoutList(month=month, closed=False, closed_at=None, pool_name="Pool", lines=())
