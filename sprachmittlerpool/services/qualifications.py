"""What volunteers have shown (training, confidentiality, clearance …), what each institution type requires,
and which ways of interpreting (in person, phone, video) the pool brokers.

The matching engine enforces both as hard rules (matching.md, rules 8 and 9); this module keeps the rows and
the pool's settings and turns them into the engine's words (`requires`, `qualifications`, `remote`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlmodel import Session, col, select

from matching.eligibility import INSTITUTION_TYPES
from sprachmittlerpool.models import (
    InterpretingRequest,
    Pool,
    Qualification,
    QualificationKind,
    RequestMode,
    Volunteer,
)
from sprachmittlerpool.services.audit import record

KIND_LABELS: dict[str, str] = {
    QualificationKind.TRAINED: "Grundschulung",
    QualificationKind.CONFIDENTIALITY: "Verschwiegenheitserklärung",
    QualificationKind.CLEARANCE: "Erweitertes Führungszeugnis",
    QualificationKind.EXCHANGE: "Austauschtreffen",
}
MODE_LABELS: dict[str, str] = {
    RequestMode.IN_PERSON: "vor Ort",
    RequestMode.PHONE: "am Telefon",
    RequestMode.VIDEO: "per Video",
    RequestMode.WRITTEN: "schriftliche Übersetzung",
}
REMOTE_MODES = (RequestMode.PHONE, RequestMode.VIDEO)
ALL_TYPES = "all"


class InvalidQualification(ValueError):
    """Dates that do not fit together; `fields` maps each form field to a German message."""

    def __init__(self, fields: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in fields.items()))
        self.fields = fields


@dataclass(frozen=True)
class Entry:
    """One qualification as the form gives it: both dates empty means the volunteer does not hold it."""

    issued_on: date | None = None
    valid_until: date | None = None

    @property
    def held(self) -> bool:
        return self.issued_on is not None or self.valid_until is not None


def required_for(pool: Pool, institution_type: str) -> list[str]:
    """Return the qualifications a request of this institution type needs in this pool, in kind order."""
    rules = pool.required_qualifications
    wanted = set(rules.get(ALL_TYPES, [])) | set(rules.get(institution_type, []))
    return [kind.value for kind in QualificationKind if kind.value in wanted]


def brokered_modes(pool: Pool) -> list[str]:
    """Return the modes the pool takes requests for: always in person; phone, video, written if the pool says so."""
    remote = [m.value for m in REMOTE_MODES if m.value in pool.remote_modes]
    return [
        RequestMode.IN_PERSON.value,
        *remote,
        *([RequestMode.WRITTEN.value] if pool.brokers_written else []),
    ]


def place_words(request: InterpretingRequest, municipality_name: str) -> str:
    """Say where the appointment is: the address, or for a call how it comes about and where the institution is."""
    if request.mode == RequestMode.IN_PERSON:
        return f"{request.address}, {municipality_name}"
    return f"{call_words(request)}, Einrichtung in {municipality_name}"


def due_words(request: InterpretingRequest) -> str:
    """Say when a written translation is due: 'Abgabe bis 03.12.2026'."""
    return f"Abgabe bis {request.start:%d.%m.%Y}"


def written_words(request: InterpretingRequest) -> str:
    """Say what a written translation is: 'schriftliche Übersetzung, etwa 3 Seiten, Abgabe bis 03.12.2026'."""
    pages = f"etwa {request.pages} {'Seite' if request.pages == 1 else 'Seiten'}, " if request.pages else ""
    return f"{MODE_LABELS[RequestMode.WRITTEN]}, {pages}{due_words(request)}"


def call_words(request: InterpretingRequest) -> str:
    """Say how a phone or video appointment comes about: 'am Telefon (Wir rufen an …)'.

    For a written translation, which has no call: what it is and when it is due.
    """
    if request.mode == RequestMode.WRITTEN:
        return written_words(request)
    return f"{MODE_LABELS[request.mode]} ({request.call_details})"


def qualifications_of(session: Session, volunteer_id: int) -> dict[str, Qualification]:
    """Return a volunteer's qualification rows by kind."""
    rows = session.exec(select(Qualification).where(Qualification.volunteer_id == volunteer_id)).all()
    return {row.kind: row for row in rows}


def engine_qualifications(
    session: Session, volunteer_ids: Iterable[int | None]
) -> dict[int, dict[str, str | None]]:
    """Return, per volunteer, {kind: last valid day (ISO) or None} as the engine reads it."""
    found: dict[int, dict[str, str | None]] = defaultdict(dict)
    rows = session.exec(select(Qualification).where(col(Qualification.volunteer_id).in_(list(volunteer_ids))))
    for row in rows:
        found[row.volunteer_id][row.kind] = row.valid_until.isoformat() if row.valid_until else None
    return found


