"""Managing volunteers: create, change, absences, import; each function owns its transaction.

The IBAN is encrypted with the row id as associated data, so it is set after the row has its id;
audit rows name the changed fields, never their values, so no IBAN reaches the audit trail.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, time
from typing import Any

from flask import current_app
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from sprachmittlerpool.ibans import encrypt_iban, mask_iban, parse_key
from sprachmittlerpool.models import (
    Absence,
    Availability,
    Language,
    Municipality,
    QualificationKind,
    Volunteer,
    VolunteerLanguage,
    local_now,
)
from sprachmittlerpool.services.audit import record
from sprachmittlerpool.services.qualifications import Entry, qualifications_of, replace_qualifications
from sprachmittlerpool.services.volunteer_availability import withdraw_offers_of
from sprachmittlerpool.volunteer_import import Catalog, VolunteerData

Progress = Callable[[int, int], None]


class DuplicateEmail(Exception):
    """Another volunteer already has this e-mail address."""


class InvalidAbsence(ValueError):
    """The absence's dates are not in order; German message."""


def load_catalog(session: Session, *, pool_id: int) -> Catalog:
    """Return the languages and municipalities a volunteer of the pool may name."""
    languages = {
        row.code: row.name_de for row in session.exec(select(Language).where(Language.pool_id == pool_id))
    }
    municipalities = {
        row.id: row.name for row in session.exec(select(Municipality).where(Municipality.pool_id == pool_id))
    }
    return Catalog(languages=languages, municipalities=municipalities)


def existing_emails(session: Session, *, pool_id: int) -> set[str]:
    """Return the e-mail address of every volunteer of the pool, lower-cased."""
    query = select(Volunteer.email).where(Volunteer.pool_id == pool_id)
    return {email.lower() for email in session.exec(query).all()}


def email_taken(session: Session, email: str, *, pool_id: int, except_id: int | None = None) -> bool:
    """Say whether another volunteer of the pool has this address (case-insensitive)."""
    query = select(Volunteer.id).where(
        Volunteer.pool_id == pool_id, func.lower(Volunteer.email) == email.lower()
    )
    if except_id is not None:
        query = query.where(col(Volunteer.id) != except_id)
    return session.exec(query).first() is not None


def _iban_key() -> bytes:
    return parse_key(current_app.config["IBAN_KEY"])


def _set_iban(volunteer: Volunteer, iban: str | None) -> None:
    """Store the IBAN encrypted for this row and masked for display, or remove it."""
    if iban is None:
        volunteer.iban_encrypted = None
        volunteer.iban_masked = None
        return
    volunteer.iban_encrypted = encrypt_iban(iban, key=_iban_key(), row_id=str(volunteer.id))
    volunteer.iban_masked = mask_iban(iban)


def _replace_languages(session: Session, volunteer: Volunteer, codes: list[str]) -> None:
    query = select(VolunteerLanguage).where(VolunteerLanguage.volunteer_id == volunteer.id)
    for row in session.exec(query):
        session.delete(row)
    session.flush()
    for code in codes:
        session.add(
            VolunteerLanguage(pool_id=volunteer.pool_id, volunteer_id=volunteer.id, language_code=code)
        )


def _replace_availability(session: Session, volunteer_id: int, windows: list[tuple[int, time, time]]) -> None:
    for row in session.exec(select(Availability).where(Availability.volunteer_id == volunteer_id)):
        session.delete(row)
    session.flush()
    for weekday, start, end in windows:
        session.add(Availability(volunteer_id=volunteer_id, weekday=weekday, start=start, end=end))


def _add(session: Session, data: VolunteerData, *, pool_id: int, actor: str, source: str) -> Volunteer:
    """Add one volunteer to the caller's transaction."""
    volunteer = Volunteer(
        pool_id=pool_id,
        name=data.name,
        email=data.email,
        phone=data.phone,
        gender=data.gender,
        home_id=data.home,
        max_distance_km=data.max_distance_km,
        max_per_week=data.max_per_week,
        remote=data.remote,
    )
    session.add(volunteer)
    session.flush()
    assert volunteer.id is not None
    _set_iban(volunteer, data.iban)
    _replace_languages(session, volunteer, data.languages)
    _replace_availability(session, volunteer.id, data.availability)
    replace_qualifications(session, volunteer, _entries(data.qualifications))
    record(
        session,
        actor=actor,
        entity="volunteer",
        entity_id=str(volunteer.id),
        action="created",
        to_state="active",
        detail={"source": source, "iban": data.iban is not None},
    )
    return volunteer


