"""Attack strings and the checks that they stayed harmless: escaped on pages and in mails, verbatim in rows.

"Escaped" is checked both ways: the escaped form must be on the page (so the page really shows the
field and the check is not vacuous), and no raw markup of the payload may be anywhere on it.
"""

from __future__ import annotations

from email.message import EmailMessage

from flask import Flask
from markupsafe import escape
from sqlalchemy import inspect
from sqlmodel import SQLModel

XSS = ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>']
SQL = ["'; DROP TABLE volunteer; --", "' OR 1=1 --"]
PAYLOADS = XSS + SQL
RAW_MARKUP = ("<script>alert(1)", "<img src=x")


def escaped(payload: str) -> str:
    """Return the payload as Jinja's autoescaping writes it."""
    return str(escape(payload))


def assert_no_raw_markup(html: str, where: str) -> None:
    """No tag of any payload may reach the HTML unescaped."""
    for raw in RAW_MARKUP:
        assert raw not in html, f"raw {raw!r} in {where}"


def assert_shown_escaped(html: str, payload: str, where: str) -> None:
    """The page shows the payload, and only in its escaped form."""
    assert_no_raw_markup(html, where)
    assert payload == escaped(payload) or payload not in html, f"unescaped payload in {where}"
    assert escaped(payload) in html, f"payload not shown in {where}"


def html_parts(messages: list[EmailMessage]) -> list[str]:
    """Return the HTML bodies of delivered mails."""
    return [message.get_body(preferencelist=("html",)).get_content() for message in messages]


def assert_mails_harmless(messages: list[EmailMessage], payload: str) -> None:
    """No delivered HTML body or subject carries the payload as markup.

    Mails the public can trigger (the receipt) carry no submitter text at all (issue 14); where a mail
    does show the text (a coordinator's note), the callers check it is shown escaped.
    """
    assert messages, "no mail was delivered"
    for message in messages:
        assert_no_raw_markup(str(message["Subject"]), "a subject")
    for body in html_parts(messages):
        assert_no_raw_markup(body, "a mail")
        assert payload not in body or escaped(payload) == payload, "a delivered mail carries the raw payload"


def assert_tables_intact(app: Flask) -> None:
    """Every table of the models still exists (no payload dropped one)."""
    engine = app.extensions["sqlalchemy_engine"]
    present = set(inspect(engine).get_table_names())
    assert {table.name for table in SQLModel.metadata.sorted_tables} <= present