def save_qualifications(
    session: Session,
    volunteer: Volunteer,
    *,
    remote: bool,
    entries: Mapping[str, Entry],
    actor: str,
    written: bool | None = None,
) -> None:
    """Store the remote and written flags and every kind's dates (an empty entry removes the kind).

    What changed is audited, then committed; ``written=None`` keeps the volunteer's choice.
    """
    problems = {
        f"{kind}_valid_until": "„Gültig bis“ darf nicht vor dem Ausstellungsdatum liegen."
        for kind, entry in entries.items()
        if entry.issued_on and entry.valid_until and entry.valid_until < entry.issued_on
    }
    if problems:
        raise InvalidQualification(problems)
    changed = replace_qualifications(session, volunteer, entries)
    if volunteer.remote != remote:
        volunteer.remote = remote
        session.add(volunteer)
        changed.append("remote")
    if written is not None and volunteer.written != written:
        volunteer.written = written
        session.add(volunteer)
        changed.append("written")
    if changed:
        # the dates stay on the rows, which erasure deletes; the trail names only what changed
        record(
            session,
            actor=actor,
            entity="volunteer",
            entity_id=str(volunteer.id),
            action="qualifications_changed",
            detail={"changed": changed},
        )
    session.commit()


def replace_qualifications(session: Session, volunteer: Volunteer, entries: Mapping[str, Entry]) -> list[str]:
    """Make the volunteer's rows match `entries` (a missing kind is removed) in the caller's transaction.

    Rows are changed in place, not replaced, so a row whose end date stays keeps the mark that its expiry
    reminder went out. Returns the kinds that changed.
    """
    assert volunteer.id is not None
    rows = qualifications_of(session, volunteer.id)
    changed = []
    for kind in QualificationKind:
        entry, row = entries.get(kind.value, Entry()), rows.get(kind.value)
        if not entry.held:
            if row is not None:
                session.delete(row)
                changed.append(kind.value)
            continue
        row = row or Qualification(pool_id=volunteer.pool_id, volunteer_id=volunteer.id, kind=kind.value)
        if (row.issued_on, row.valid_until) != (entry.issued_on, entry.valid_until) or row.id is None:
            row.issued_on, row.valid_until = entry.issued_on, entry.valid_until
            session.add(row)
            changed.append(kind.value)
    return changed


SETTINGS_ACTION = "matching_settings_changed"


def save_pool_settings(
    session: Session,
    pool: Pool,
    *,
    remote_modes: Iterable[str],
    required: Mapping[str, Iterable[str]],
    actor: str,
    notice_weeks: int | None = None,
    brokers_written: bool | None = None,
) -> bool:
    """Store which calls (and written translations) the pool brokers, what each institution type requires and
    how many weeks ahead a clearance's end is announced; audit and commit a change.

    ``notice_weeks=None`` and ``brokers_written=None`` keep the pool's choice.

    ``required`` maps ``"all"`` or an institution type to qualification kinds. Returns whether anything changed.
    """
    kinds = [kind.value for kind in QualificationKind]
    modes = [mode.value for mode in REMOTE_MODES if mode.value in set(remote_modes)]
    wanted = {
        key: [kind for kind in kinds if kind in set(values)]
        for key, values in required.items()
        if key == ALL_TYPES or key in INSTITUTION_TYPES
    }
    wanted = {key: values for key, values in wanted.items() if values}
    weeks = pool.clearance_notice_weeks if notice_weeks is None else notice_weeks
    written = pool.brokers_written if brokers_written is None else brokers_written
    before = {
        "remote_modes": list(pool.remote_modes),
        "required": dict(pool.required_qualifications),
        "clearance_notice_weeks": pool.clearance_notice_weeks,
        "brokers_written": pool.brokers_written,
    }
    after = {
        "remote_modes": modes,
        "required": wanted,
        "clearance_notice_weeks": weeks,
        "brokers_written": written,
    }
    if before == after:
        return False
    pool.remote_modes, pool.required_qualifications = modes, wanted
    pool.clearance_notice_weeks = weeks
    pool.brokers_written = written
    session.add(pool)
    record(
        session,
        actor=actor,
        entity="pool",
        entity_id=str(pool.id),
        action=SETTINGS_ACTION,
        detail={"before": before, "after": after},
    )
    session.commit()
    return True


def describe_settings_change(_action: str, detail: Mapping[str, Any]) -> str:
    """Word a change of the settings for the history: what the pool brokers and requires afterwards."""
    after = detail.get("after", {})
    modes = ", ".join(MODE_LABELS.get(mode, mode) for mode in after.get("remote_modes", [])) or "keine"
    rules = "; ".join(
        f"{'alle' if key == ALL_TYPES else INSTITUTION_TYPES.get(key, key)}: "
        + ", ".join(KIND_LABELS.get(kind, kind) for kind in kinds)
        for key, kinds in after.get("required", {}).items()
    )
    weeks = after.get("clearance_notice_weeks")
    notice = f" Ablaufende Führungszeugnisse {weeks} Wochen vorher ankündigen." if weeks else ""
    written = ""
    if "brokers_written" in after:  # older entries predate the setting
        written = f" Schriftliche Übersetzungen: {'werden vermittelt' if after['brokers_written'] else 'werden abgelehnt'}."
    return f"Telefon/Video: {modes}. Verlangte Nachweise – {rules or 'keine'}.{notice}{written}"
