"""The committee's figures."""

from flask import Blueprint

bp = Blueprint("reports", __name__)

from sprachmittlerpool.reports import views  # noqa: E402,F401
