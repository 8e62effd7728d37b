"""Settings: the pool's region — its municipalities, read from an uploaded file or a shipped district file.

Every import is shown first ("Das würde sich ändern: …") and applied only on a second, confirming POST,
which carries the file along and the digest of the previewed changes: if the pool changed in between,
the new changes are shown again instead of applied blindly.
"""

from __future__ import annotations

import base64
import binascii

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from sprachmittlerpool import regions
from sprachmittlerpool.db import get_session
from sprachmittlerpool.models import local_now
from sprachmittlerpool.pools import current_pool_id
from sprachmittlerpool.services import regions as service
from sprachmittlerpool.services import settings_history
from sprachmittlerpool.settings import SECTIONS, bp

SECTIONS.append(
    (
        "settings.region",
        "Region und Gemeinden",
        "Die Städte und Gemeinden, für die der Pool Einsätze vermittelt – aus einer Datei oder einer mitgelieferten Kreisliste.",
    )
)
SHIPPED_PREFIX = "shipped:"


def _page(errors: tuple[regions.LineError, ...] = (), status: int = 200) -> tuple[str, int]:
    db = get_session()
    pool_id = current_pool_id(db)
    page = render_template(
        "settings/region.html",
        municipalities=service.municipalities(db, pool_id=pool_id),
        shipped=[(name, regions.shipped_region(name).region) for name in regions.shipped_names()],
        errors=errors,
        history=settings_history.changes(
            db, entity=service.AUDIT_ENTITY, entity_ids=[str(pool_id)], actions=[service.AUDIT_ACTION]
        ),
        describe=service.describe_import,
    )
    return page, status


def _uploaded() -> tuple[str, str, bytes] | regions.LineError:
    """Return (source, shown name, bytes) of the upload or the chosen shipped file, from this or the preview form."""
    shipped = request.form.get("shipped", "")
    if shipped:
        if shipped not in regions.shipped_names():
            return regions.LineError(
                None, "Diese Kreisliste gibt es nicht. Bitte wählen Sie eine aus der Liste."
            )
        return SHIPPED_PREFIX + shipped, shipped, regions.read_shipped(shipped)
    if "content" in request.form:
        try:
            data = base64.b64decode(request.form["content"], validate=True)
        except (binascii.Error, ValueError):
            return regions.LineError(
                None, "Die Datei ist unterwegs beschädigt worden. Bitte erneut hochladen."
            )
        return "upload", request.form.get("filename", "Datei")[:200], data
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return regions.LineError(None, "Bitte wählen Sie eine Datei aus oder eine mitgelieferte Kreisliste.")
    return "upload", upload.filename[:200], upload.read(regions.MAX_BYTES + 1)


@bp.get("/region")
def region() -> tuple[str, int]:
    """Show the municipalities (offered and retired), the import forms and the history of imports."""
    return _page()


@bp.post("/region/vorschau")
def region_preview() -> tuple[str, int]:
    """Check a file line by line and show what importing it would change; nothing is stored yet."""
    return _preview(notice="")


@bp.post("/region/uebernehmen")
def region_import() -> Response | tuple[str, int]:
    """Apply a previewed import, if it still changes exactly what the preview showed."""
    loaded = _uploaded()
    if isinstance(loaded, regions.LineError):
        return _page((loaded,), 422)
    source, shown, data = loaded
    checked = regions.parse(data, shown)
    if not checked.ok:
        return _page(checked.errors, 422)
    db = get_session()
    pool_id = current_pool_id(db)
    if service.plan(db, checked.entries, pool_id=pool_id).fingerprint() != request.form.get("fingerprint"):
        return _preview(
            notice="Seit der Vorschau hat sich etwas geändert. Bitte prüfen Sie die Änderungen noch einmal."
        )
    result = service.apply(
        db,
        checked.entries,
        pool_id=pool_id,
        now=local_now(),
        actor=settings_history.actor_for(current_user.id),
        source=shown if source == "upload" else (checked.region or shown),
    )
    flash(f"Gemeinden übernommen: {result.summary()}", "success")
    return redirect(url_for("settings.region"))


def _preview(notice: str) -> tuple[str, int]:
    loaded = _uploaded()
    if isinstance(loaded, regions.LineError):
        return _page((loaded,), 422)
    source, shown, data = loaded
    checked = regions.parse(data, shown)
    if not checked.ok:
        return _page(checked.errors, 422)
    db = get_session()
    result = service.plan(db, checked.entries, pool_id=current_pool_id(db))
    page = render_template(
        "settings/region_preview.html",
        plan=result,
        checked=checked,
        shown=shown,
        shipped=shown if source.startswith(SHIPPED_PREFIX) else "",
        content="" if source.startswith(SHIPPED_PREFIX) else base64.b64encode(data).decode("ascii"),
        notice=notice,
    )
    return page, 200
