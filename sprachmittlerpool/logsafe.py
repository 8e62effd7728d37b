"""Keep link tokens out of logs: a token in a log line opens the offer or status page for whoever reads it."""

from __future__ import annotations

import logging
import re
from typing import Any
from urllib.parse import unquote

from werkzeug.serving import WSGIRequestHandler

# /o/<token>, /status/<token> (also under /api/v1/requests/), /bestaetigung/<token>, /einladung/<token>,
# /passwort-neu/<token>, /mein-bereich/<token>, /adresse-bestaetigen/<token>, /rueckmeldung/<token>:
# the segment after them, in any letter case, with doubled slashes, backslashes or dot segments in between
# (a server may merge or resolve those). Matched within one word of the text (no real whitespace or quote
# in it).
_TOKEN_SEGMENT = re.compile(
    r"([/\\]+(?:o|status|bestaetigung|einladung|passwort-neu|mein-bereich|adresse-bestaetigen|rueckmeldung)[/\\]+(?:\.{1,2}[/\\]+)*)[^/\\?#]+",
    re.IGNORECASE,
)
# token=… at the start of a word or after ?, & or ; — whatever path it came with.
_TOKEN_QUERY = re.compile(r"((?:^|[?&;])token=)[^&#;]*", re.IGNORECASE)
# Words are split at whitespace and double quotes (the separators of a request line and a log format).
_WORDS = re.compile(r"(\s+|\")")
MAX_DECODING_ROUNDS = 8

MASK_SEGMENT = "…"
MASK_QUERY = "[token]"


def mask_tokens(text: str) -> str:
    """Return the text with every link token replaced, so it can be logged.

    Each word is matched after percent-decoding it until it stops changing (encoded slashes or letters,
    double encoding), since servers route and readers read the decoded form. A word whose decoded form
    holds a token is logged decoded and masked, with control characters escaped so a decoded newline
    cannot start a forged log line; every other word is logged as it came.
    """
    return "".join(_mask_word(word) for word in _WORDS.split(text))


def _mask_word(word: str) -> str:
    decoded = _decoded(word)
    if not (_TOKEN_SEGMENT.search(decoded) or _TOKEN_QUERY.search(decoded)):
        return word
    masked = _TOKEN_QUERY.sub(rf"\g<1>{MASK_QUERY}", _TOKEN_SEGMENT.sub(rf"\g<1>{MASK_SEGMENT}", decoded))
    return "".join(char if char.isprintable() else char.encode("unicode_escape").decode() for char in masked)


def _decoded(word: str) -> str:
    for _ in range(MAX_DECODING_ROUNDS):
        once = unquote(word)
        if once == word:
            break
        word = once
    return word


class MaskingRequestHandler(WSGIRequestHandler):
    """Werkzeug's request handler whose access log line shows token paths masked."""

    def log(self, type: str, message: str, *args: Any) -> None:  # noqa: A002 (Werkzeug's signature)
        """Mask every line the handler writes: the access log and its error lines both quote the path."""
        super().log(type, "%s", mask_tokens(message % args if args else message))


class TokenMaskingFilter(logging.Filter):
    """Mask tokens in a finished log record, its traceback included.

    An exception message may quote the URL it failed on (request.url in an error, a link in a mail body),
    so masking only the path the app passes in is not enough.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        """Render the message and the traceback once, masked; keep the record."""
        try:
            record.msg, record.args = mask_tokens(record.getMessage()), None
        except (TypeError, ValueError):  # a malformed call: log it as it came rather than raise in the caller
            record.msg, record.args = mask_tokens(f"{record.msg} {record.args!r}"), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_tokens(record.exc_text)
        return True


def install(logger: logging.Logger) -> None:
    """Mask the logger's records; once, since every app of a process shares the logger by name."""
    if not any(isinstance(existing, TokenMaskingFilter) for existing in logger.filters):
        logger.addFilter(TokenMaskingFilter())
