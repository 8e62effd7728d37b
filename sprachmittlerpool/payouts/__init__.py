"""Monthly payout lists and their exports."""

from flask import Blueprint

bp = Blueprint("payouts", __name__)
