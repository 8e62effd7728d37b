"""The pool's settings, for its admins: identity, region, languages, tariffs, calendar, rules, accounts.

Each area of the settings is a module of its own that adds its routes to this blueprint and its
template under templates/settings/; the index page lists the areas from SECTIONS.
"""

from flask import Blueprint, render_template

from sprachmittlerpool.auth.rights import require_admin

bp = Blueprint("settings", __name__, url_prefix="/einstellungen")

# (endpoint, German title, one sentence of what it holds); areas append themselves on import.
SECTIONS: list[tuple[str, str, str]] = []


@bp.before_request
def _admins_only() -> None:
    """Let only the pool's admins see or change its settings."""
    require_admin()


@bp.get("/")
def index() -> str:
    """List the areas of the settings."""
    return render_template("settings/index.html", sections=SECTIONS)


# Each area adds its routes and its SECTIONS entry on import, in the order the index lists them.
from sprachmittlerpool.settings import identity  # noqa: E402, F401

# isort: split
from sprachmittlerpool.settings import region  # noqa: E402, F401

# isort: split
from sprachmittlerpool.settings import languages  # noqa: E402, F401

# isort: split
from sprachmittlerpool.settings import grants  # noqa: E402, F401

# isort: split
from sprachmittlerpool.settings import calendar, rules, tariffs  # noqa: E402, F401

# isort: split
from sprachmittlerpool.settings import qualifications  # noqa: E402, F401

# isort: split
from sprachmittlerpool.settings import accounts, api_tokens  # noqa: E402, F401
