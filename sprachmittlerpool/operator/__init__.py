"""The installation operator's pages: figures across every pool, never a pool's people or cases."""

from flask import Blueprint

bp = Blueprint("operator", __name__, url_prefix="/betrieb")

from sprachmittlerpool.operator import views  # noqa: E402,F401  (routes register on import)