def _entries(dates: dict[str, tuple[date | None, date | None]]) -> dict[str, Entry]:
    return {kind: Entry(issued_on, valid_until) for kind, (issued_on, valid_until) in dates.items()}


def create_volunteer(session: Session, data: VolunteerData, *, pool_id: int, actor: str) -> Volunteer:
    """Add a volunteer with languages, availability and IBAN to a pool, and commit."""
    if email_taken(session, data.email, pool_id=pool_id):
        raise DuplicateEmail(data.email)
    try:
        volunteer = _add(session, data, pool_id=pool_id, actor=actor, source="form")
        session.commit()
    except IntegrityError:
        session.rollback()
        raise DuplicateEmail(data.email) from None
    return volunteer


def update_volunteer(
    session: Session, volunteer: Volunteer, changes: dict[str, Any], *, actor: str
) -> Volunteer:
    """Apply checked changes (languages and availability replace the old ones), and commit."""
    assert volunteer.id is not None
    if "email" in changes and email_taken(
        session, changes["email"], pool_id=volunteer.pool_id, except_id=volunteer.id
    ):
        raise DuplicateEmail(changes["email"])
    simple = {"name": "name", "email": "email", "phone": "phone", "gender": "gender", "home": "home_id"}
    simple |= {"max_distance_km": "max_distance_km", "max_per_week": "max_per_week", "active": "active"}
    simple |= {"remote": "remote"}
    deactivated = volunteer.active and changes.get("active") is False
    for field, attribute in simple.items():
        if field in changes:
            setattr(volunteer, attribute, changes[field])
    if deactivated:
        withdraw_offers_of(session, volunteer.id, now=local_now(), actor=actor, reason="deaktiviert")
    if "iban" in changes:
        _set_iban(volunteer, changes["iban"])
    if "languages" in changes:
        _replace_languages(session, volunteer, changes["languages"])
    if "availability" in changes:
        _replace_availability(session, volunteer.id, changes["availability"])
    if "qualifications" in changes:
        replace_qualifications(session, volunteer, _entries(changes["qualifications"]))
    session.add(volunteer)
    record(
        session,
        actor=actor,
        entity="volunteer",
        entity_id=str(volunteer.id),
        action="updated",
        detail={"fields": sorted(changes)},
    )
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise DuplicateEmail(str(changes.get("email", ""))) from None
    return volunteer


def add_absence(
    session: Session, volunteer: Volunteer, *, start: date, end: date, actor: str, reason: str = "abwesend"
) -> Absence:
    """Record days a volunteer is away (both ends inclusive), and commit.

    Pending offers on those days are withdrawn with `reason` ("abwesend", or "pause" when the volunteer
    said they take nothing until a day), which the coordinator's offers page shows.
    """
    if end < start:
        raise InvalidAbsence("Das Ende darf nicht vor dem Beginn liegen.")
    absence = Absence(volunteer_id=volunteer.id, start=start, end=end)
    session.add(absence)
    session.flush()
    record(
        session,
        actor=actor,
        entity="volunteer",
        entity_id=str(volunteer.id),
        action="absence_added",
        # The days stay on the absence row, which erasure deletes; the append-only trail keeps only the id.
        detail={"absence": absence.id},
    )
    withdraw_offers_of(session, volunteer.id, now=local_now(), actor=actor, reason=reason, days=(start, end))
    session.commit()
    return absence


def delete_absence(session: Session, absence: Absence, *, actor: str) -> None:
    """Remove a recorded absence, and commit."""
    record(
        session,
        actor=actor,
        entity="volunteer",
        entity_id=str(absence.volunteer_id),
        action="absence_removed",
        detail={"absence": absence.id},
    )
    session.delete(absence)
    session.commit()


