"""The field the confirmation page's button adds: tests that mean the confirmed action send it."""

from sprachmittlerpool.confirmation import FIELD, YES

CONFIRMED = {FIELD: YES}
