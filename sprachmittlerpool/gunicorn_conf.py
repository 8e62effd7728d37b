"""gunicorn settings for production: `gunicorn -c python:sprachmittlerpool.gunicorn_conf 'sprachmittlerpool:create_app()'`.

gunicorn writes its own access log, outside the app's loggers; with it switched on, every offer and
status link would land there with its token. The logger class below masks them like the app does.
"""

from __future__ import annotations

from typing import Any

from gunicorn.glogging import Logger

from sprachmittlerpool.logsafe import mask_tokens


class MaskingLogger(Logger):
    """gunicorn's logger whose access-log fields (request line, path, query, referrer) show tokens masked."""

    def atoms(self, resp: Any, req: Any, environ: dict, request_time: Any) -> dict[str, Any]:
        """Mask every text field an access-log format can quote."""
        fields = super().atoms(resp, req, environ, request_time)
        return {key: mask_tokens(value) if isinstance(value, str) else value for key, value in fields.items()}


logger_class = MaskingLogger
