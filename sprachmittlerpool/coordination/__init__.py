"""The coordinators' work: dashboard, review queue, proposals, offers."""

from flask import Blueprint

bp = Blueprint("coordination", __name__, url_prefix="/koordination")

from sprachmittlerpool.coordination import proposals, views  # noqa: E402,F401
from sprachmittlerpool.coordination import volunteers  # noqa: E402,F401
from sprachmittlerpool.coordination import review  # noqa: E402,F401
