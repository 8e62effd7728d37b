"""The confirmation step before an action that cannot be undone: what will happen and who gets mail.

The button on a page posts without the confirmation field and gets this page; its own button posts the
same form again with `confirm=ja` and only then does the action. State changes stay on POST, and a single
POST (a double click, a replayed form, a mail scanner) changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import render_template, request

FIELD = "confirm"
YES = "ja"


@dataclass(frozen=True)
class Confirmation:
    """What the confirmation page says and where its button posts."""

    question: str
    happens: tuple[str, ...]
    mail: tuple[str, ...]
    button: str
    action: str
    back_url: str
    back_label: str
    fields: dict[str, str] = field(default_factory=dict)  # the first form's values, sent again


def confirmed() -> bool:
    """Tell whether this POST comes from the confirmation page's button."""
    return request.form.get(FIELD) == YES


def confirmation_page(confirmation: Confirmation) -> str:
    """Render the confirmation page."""
    return render_template("confirm.html", confirmation=confirmation, field_name=FIELD, yes=YES)
