"""The coordinators' work: dashboard, review queue, proposals, offers."""

from flask import Blueprint

bp = Blueprint("coordination", __name__, url_prefix="/koordination")

from sprachmittlerpool.coordination import (  # noqa: E402,F401
    aftercare,
    assignment_actions,
    day_lists,
    institutions,
    proposals,
    qualifications,
    request_lists,
    requests,
    review,  # noqa: E402,F401
    sharing,
    views,
    volunteers,  # noqa: E402,F401
)
