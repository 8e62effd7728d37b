"""Monthly payout lists and their exports."""

from flask import Blueprint
from flask.blueprints import BlueprintSetupState

bp = Blueprint("payouts", __name__)


@bp.record_once
def _pool_defaults(state: BlueprintSetupState) -> None:
    """Give the SEPA export a debtor account even when the instance config names none."""
    from sprachmittlerpool.services.payouts import POOL_DEFAULTS

    for key, value in POOL_DEFAULTS.items():
        state.app.config.setdefault(key, value)


from sprachmittlerpool.payouts import views  # noqa: E402,F401
