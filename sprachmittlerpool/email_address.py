"""One check for the e-mail addresses people type: the same rules as the public form (email_validator).

A hand-written pattern let `<script>alert(1)</script>@example.org` through as a volunteer's address
(and `users create` only looked for an "@"); such a value later becomes a mail recipient and is shown
on pages, so it is refused where it enters.
"""

from __future__ import annotations

from typing import Any

from email_validator import EmailNotValidError, validate_email

MAX_LENGTH = 254
MESSAGE = "Bitte eine gültige E-Mail-Adresse angeben."


def checked_email(value: Any) -> str:
    """Return the address stripped and lower-cased, or raise ValueError with a German message."""
    if not isinstance(value, str) or len(value.strip()) > MAX_LENGTH:
        raise ValueError(MESSAGE)
    try:
        normalized = validate_email(value.strip(), check_deliverability=False).normalized
    except EmailNotValidError:
        raise ValueError(MESSAGE) from None
    return normalized.lower()
