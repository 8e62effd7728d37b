"""Pages volunteers reach from links in their e-mails (no login), their own page, and the institutions' confirmation page."""

from flask import Blueprint

bp = Blueprint("volunteer", __name__)

from sprachmittlerpool.volunteer import completion, self_service, views  # noqa: E402,F401
