"""The institutions register: find, correct, verify, block and merge the pool's requesting institutions.

Verified and blocked are facts the intake rules read (pool.institution_unverified,
pool.institution_blocked); this module only records them, audited, so the rules stay data.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import delete, func, or_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from matching.eligibility import INSTITUTION_TYPES
from sprachmittlerpool.models import (
    Institution,
    InterpretingRequest,
    Language,
    request_language_join,
)
from sprachmittlerpool.services import audit
from sprachmittlerpool.text_check import text_problem

PAGE_SIZE = 25
UNVERIFIED, VERIFIED, BLOCKED = "unverifiziert", "verifiziert", "gesperrt"
STATE_LABELS = {UNVERIFIED: "unverifiziert", VERIFIED: "verifiziert", BLOCKED: "gesperrt"}
LIMITS = {"name": 200, "email": 254, "note": 1000}
ENTITY = "institution"


class InvalidInstitution(ValueError):
    """Values that cannot be stored; `fields` maps each field to a German message."""

    def __init__(self, fields: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in fields.items()))
        self.fields = fields


class MergeRefused(ValueError):
    """A merge that must not happen, with the German reason."""


def state_of(institution: Institution) -> str:
    """Name the register state: blocked wins over verified, as intake refuses a blocked one either way."""
    if institution.blocked_at is not None:
        return BLOCKED
    return VERIFIED if institution.verified_at is not None else UNVERIFIED


# --- the list -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RegisterPage:
    """One page of the register: institutions with their request counts, and where it stands."""

    rows: list[tuple[Institution, int]]
    total: int
    page: int
    pages: int


def _state_filter(state: str) -> list[Any]:
    blocked = col(Institution.blocked_at)
    verified = col(Institution.verified_at)
    return {
        UNVERIFIED: [blocked.is_(None), verified.is_(None)],
        VERIFIED: [blocked.is_(None), verified.is_not(None)],
        BLOCKED: [blocked.is_not(None)],
    }.get(state, [])


def _conditions(pool_id: int, text: str, type_: str, state: str) -> list[Any]:
    conditions: list[Any] = [Institution.pool_id == pool_id, *_state_filter(state)]
    if text:
        conditions.append(
            or_(
                col(Institution.name).icontains(text, autoescape=True),
                col(Institution.email).icontains(text, autoescape=True),
            )
        )
    if type_ in INSTITUTION_TYPES:
        conditions.append(Institution.type == type_)
    return conditions


def search(
    session: Session, *, pool_id: int, text: str = "", type_: str = "", state: str = "", page: int = 1
) -> RegisterPage:
    """Return one page of the pool's institutions matching name or e-mail, type and state, by name."""
    conditions = _conditions(pool_id, text.strip(), type_, state)
    total = session.exec(select(func.count()).select_from(Institution).where(*conditions)).one()
    pages = max(1, math.ceil(total / PAGE_SIZE))
    page = min(max(page, 1), pages)
    counts = (
        select(InterpretingRequest.institution_id, func.count().label("n"))
        .where(InterpretingRequest.pool_id == pool_id)
        .group_by(col(InterpretingRequest.institution_id))
        .subquery()
    )
    statement = (
        select(Institution, func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.institution_id == Institution.id)
        .where(*conditions)
        .order_by(func.lower(Institution.name), col(Institution.id))
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
    )
    rows = [(institution, int(n)) for institution, n in session.exec(statement).all()]
    return RegisterPage(rows, total, page, pages)


def state_counts(session: Session, *, pool_id: int) -> dict[str, int]:
    """Count the pool's institutions per register state, for the filter's labels."""
    return {
        state: session.exec(
            select(func.count()).select_from(Institution).where(*_conditions(pool_id, "", "", state))
        ).one()
        for state in STATE_LABELS
    }


def requests_of(session: Session, institution: Institution) -> list[tuple[InterpretingRequest, str]]:
    """Return the institution's requests, newest appointment first, with the language's German name."""
    statement = (
        select(InterpretingRequest, Language.name_de)
        .join(Language, request_language_join())
        .where(
            InterpretingRequest.pool_id == institution.pool_id,
            InterpretingRequest.institution_id == institution.id,
        )
        .order_by(col(InterpretingRequest.start).desc(), col(InterpretingRequest.id).desc())
    )
    return list(session.exec(statement).all())


def request_count(session: Session, institution: Institution) -> int:
    """Count the institution's requests."""
    statement = select(func.count()).where(
        InterpretingRequest.pool_id == institution.pool_id,
        InterpretingRequest.institution_id == institution.id,
    )
    return session.exec(statement).one()


def merge_candidates(session: Session, institution: Institution) -> list[Institution]:
    """Return the other institutions of the same pool, by name: the ones it may be merged with."""
    statement = (
        select(Institution)
        .where(Institution.pool_id == institution.pool_id, Institution.id != institution.id)
        .order_by(func.lower(Institution.name), col(Institution.id))
    )
    return list(session.exec(statement).all())


