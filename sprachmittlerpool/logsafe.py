"""Keep link tokens out of logs: a token in a log line opens the offer or status page for whoever reads it."""

from __future__ import annotations

import logging
import re
from typing import Any

from werkzeug.serving import WSGIRequestHandler

# /o/<token>, /status/<token> (also under /api/v1/requests/), /bestaetigung/<token>, /einladung/<token>,
# /passwort-neu/<token>: the segment after them.
_TOKEN_SEGMENT = re.compile(r"(/(?:o|status|bestaetigung|einladung|passwort-neu)/)[^/?#\s\"]+")
# ?token=… or &token=… in a query string, whatever path it came with.
_TOKEN_QUERY = re.compile(r"([?&]token=)[^&#\s\"]*", re.IGNORECASE)

MASK_SEGMENT = "…"
MASK_QUERY = "[token]"


def mask_tokens(text: str) -> str:
    """Return the text with every link token replaced, so it can be logged."""
    return _TOKEN_QUERY.sub(rf"\g<1>{MASK_QUERY}", _TOKEN_SEGMENT.sub(rf"\g<1>{MASK_SEGMENT}", text))


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
