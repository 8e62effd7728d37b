"""District rules: tighten or relax what a state default does, with a confirmation for relaxing and a history."""

from __future__ import annotations

from collections.abc import Mapping

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from sprachmittlerpool.db import get_session
from sprachmittlerpool.pools import current_pool_id
from sprachmittlerpool.services import pool_rules, settings_history
from sprachmittlerpool.settings import SECTIONS, bp

SECTIONS.append(
    (
        "settings.rules",
        "Regeln für Anfragen",
        "Was der Pool ablehnt, prüft oder abweichend von den Landesvorgaben vermittelt – mit Verlauf.",
    )
)
CHOICE_WORDS = {
    "reject": "ablehnen",
    "review": "im Einzelfall prüfen",
    "off": "vermitteln (Regel gilt nicht)",
}


def _page(errors: Mapping[str, str] | None = None, status: int = 200) -> tuple[str, int]:
    db = get_session()
    pool_id = current_pool_id(db)
    choices = pool_rules.choices(db, pool_id=pool_id, instance_path=current_app.instance_path)
    page = render_template(
        "settings/rules.html",
        choices=choices,
        words=CHOICE_WORDS,
        errors=errors or {},
        titles={choice.rule_id: choice.title for choice in choices},
        history=settings_history.changes(
            db, entity=pool_rules.AUDIT_ENTITY, entity_ids=[str(pool_id)], actions=[pool_rules.AUDIT_ACTION]
        ),
    )
    return page, status


@bp.get("/regeln")
def rules() -> tuple[str, int]:
    """Show each adjustable rule with the state's default, the pool's choice and who changed what."""
    return _page()


@bp.post("/regeln")
def rules_save() -> Response | tuple[str, int]:
    """Save the choices; a change that relaxes a state rule first asks for confirmation."""
    db = get_session()
    arguments = {
        "pool_id": current_pool_id(db),
        "instance_path": current_app.instance_path,
        "wanted": request.form.to_dict(),
    }
    try:
        found = pool_rules.save_changes(
            db,
            **arguments,
            confirmed=request.form.get("confirmed") == "1",
            actor=settings_history.actor_for(current_user.id),
        )
    except pool_rules.InvalidChoice as invalid:
        return _page(invalid.fields, 422)
    except pool_rules.NeedsConfirmation:
        db.rollback()
        changes = pool_rules.plan_changes(db, **arguments)
        return render_template(
            "settings/rules_confirm.html", changes=changes, words=CHOICE_WORDS, form=request.form
        ), 200
    flash(
        f"{len(found)} Regeln geändert. Die Änderung gilt für neue Anfragen."
        if found
        else "Nichts geändert.",
        "success",
    )
    return redirect(url_for("settings.rules"))
