"""Keep link tokens out of logs: a token in a log line opens the offer or status page for whoever reads it."""

from __future__ import annotations

import re
from typing import Any

from werkzeug.serving import WSGIRequestHandler

# /o/<token>, /status/<token> (also under /api/v1/requests/), /bestaetigung/<token>: the segment after them.
_TOKEN_SEGMENT = re.compile(r"(/(?:o|status|bestaetigung)/)[^/?#\s\"]+")
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
