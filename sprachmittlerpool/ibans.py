"""IBANs: validate, mask for display, and encrypt at rest with AES-256-GCM bound to the row."""

from __future__ import annotations

import base64
import binascii
import os
import re
import secrets

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from schwifty import BIC, IBAN
from schwifty.exceptions import (
    InvalidChecksumDigits,
    InvalidCountryCode,
    InvalidLength,
    InvalidStructure,
    SchwiftyException,
)

KEY_BYTES = 32  # AES-256
# ISO 9362: bank (4 letters), country (2 letters), location (2), optional branch (3).
_BIC = re.compile(r"^[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?$")
NONCE_BYTES = 12  # 96 bits, the size GCM is designed for
CIPHERTEXT_PREFIX = "v1:"

_MESSAGES: tuple[tuple[type[SchwiftyException], str], ...] = (
    (InvalidChecksumDigits, "Die IBAN ist ungültig (Prüfziffer stimmt nicht)."),
    (InvalidLength, "Die IBAN ist ungültig (falsche Länge für dieses Land)."),
    (InvalidCountryCode, "Die IBAN ist ungültig (unbekannter Ländercode)."),
    (InvalidStructure, "Die IBAN ist ungültig (unzulässige Zeichen oder falscher Aufbau)."),
)


_BIC_MESSAGES: tuple[tuple[type[SchwiftyException], str], ...] = (
    (InvalidLength, "Die BIC ist ungültig (sie hat 8 oder 11 Zeichen)."),
    (InvalidCountryCode, "Die BIC ist ungültig (unbekannter Ländercode an Stelle 5 und 6)."),
    (InvalidStructure, "Die BIC ist ungültig (unzulässige Zeichen oder falscher Aufbau)."),
)


class InvalidIban(ValueError):  # noqa: N818 - the name the other modules were promised
    """An IBAN failed validation; the message is a German sentence for people."""


class InvalidKeyError(ValueError):
    """The configured IBAN key is not 32 bytes of urlsafe base64."""


class DecryptionError(ValueError):
    """A stored IBAN could not be decrypted: wrong key, wrong row, or tampered data."""


def validate_iban(text: str) -> str:
    """Check mod-97 and the country's length and structure; return the compact electronic form."""
    return _parse(text).compact


def is_bic(text: str) -> bool:
    """Tell whether ``text`` (compact, upper case) has the form of a BIC."""
    return bool(_BIC.match(text))


def in_sepa_zone(iban: str) -> bool:
    """Tell whether a valid IBAN's country takes part in SEPA transfers."""
    return bool(_parse(iban).in_sepa_zone)


def validate_bic(text: str) -> str:
    """Check a BIC's length, country and structure; return it compact and upper-case."""
    if not isinstance(text, str) or not text.strip():
        raise InvalidIban("Bitte eine BIC angeben.")
    try:
        return BIC("".join(text.split())).compact
    except SchwiftyException as error:
        message = next((m for kind, m in _BIC_MESSAGES if isinstance(error, kind)), "Die BIC ist ungültig.")
        raise InvalidIban(message) from None


def bic_for(iban: str) -> str | None:
    """Return the BIC of the IBAN's bank where the bank registry knows it, else None."""
    try:
        bic = _parse(iban).bic
    except InvalidIban:
        return None
    return None if bic is None else str(bic)


def _parse(text: str) -> IBAN:
    """Parse with schwifty and translate its errors into German messages."""
    if not isinstance(text, str) or not text.strip():
        raise InvalidIban("Bitte eine IBAN angeben.")
    try:
        return IBAN(text.strip())
    except SchwiftyException as error:
        raise InvalidIban(_message_for(error)) from None


def _message_for(error: SchwiftyException) -> str:
    """Pick the German sentence that explains ``error``."""
    for kind, message in _MESSAGES:
        if isinstance(error, kind):
            return message
    return "Die IBAN ist ungültig."


def mask_iban(iban: str) -> str:
    """Show country, check digits and the last four characters only, in groups of four."""
    compact = "".join(iban.split()).upper()
    if len(compact) <= 8:
        return "*" * len(compact)
    hidden = compact[:4] + "*" * (len(compact) - 8) + compact[-4:]
    return " ".join(hidden[i : i + 4] for i in range(0, len(hidden), 4))


def new_key() -> str:
    """Make a fresh key for the configuration: urlsafe base64 of 32 random bytes (unpadded)."""
    return secrets.token_urlsafe(KEY_BYTES)


def parse_key(text: str | bytes) -> bytes:
    """Decode a configured key, refusing anything but exactly 32 bytes."""
    if isinstance(text, bytes):
        text = text.decode("ascii", errors="replace")
    text = text.strip()
    # Keys made by secrets.token_urlsafe (as config.py does) carry no padding: restore it.
    padded = text + "=" * (-len(text) % 4)
    try:
        key = base64.urlsafe_b64decode(padded.encode("ascii"))
    except (binascii.Error, UnicodeEncodeError):
        raise InvalidKeyError("the IBAN key is not urlsafe base64 (make one with new_key())") from None
    if len(key) != KEY_BYTES:
        raise InvalidKeyError(f"the IBAN key must decode to {KEY_BYTES} bytes, got {len(key)}")
    return key


def encrypt_iban(iban: str, *, key: bytes, row_id: str) -> str:
    """Encrypt ``iban`` for the row ``row_id``; the row id is authenticated, not stored."""
    nonce = os.urandom(NONCE_BYTES)
    sealed = AESGCM(_checked(key)).encrypt(nonce, iban.encode("utf-8"), _aad(row_id))
    return CIPHERTEXT_PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode("ascii")


def decrypt_iban(token: str, *, key: bytes, row_id: str) -> str:
    """Decrypt a stored IBAN; fails if the key, the row id or the data do not match."""
    if not token.startswith(CIPHERTEXT_PREFIX):
        raise DecryptionError("unknown ciphertext format")
    cipher = AESGCM(_checked(key))
    try:
        blob = base64.urlsafe_b64decode(token[len(CIPHERTEXT_PREFIX) :].encode("ascii"))
        nonce, sealed = blob[:NONCE_BYTES], blob[NONCE_BYTES:]
        return cipher.decrypt(nonce, sealed, _aad(row_id)).decode("utf-8")
    except (InvalidTag, ValueError, binascii.Error):
        # InvalidTag covers a wrong key, a swapped row and tampering alike: say nothing more.
        raise DecryptionError("the IBAN could not be decrypted") from None


def _checked(key: bytes) -> bytes:
    """Insist on a 256-bit key so a short key never silently selects AES-128."""
    if not isinstance(key, bytes) or len(key) != KEY_BYTES:
        raise InvalidKeyError(f"the IBAN key must be {KEY_BYTES} bytes")
    return key


def _aad(row_id: str) -> bytes:
    """Bind the ciphertext to its row, with a purpose label so it cannot be reused elsewhere."""
    return b"sprachmittlerpool/iban/v1:" + str(row_id).encode("utf-8")
