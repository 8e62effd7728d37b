"""Development page: the outbox and the .eml files written when no SMTP server is configured."""

from flask import Blueprint

bp = Blueprint("devmail", __name__, url_prefix="/entwicklung/mails")

from sprachmittlerpool.devmail import views  # noqa: E402,F401
