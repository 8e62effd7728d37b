"""Settings: the languages the pool offers — add, rename, and retire or offer again after a confirmation."""

from __future__ import annotations

from collections.abc import Mapping

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from sprachmittlerpool.db import get_session
from sprachmittlerpool.models import local_now
from sprachmittlerpool.pools import current_pool_id
from sprachmittlerpool.services import languages as service
from sprachmittlerpool.services import settings_history
from sprachmittlerpool.settings import SECTIONS, bp

SECTIONS.append(
    (
        "settings.languages",
        "Sprachen",
        "Die Sprachen und Dialekte, die Einrichtungen anfragen können; neue hinzufügen, umbenennen, nicht mehr anbieten.",
    )
)


def _page(
    values: Mapping[str, str] | None = None, errors: Mapping[str, str] | None = None, status: int = 200
) -> tuple[str, int]:
    db = get_session()
    pool_id = current_pool_id(db)
    page = render_template(
        "settings/languages.html",
        languages=service.all_languages(db, pool_id=pool_id),
        values=values or {},
        errors=errors or {},
        history=settings_history.changes(
            db, entity=service.AUDIT_ENTITY, entity_ids=[str(pool_id)], actions=service.AUDIT_ACTIONS
        ),
        describe=service.describe_change,
    )
    return page, status


@bp.get("/sprachen")
def languages() -> tuple[str, int]:
    """List the pool's languages, offered and retired, with the forms to change them."""
    return _page()


@bp.post("/sprachen")
def language_add() -> Response | tuple[str, int]:
    """Add a language with its code and German name."""
    db = get_session()
    try:
        row = service.add(
            db,
            pool_id=current_pool_id(db),
            code=request.form.get("code"),
            name=request.form.get("name"),
            actor=settings_history.actor_for(current_user.id),
        )
    except service.InvalidLanguage as invalid:
        return _page(request.form.to_dict(), invalid.fields, 422)
    flash(f"„{row.name_de}“ wird ab jetzt im Anfrageformular angeboten.", "success")
    return redirect(url_for("settings.languages"))


@bp.post("/sprachen/<code>/name")
def language_rename(code: str) -> Response | tuple[str, int]:
    """Give a language a new German name."""
    db = get_session()
    try:
        row = service.rename(
            db,
            pool_id=current_pool_id(db),
            code=code,
            name=request.form.get("name"),
            actor=settings_history.actor_for(current_user.id),
        )
    except service.UnknownLanguage:
        abort(404)
    except service.InvalidLanguage as invalid:
        return _page(
            {f"name-{code}": request.form.get("name", "")}, {f"name-{code}": invalid.fields["name"]}, 422
        )
    flash(f"Umbenannt in „{row.name_de}“.", "success")
    return redirect(url_for("settings.languages"))


@bp.post("/sprachen/<code>/angebot")
def language_offer(code: str) -> Response | tuple[str, int]:
    """Ask, then stop or resume offering a language (retire=1 stops it, retire=0 resumes it)."""
    db = get_session()
    pool_id = current_pool_id(db)
    retire = request.form.get("retire") == "1"
    try:
        row = service.get(db, pool_id=pool_id, code=code)
        if request.form.get("confirmed") != "1":
            requests, volunteers = service.uses(db, pool_id=pool_id, code=code)
            page = render_template(
                "settings/language_confirm.html",
                language=row,
                retire=retire,
                requests=requests,
                volunteers=volunteers,
            )
            return page, 200
        service.set_retired(
            db,
            pool_id=pool_id,
            code=code,
            retired=retire,
            now=local_now(),
            actor=settings_history.actor_for(current_user.id),
        )
    except service.UnknownLanguage:
        abort(404)
    said = "wird nicht mehr angeboten" if retire else "wird wieder angeboten"
    flash(f"„{row.name_de}“ {said}.", "success")
    return redirect(url_for("settings.languages"))
