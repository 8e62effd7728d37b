"""The payout list in the JSON shape of ``GET /api/v1/payouts/<YYYY-MM>`` (money as strings)."""

from __future__ import annotations

from typing import Any

from sprachmittlerpool.exports.formatting import cents
from sprachmittlerpool.exports.payout_list import PayoutList


def to_api_dict(payout_list: PayoutList) -> dict[str, Any]:
    """Return the month's list as api.md describes it: two-decimal strings, never floats."""
    return {
        "month": payout_list.month,
        "closed": payout_list.closed,
        "volunteers": [
            {
                "volunteer": line.volunteer_id,
                "name": line.name,
                "assignments": len(line.items),
                "amount": str(cents(line.amount)),
                "year_to_date": str(cents(line.year_to_date)),
            }
            for line in payout_list.sorted_lines()
        ],
        "total": str(cents(payout_list.total)),
    }
