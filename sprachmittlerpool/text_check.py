"""One check for every text a person types: no control characters, no direction tricks, something visible.

Control characters break mails, CSV and PDF; bidi overrides and isolates (U+202A–U+202E, U+2066–U+2069)
make a name read differently from what it is; a name of only zero-width or blank characters looks
empty on every list. The form, the API, the settings and the volunteer forms all ask `text_problem`.
"""

from __future__ import annotations

import unicodedata

BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
LINE_BREAKS = frozenset("\n\r\t")
MSG_CONTROL = "Der Text enthält unsichtbare Steuerzeichen. Bitte tippen Sie ihn neu ein."
MSG_BIDI = "Der Text enthält Zeichen, die die Schreibrichtung umkehren. Bitte tippen Sie ihn neu ein."
MSG_INVISIBLE = "Der Text besteht nur aus unsichtbaren Zeichen. Bitte geben Sie einen lesbaren Text ein."
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Zs", "Zl", "Zp", "Mn", "Me", "Co", "Cn"})


def text_problem(value: str, *, multiline: bool = False) -> str | None:
    """Return the German reason a typed text is refused, or None when it is fine (an empty text is fine)."""
    allowed = LINE_BREAKS if multiline else frozenset("\t")
    for char in value:
        category = unicodedata.category(char)
        if char in BIDI_CONTROLS:
            return MSG_BIDI
        if category == "Cs" or (category == "Cc" and char not in allowed):
            return MSG_CONTROL
    if value and all(unicodedata.category(char) in _INVISIBLE_CATEGORIES for char in value):
        return MSG_INVISIBLE
    return None


def checked_text(value: str, *, multiline: bool = False) -> str:
    """Return the stripped text, or raise ValueError with the German reason."""
    problem = text_problem(value, multiline=multiline)
    if problem:
        raise ValueError(problem)
    return value.strip()


def whole_number(value: object, *, max_digits: int = 12) -> int | None:
    """Read a typed or posted whole number of ASCII digits, else None.

    `str.isdigit()` alone also takes "²" and "١٢", which `int()` refuses (a 500) or reads as a number the
    person never typed; and an unbounded length overflows the database's integer.
    """
    if not isinstance(value, str) or not value.isascii() or not value.isdigit() or len(value) > max_digits:
        return None
    return int(value)
