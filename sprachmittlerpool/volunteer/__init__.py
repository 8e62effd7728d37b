"""Pages volunteers reach from links in their e-mails (no login), their own page, the institutions' confirmation page, and both sides' feedback page."""

from flask import Blueprint

bp = Blueprint("volunteer", __name__)

from sprachmittlerpool.volunteer import completion, feedback, self_service, views  # noqa: E402,F401
