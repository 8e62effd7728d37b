"""The JSON API under /api/v1 (api.md); each module adds its routes and its part of the OpenAPI description."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from sprachmittlerpool.api import (  # noqa: E402,F401
    assignments,
    catalog,
    matching,
    offers,  # noqa: E402,F401
    openapi,
    payouts,
    request_detail,
    requests,  # noqa: E402,F401
    volunteers,  # noqa: E402,F401
)
from sprachmittlerpool.api.common import ApiError, api_error_response, note_token_use  # noqa: E402

bp.register_error_handler(ApiError, api_error_response)
bp.teardown_request(note_token_use)
