"""Requests from institutions: the public form, the receipt and the status page."""

from flask import Blueprint

bp = Blueprint("intake", __name__)

from sprachmittlerpool.intake import views  # noqa: E402,F401
