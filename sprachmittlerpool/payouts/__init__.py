"""Monthly payout lists and their exports."""

from flask import Blueprint

bp = Blueprint("payouts", __name__)


from sprachmittlerpool.payouts import views  # noqa: E402,F401