def import_volunteers(
    session: Session,
    records: list[VolunteerData],
    *,
    pool_id: int,
    actor: str,
    progress: Progress | None = None,
) -> int:
    """Add all checked rows to a pool in one transaction (all or nothing), and commit."""
    taken = existing_emails(session, pool_id=pool_id)
    clashes = [data.email for data in records if data.email in taken]
    if clashes:
        raise DuplicateEmail(", ".join(clashes))
    try:
        for index, data in enumerate(records):
            _add(session, data, pool_id=pool_id, actor=actor, source="import")
            if progress is not None:
                progress(index + 1, len(records))
        record(
            session,
            actor=actor,
            entity="volunteer",
            entity_id="*",
            action="imported",
            detail={"rows": len(records)},
        )
        session.commit()
    except IntegrityError:
        session.rollback()
        raise DuplicateEmail("") from None
    return len(records)


# ---------------------------------------------------------------- reading


def languages_of(session: Session, volunteer_id: int) -> list[str]:
    """Return the volunteer's language codes, sorted."""
    query = select(VolunteerLanguage.language_code).where(VolunteerLanguage.volunteer_id == volunteer_id)
    return sorted(session.exec(query).all())


def availability_of(session: Session, volunteer_id: int) -> list[tuple[int, time, time]]:
    """Return the volunteer's weekly windows in order."""
    rows = session.exec(select(Availability).where(Availability.volunteer_id == volunteer_id)).all()
    return sorted((row.weekday, row.start, row.end) for row in rows)


def absences_of(session: Session, volunteer_id: int) -> list[Absence]:
    """Return the volunteer's absences by start date."""
    query = select(Absence).where(Absence.volunteer_id == volunteer_id).order_by(col(Absence.start))
    return list(session.exec(query).all())


def list_volunteers(session: Session, *, pool_id: int) -> list[Volunteer]:
    """Return the pool's volunteers, active first, then by name."""
    query = (
        select(Volunteer)
        .where(Volunteer.pool_id == pool_id)
        .order_by(col(Volunteer.active).desc(), col(Volunteer.name), col(Volunteer.id))
    )
    return list(session.exec(query).all())


def qualifications_out(session: Session, volunteer_id: int) -> list[dict[str, str | None]]:
    """Return the volunteer's qualifications as the API shows them, in the order of the kinds."""
    rows = qualifications_of(session, volunteer_id)
    return [
        {
            "kind": kind.value,
            "date": row.issued_on.isoformat() if row.issued_on else None,
            "valid_until": row.valid_until.isoformat() if row.valid_until else None,
        }
        for kind in QualificationKind
        if (row := rows.get(kind.value)) is not None
    ]


def describe(session: Session, volunteer: Volunteer) -> dict[str, Any]:
    """Return the API's view of a volunteer; the IBAN only masked."""
    assert volunteer.id is not None
    return {
        "id": str(volunteer.id),
        "name": volunteer.name,
        "email": volunteer.email,
        "phone": volunteer.phone,
        "gender": volunteer.gender,
        "home": volunteer.home_id,
        "max_distance_km": volunteer.max_distance_km,
        "max_per_week": volunteer.max_per_week,
        "languages": languages_of(session, volunteer.id),
        "availability": [
            {"weekday": d, "start": f"{s:%H:%M}", "end": f"{e:%H:%M}"}
            for d, s, e in availability_of(session, volunteer.id)
        ],
        "absences": [
            {"id": str(a.id), "start": a.start.isoformat(), "end": a.end.isoformat()}
            for a in absences_of(session, volunteer.id)
        ],
        "iban": volunteer.iban_masked,
        "remote": volunteer.remote,
        "qualifications": qualifications_out(session, volunteer.id),
        "active": volunteer.active,
        "anonymised": volunteer.anonymised_at is not None,
        "created_at": f"{volunteer.created_at:%Y-%m-%dT%H:%M}",
    }


def describe_all(session: Session, *, pool_id: int) -> list[dict[str, Any]]:
    """Return every volunteer of the pool as the API shows them, in list order."""
    return [describe(session, volunteer) for volunteer in list_volunteers(session, pool_id=pool_id)]


def today() -> date:
    """Return today's local date."""
    return local_now().date()
