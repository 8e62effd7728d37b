"""The pool's identity as people meet it: name, contact, Impressum and privacy notice (pure, no database).

Pages, mails and files get a `PoolIdentity` built from the pool row in one place (services/identity.py)
and never read the row themselves. The admins' texts are Markdown, rendered without raw HTML and with
links only to web, mail and phone addresses, so a pasted `<script>` or `javascript:` link stays text.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from markdown_it import MarkdownIt
from markupsafe import Markup

from sprachmittlerpool.email_address import checked_email
from sprachmittlerpool.exports.sepa import sepa_text
from sprachmittlerpool.ibans import InvalidIban, bic_for, in_sepa_zone, validate_bic, validate_iban
from sprachmittlerpool.text_check import text_problem

IMPRESSUM_PATH = "/impressum"
PRIVACY_PATH = "/datenschutz"
NEUTRAL_NAME = "Sprachmittlerpool"
MAX_TEXT = 50_000  # a long privacy notice runs to about 15,000 characters
LINK_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
PHONE = re.compile(r"^[0-9+()/ .\-–]*$")


@dataclass(frozen=True)
class PoolIdentity:
    """What people see of a pool: its name and how to reach the KI, with absolute links to its notices."""

    name: str
    organisation: str = ""
    postal_address: str = ""
    phone: str = ""
    email: str = ""
    opening_hours: str = ""
    base_url: str = ""

    @property
    def address_lines(self) -> list[str]:
        """Return the postal address line by line, blank lines dropped."""
        return [line.strip() for line in self.postal_address.splitlines() if line.strip()]

    @property
    def hours_lines(self) -> list[str]:
        """Return the opening hours line by line, blank lines dropped."""
        return [line.strip() for line in self.opening_hours.splitlines() if line.strip()]

    @property
    def tel_uri(self) -> str:
        """Return the phone number as a tel: link needs it (digits, a leading plus)."""
        digits = re.sub(r"[^0-9]", "", self.phone)
        return ("+" + digits) if self.phone.strip().startswith("+") else digits

    @property
    def impressum_url(self) -> str:
        """Return the absolute address of the Impressum (for mails and files)."""
        return self.base_url.rstrip("/") + IMPRESSUM_PATH

    @property
    def privacy_url(self) -> str:
        """Return the absolute address of the privacy notice (for mails and files)."""
        return self.base_url.rstrip("/") + PRIVACY_PATH

    @property
    def reply_to(self) -> str:
        """Return where answers to the pool's mails go ('' while the admin has not set an address)."""
        return self.email


def neutral_identity(base_url: str = "") -> PoolIdentity:
    """Return the identity shown when the pool row cannot be read (database down, not migrated)."""
    return PoolIdentity(name=NEUTRAL_NAME, base_url=base_url)


# --- Markdown ---------------------------------------------------------------------------------------


def _link_allowed(url: str) -> bool:
    """Allow relative links and web, mail and phone addresses; refuse javascript:, data: and the like."""
    head = re.split(r"[/?#]", url, maxsplit=1)[0]
    return ":" not in head or head.split(":", 1)[0].lower() in LINK_SCHEMES


_markdown = (
    MarkdownIt("commonmark", {"html": False, "linkify": False, "breaks": True})
    .enable("table")
    .disable("image")
)
_markdown.validateLink = _link_allowed  # type: ignore[method-assign]


def render_markdown(text: str) -> Markup:
    """Render an admin's Markdown as safe HTML: raw HTML is shown as text, unsafe links stay text."""
    return Markup(_markdown.render(text or ""))  # noqa: S704 - html is off and every link is checked


# --- the admins' input -----------------------------------------------------------------------------

EMAIL_ROLE = "An sie gehen die Antworten auf alle E-Mails des Pools."

# (field, German label, maximum length, several lines allowed, message when left empty or None)
IDENTITY_FIELDS: tuple[tuple[str, str, int, bool, str | None], ...] = (
    ("name", "Name des Pools", 200, False, "Bitte den Namen des Pools angeben."),
    ("organisation", "Träger", 200, False, None),
    ("postal_address", "Postanschrift", 500, True, None),
    ("phone", "Telefon", 60, False, None),
    ("email", "E-Mail-Adresse", 254, False, f"Bitte eine E-Mail-Adresse angeben. {EMAIL_ROLE}"),
    ("opening_hours", "Sprechzeiten", 500, True, None),
    ("impressum_md", "Impressum", MAX_TEXT, True, None),
    ("privacy_md", "Datenschutzhinweis", MAX_TEXT, True, None),
)


