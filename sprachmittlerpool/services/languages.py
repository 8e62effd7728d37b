"""The languages a pool offers: admins add, rename, retire and reactivate them; every change is audited.

A language is never deleted: old requests, reports and volunteer profiles keep naming it. A retired one is
only no longer offered on the public form and the API. Codes are exact strings the matching compares, so
they are lowercase letters, digits and hyphens (e.g. `ar-lev` for a dialect) and never change.
"""

from __future__ import annotations

import re
from datetime import datetime

from sqlmodel import Session, func, select

from sprachmittlerpool.models import InterpretingRequest, Language, VolunteerLanguage
from sprachmittlerpool.regions import slug
from sprachmittlerpool.services import audit
from sprachmittlerpool.text_check import text_problem

CODE_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
CODE_LIMIT = 16
NAME_LIMIT = 120
AUDIT_ENTITY = "pool"  # the audit trail has no pool column; a code alone names a language in every pool
AUDIT_ACTIONS = ("language_added", "language_renamed", "language_retired", "language_reactivated")


class InvalidLanguage(ValueError):
    """Values that cannot be saved; `fields` maps each field to a German message."""

    def __init__(self, fields: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in fields.items()))
        self.fields = fields


class UnknownLanguage(LookupError):
    """The pool has no language with this code."""


def all_languages(session: Session, *, pool_id: int) -> list[Language]:
    """Return all of a pool's languages, active first, each group by German name."""
    rows = session.exec(select(Language).where(Language.pool_id == pool_id)).all()
    return sorted(rows, key=lambda row: (row.retired_at is not None, slug(row.name_de)))


def uses(session: Session, *, pool_id: int, code: str) -> tuple[int, int]:
    """Count the requests and volunteers that name a language (they keep it when it is retired)."""
    requests = session.exec(
        select(func.count())
        .select_from(InterpretingRequest)
        .where(InterpretingRequest.pool_id == pool_id, InterpretingRequest.language_code == code)
    ).one()
    volunteers = session.exec(
        select(func.count())
        .select_from(VolunteerLanguage)
        .where(VolunteerLanguage.pool_id == pool_id, VolunteerLanguage.language_code == code)
    ).one()
    return requests, volunteers


def get(session: Session, *, pool_id: int, code: str) -> Language:
    """Load a pool's language or raise UnknownLanguage."""
    row = session.get(Language, (pool_id, code)) if isinstance(code, str) else None
    if row is None:
        raise UnknownLanguage(code)
    return row


def add(session: Session, *, pool_id: int, code: str | None, name: str | None, actor: str) -> Language:
    """Add a language the pool offers from now on; a code or name it already has is refused."""
    code = (code or "").strip()
    errors = _name_errors(session, pool_id, name, except_code=None)
    if not code:
        errors["code"] = "Bitte geben Sie ein Kürzel ein, z. B. „ar“ oder „ar-lev“."
    elif len(code) > CODE_LIMIT or not CODE_PATTERN.fullmatch(code):
        errors["code"] = (
            f"Das Kürzel darf nur Kleinbuchstaben (ohne Umlaute), Ziffern und Bindestriche enthalten, "
            f"höchstens {CODE_LIMIT} Zeichen, z. B. „ar-lev“."
        )
    elif (existing := session.get(Language, (pool_id, code))) is not None:
        retired = " (nicht mehr angeboten – Sie können sie wieder anbieten)" if existing.retired_at else ""
        errors["code"] = f"Das Kürzel „{code}“ hat schon die Sprache „{existing.name_de}“{retired}."
    if errors:
        raise InvalidLanguage(errors)
    row = Language(pool_id=pool_id, code=code, name_de=_clean(name))
    session.add(row)
    _audit(session, row, actor, "language_added", {"name": row.name_de})
    session.commit()
    return row


def rename(session: Session, *, pool_id: int, code: str, name: str | None, actor: str) -> Language:
    """Give a language a new German name; requests and profiles show the new name."""
    row = get(session, pool_id=pool_id, code=code)
    errors = _name_errors(session, pool_id, name, except_code=code)
    if errors:
        raise InvalidLanguage(errors)
    before, row.name_de = row.name_de, _clean(name)
    session.add(row)
    _audit(session, row, actor, "language_renamed", {"from": before, "to": row.name_de})
    session.commit()
    return row


def set_retired(
    session: Session, *, pool_id: int, code: str, retired: bool, now: datetime, actor: str
) -> Language:
    """Stop or resume offering a language; doing what is already done changes nothing."""
    row = get(session, pool_id=pool_id, code=code)
    if (row.retired_at is not None) == retired:
        return row
    row.retired_at = now if retired else None
    session.add(row)
    _audit(
        session, row, actor, "language_retired" if retired else "language_reactivated", {"name": row.name_de}
    )
    session.commit()
    return row


def describe_change(action: str, detail: dict) -> str:
    """Say an audited language change in German for the history."""
    if action == "language_added":
        return f"Sprache „{detail.get('name', '')}“ hinzugefügt."
    if action == "language_renamed":
        return f"Sprache „{detail.get('from', '')}“ umbenannt in „{detail.get('to', '')}“."
    if action == "language_retired":
        return f"Sprache „{detail.get('name', '')}“ wird nicht mehr angeboten."
    return f"Sprache „{detail.get('name', '')}“ wird wieder angeboten."


def _clean(name: str | None) -> str:
    return re.sub(r"\s+", " ", name or "").strip()


def _name_errors(
    session: Session, pool_id: int, name: str | None, *, except_code: str | None
) -> dict[str, str]:
    """Check a German name: given, not too long, not another language's name."""
    cleaned = _clean(name)
    if not cleaned:
        return {"name": "Bitte geben Sie den deutschen Namen der Sprache ein, z. B. „Arabisch (Levante)“."}
    if len(cleaned) > NAME_LIMIT:
        return {"name": f"Der Name darf höchstens {NAME_LIMIT} Zeichen lang sein."}
    if problem := text_problem(name or ""):
        return {"name": problem}
    for row in session.exec(select(Language).where(Language.pool_id == pool_id)):
        if row.code != except_code and row.name_de.casefold() == cleaned.casefold():
            return {"name": f"Eine Sprache „{row.name_de}“ gibt es schon (Kürzel „{row.code}“)."}
    return {}


def _audit(session: Session, row: Language, actor: str, action: str, detail: dict[str, str]) -> None:
    audit.record(
        session,
        actor=actor,
        entity=AUDIT_ENTITY,
        entity_id=str(row.pool_id),
        action=action,
        detail={"code": row.code, **detail},
    )
