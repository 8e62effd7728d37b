"""gunicorn settings for production: `gunicorn -c python:sprachmittlerpool.gunicorn_conf 'sprachmittlerpool:create_app()'`.

gunicorn writes its own access log, outside the app's loggers; with it switched on, every offer and
status link would land there with its token. The logger class below masks them like the app does.
Each worker, once it has loaded the app, puts what it loaded out of the garbage collector's way.
"""

from __future__ import annotations

import gc
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


def post_worker_init(worker: Any) -> None:
    """Freeze what the worker has loaded (modules, the app, its mappers and templates) once it is ready.

    Python's full collection walks every tracked object whenever enough new ones have survived: with
    the app loaded that is some 230,000 objects, a pause of 100–200 ms on a two-core machine in the
    middle of someone's page (it made the slowest of the bench's page loads). Frozen objects live as
    long as the worker anyway; `gc.freeze` moves them where no collection looks (Python's documented
    use), and what requests create is collected as before.
    """
    gc.collect()
    gc.freeze()