def clean_text(value: Any, *, label: str, max_length: int, multiline: bool) -> str:
    """Return typed text trimmed, line breaks unified; raise ValueError with a German message."""
    if not isinstance(value, str):
        raise ValueError(f"{label}: bitte als Text angeben.")
    text = value.replace("\r\n", "\n").replace("\r", "\n").strip()
    allowed = {"\n", "\t"} if multiline else set()
    if any(unicodedata.category(char) in {"Cc", "Cs"} and char not in allowed for char in text):
        what = "Steuerzeichen" if multiline else "Zeilenumbrüche oder Steuerzeichen"
        raise ValueError(f"{label}: bitte ohne {what}.")
    problem = text_problem(text, multiline=multiline)
    if problem:
        raise ValueError(f"{label}: {problem}")
    if len(text) > max_length:
        raise ValueError(f"{label}: höchstens {max_length:,} Zeichen.".replace(",", "."))
    return text


def check_identity(form: Mapping[str, Any]) -> tuple[dict[str, str], dict[str, str]]:
    """Check the identity form: return the clean values and German messages by field."""
    values: dict[str, str] = {}
    errors: dict[str, str] = {}
    for field, label, max_length, multiline, when_empty in IDENTITY_FIELDS:
        try:
            text = clean_text(form.get(field, ""), label=label, max_length=max_length, multiline=multiline)
        except ValueError as error:
            errors[field] = str(error)
            continue
        if when_empty and not text:
            errors[field] = when_empty
        values[field] = text
    if values.get("email") and "email" not in errors:
        try:
            values["email"] = checked_email(values["email"])
        except ValueError as error:
            errors["email"] = f"{error} {EMAIL_ROLE}"
    if values.get("phone") and not PHONE.match(values["phone"]):
        errors["phone"] = "Bitte nur Ziffern, Leerzeichen und + ( ) / - verwenden, z. B. 02452 13-5600."
    return values, errors


@dataclass(frozen=True)
class AccountInput:
    """A checked paying account: `iban` None keeps the stored one."""

    holder: str
    iban: str | None
    bic: str


def check_account(form: Mapping[str, Any], *, has_iban: bool) -> tuple[AccountInput | None, dict[str, str]]:
    """Check the paying account form (an empty IBAN keeps the stored one); German messages by field."""
    errors: dict[str, str] = {}
    holder = iban = ""
    try:
        holder = _holder(form.get("account_holder", ""))
    except ValueError as error:
        errors["account_holder"] = str(error)
    typed_iban = str(form.get("iban") or "").strip()
    if typed_iban or not has_iban:
        try:
            iban = _sepa_iban(typed_iban)
        except InvalidIban as error:
            errors["iban"] = str(error)
    typed_bic = str(form.get("bic") or "").strip()
    bic = ""
    if typed_bic or "iban" not in errors:
        try:
            bic = _bic(typed_bic, iban)
        except InvalidIban as error:
            errors["bic"] = str(error)
    if errors:
        return None, errors
    return AccountInput(holder=holder, iban=iban or None, bic=bic), {}


def _holder(value: Any) -> str:
    """Return the account holder as the bank file can carry it (70 characters of Latin script)."""
    holder = clean_text(value, label="Kontoinhaber", max_length=70, multiline=False)
    if not holder:
        raise ValueError("Bitte den Kontoinhaber angeben, wie die Bank ihn führt.")
    if not sepa_text(holder):
        raise ValueError("Bitte den Kontoinhaber in lateinischer Schrift angeben, wie die Bank ihn führt.")
    return holder


def _sepa_iban(typed: str) -> str:
    """Return a valid IBAN of the SEPA area, or raise InvalidIban with a German message."""
    iban = validate_iban(typed)
    if not in_sepa_zone(iban):
        raise InvalidIban(
            "Die IBAN liegt außerhalb des SEPA-Raums; die Überweisungsdatei braucht ein SEPA-Konto."
        )
    return iban


def _bic(typed: str, iban: str) -> str:
    """Return the typed BIC checked, or the one the bank registry knows for a newly typed IBAN."""
    if typed:
        return validate_bic(typed)
    derived = bic_for(iban) if iban else None
    if derived is None:
        hint = " Sie lässt sich aus dieser IBAN nicht ermitteln." if iban else ""
        raise InvalidIban(f"Bitte die BIC angeben.{hint}")
    return derived
