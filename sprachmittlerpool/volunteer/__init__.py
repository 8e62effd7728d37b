"""Pages volunteers reach from links in their e-mails (no login), and the institutions' confirmation page."""

from flask import Blueprint, Response, g

bp = Blueprint("volunteer", __name__)


@bp.after_request
def _release_session(response: Response) -> Response:
    """End this request's session now, so no lock outlives the answer even when an app context is reused."""
    session = g.pop("db_session", None)
    if session is not None:
        session.close()
    return response


from sprachmittlerpool.volunteer import completion, views  # noqa: E402,F401
