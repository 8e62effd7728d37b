"""Coordinator login and logout, and passwords: forgotten, invited, changed."""

from flask import Blueprint

bp = Blueprint("auth", __name__)

from sprachmittlerpool.auth import accounts, views  # noqa: E402,F401
