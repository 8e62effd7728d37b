"""Public request form (built by the intake issue)."""

from flask import abort

from sprachmittlerpool.intake import bp


@bp.route("/anfrage")
def new_request():
    """Show the request form."""
    abort(404)