# --- changes ------------------------------------------------------------------------------------


def check_fields(form: dict[str, Any]) -> dict[str, str]:
    """Check the edit form's values and return them cleaned; raise InvalidInstitution naming each wrong one."""
    errors: dict[str, str] = {}
    values = {name: str(form.get(name) or "").strip() for name in ("name", "type", "email", "note")}
    for name in ("name", "email"):
        if not values[name]:
            errors[name] = "Bitte füllen Sie dieses Feld aus."
    for name, limit in LIMITS.items():
        if len(values[name]) > limit:
            errors[name] = f"Bitte fassen Sie sich kürzer (höchstens {limit} Zeichen)."
        elif problem := text_problem(values[name], multiline=name == "note"):
            errors[name] = problem
    if values["type"] not in INSTITUTION_TYPES:
        errors["type"] = "Bitte wählen Sie eine Art aus der Liste aus."
    if values["email"] and "email" not in errors:
        try:
            values["email"] = validate_email(values["email"], check_deliverability=False).normalized
        except EmailNotValidError:
            errors["email"] = "Bitte geben Sie eine gültige E-Mail-Adresse an, z. B. name@kita.de."
    if errors:
        raise InvalidInstitution(errors)
    return values


def update_fields(session: Session, institution: Institution, values: dict[str, str], *, actor: str) -> None:
    """Store corrected name, type, e-mail and note; an identity another row already has is refused."""
    changed = sorted(name for name, value in values.items() if getattr(institution, name) != value)
    if not changed:
        return
    for name in changed:
        setattr(institution, name, values[name])
    session.add(institution)
    audit.record(
        session, actor=actor, entity=ENTITY, entity_id=str(institution.id), action="updated",
        detail={"fields": changed},
    )  # fmt: skip
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise InvalidInstitution(
            {
                "name": "Eine Einrichtung mit diesem Namen, dieser Art und dieser E-Mail-Adresse gibt es "
                "schon. Führen Sie die beiden bitte zusammen."
            }
        ) from None


def set_verified(
    session: Session, institution: Institution, *, verified: bool, now: datetime, actor: str
) -> None:
    """Mark the institution verified after a first contact, or take that back; audited."""
    _change_state(session, institution, "verified_at", now if verified else None, actor=actor)


def set_blocked(
    session: Session, institution: Institution, *, blocked: bool, now: datetime, actor: str
) -> None:
    """Block the institution (intake refuses its requests by rule) or unblock it; audited."""
    _change_state(session, institution, "blocked_at", now if blocked else None, actor=actor)


def _change_state(
    session: Session, institution: Institution, field: str, value: datetime | None, *, actor: str
) -> None:
    before = state_of(institution)
    if (getattr(institution, field) is None) == (value is None):
        return  # a second click on the same action changes nothing
    setattr(institution, field, value)
    session.add(institution)
    action = {"verified_at": "verified", "blocked_at": "blocked"}[field]
    audit.record(
        session, actor=actor, entity=ENTITY, entity_id=str(institution.id),
        action=action if value is not None else f"un{action}",
        from_state=before, to_state=state_of(institution),
    )  # fmt: skip
    session.commit()


def merge(session: Session, *, keep: Institution, duplicate: Institution, actor: str) -> int:
    """Move every request of the duplicate to the kept institution, remove the duplicate; return how many moved.

    The kept institution's name, type, e-mail, note and state stay as they are. Refused into
    itself and across pools (the database's composite key would refuse the latter too).
    """
    if keep.id == duplicate.id:
        raise MergeRefused("Eine Einrichtung kann nicht mit sich selbst zusammengeführt werden.")
    if keep.pool_id != duplicate.pool_id:
        raise MergeRefused("Einrichtungen verschiedener Pools können nicht zusammengeführt werden.")
    ids = sorted([keep.id, duplicate.id])  # type: ignore[type-var]
    session.exec(select(Institution.id).where(col(Institution.id).in_(ids)).with_for_update()).all()
    moved = session.execute(
        update(InterpretingRequest)
        .where(
            col(InterpretingRequest.pool_id) == duplicate.pool_id,
            col(InterpretingRequest.institution_id) == duplicate.id,
        )
        .values(institution_id=keep.id)
    ).rowcount  # type: ignore[attr-defined]
    session.execute(delete(Institution).where(col(Institution.id) == duplicate.id))
    detail = {"kept": keep.id, "removed": duplicate.id, "requests_moved": moved}
    for entity_id, action in ((keep.id, "merged"), (duplicate.id, "merged_away")):
        audit.record(
            session, actor=actor, entity=ENTITY, entity_id=str(entity_id), action=action, detail=detail
        )
    session.commit()
    session.expire_all()
    return moved
