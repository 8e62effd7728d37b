"""The payout list's JSON shape for the API."""

import json
from datetime import date

from sprachmittlerpool.exports.api_json import to_api_dict
from tests.money.builders import item, line, payout_list


def test_api_shape_has_money_as_two_decimal_strings_and_names_in_order() -> None:
    pl = payout_list(
        line("v1", "Olena K.", item("a1", "25"), item("a2", "10.5", date=date(2025, 3, 9))),
        line("v2", "Ahmad S.", item("a3", "35.00")),
    )

    data = json.loads(json.dumps(to_api_dict(pl)))

    assert data == {
        "month": "2025-03",
        "closed": True,
        "volunteers": [
            {
                "volunteer": "v2",
                "name": "Ahmad S.",
                "assignments": 1,
                "amount": "35.00",
                "year_to_date": "100.00",
            },
            {
                "volunteer": "v1",
                "name": "Olena K.",
                "assignments": 2,
                "amount": "35.50",
                "year_to_date": "100.00",
            },
        ],
        "total": "70.50",
    }
