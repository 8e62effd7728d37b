"""Pages volunteers reach from links in their e-mails (no login), and the institutions' confirmation page."""

from flask import Blueprint

bp = Blueprint("volunteer", __name__)

from sprachmittlerpool.volunteer import completion, views  # noqa: E402,F401
