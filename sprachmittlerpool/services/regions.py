"""Bring a pool's municipalities in line with a checked region file, so a district goes live without a developer.

A municipality is matched by its id. Nothing is ever deleted: one that the new file no longer names is
retired (no longer offered, still shown on the requests and volunteers that name it), and one that comes
back is offered again. `plan` says what an import would change; `apply` changes it and audits it, so the
settings page and the command can both show the plan first.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from sqlmodel import Session, func, select

from sprachmittlerpool.models import InterpretingRequest, Municipality, Volunteer
from sprachmittlerpool.regions import DEFAULT_KIND, RegionEntry, slug
from sprachmittlerpool.services import audit

AUDIT_ENTITY = "pool"
AUDIT_ACTION = "region_import"
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Retirement:
    """A municipality the new file no longer names, and how many rows still refer to it."""

    id: str
    name: str
    requests: int
    volunteers: int


@dataclass(frozen=True)
class Update:
    """A municipality whose name, kind or centre the file changes; before and after."""

    before: RegionEntry
    after: RegionEntry


@dataclass
class ImportPlan:
    """What an import changes; empty lists mean the pool already matches the file."""

    added: list[RegionEntry] = field(default_factory=list)
    changed: list[Update] = field(default_factory=list)
    retired: list[Retirement] = field(default_factory=list)
    reactivated: list[RegionEntry] = field(default_factory=list)
    unchanged: int = 0

    @property
    def empty(self) -> bool:
        """Tell whether the import would change nothing."""
        return not (self.added or self.changed or self.retired or self.reactivated)

    def summary(self) -> str:
        """Say the counts in German, e.g. „3 neu, 1 geändert, 1 nicht mehr angeboten“."""
        if self.empty:
            return f"Keine Änderungen ({self.unchanged} unverändert)."
        parts = [
            f"{len(self.added)} neu",
            f"{len(self.changed)} geändert",
            f"{len(self.retired)} nicht mehr angeboten",
        ]
        if self.reactivated:
            parts.append(f"{len(self.reactivated)} wieder angeboten")
        return ", ".join(parts) + f", {self.unchanged} unverändert."

    def lines(self) -> list[str]:
        """Say each change in a German sentence, for the preview."""
        return (
            [f"Neu: {entry.name} ({entry.kind})" for entry in self.added]
            + [f"Wieder angeboten: {entry.name}" for entry in self.reactivated]
            + [_describe_update(update) for update in self.changed]
            + [_describe_retirement(retired) for retired in self.retired]
        )

    def fingerprint(self) -> str:
        """Return a short digest of the changes, so a confirmation applies exactly what the preview showed."""
        return hashlib.sha256("\n".join(self.lines()).encode("utf-8")).hexdigest()[:16]

    def detail(self, source: str) -> dict[str, object]:
        """Return the audit detail: the source and the ids per kind of change."""
        return {
            "source": source,
            "added": [entry.id for entry in self.added],
            "changed": [update.after.id for update in self.changed],
            "retired": [retired.id for retired in self.retired],
            "reactivated": [entry.id for entry in self.reactivated],
        }


def municipalities(session: Session, *, pool_id: int) -> list[Municipality]:
    """Return all of a pool's municipalities, active first, each group by name."""
    statement = select(Municipality).where(Municipality.pool_id == pool_id)
    rows = session.exec(statement).all()
    return sorted(rows, key=lambda row: (row.retired_at is not None, slug(row.name)))


def plan(session: Session, entries: Sequence[RegionEntry], *, pool_id: int) -> ImportPlan:
    """Compare a checked file with the pool's municipalities; change nothing."""
    existing = {
        row.id: row for row in session.exec(select(Municipality).where(Municipality.pool_id == pool_id))
    }
    result = ImportPlan()
    for entry in _with_kinds(entries, existing):
        row = existing.get(entry.id)
        if row is None:
            result.added.append(entry)
            continue
        before = _entry_of(row)
        if row.retired_at is not None:
            result.reactivated.append(entry)
        if before != entry:
            result.changed.append(Update(before, entry))
        elif row.retired_at is None:
            result.unchanged += 1
    named = {entry.id for entry in entries}
    for row in existing.values():
        if row.id not in named and row.retired_at is None:
            requests, volunteers = _references(session, pool_id, row.id)
            result.retired.append(Retirement(row.id, row.name, requests, volunteers))
    result.retired.sort(key=lambda retired: slug(retired.name))
    return result


def apply(
    session: Session,
    entries: Sequence[RegionEntry],
    *,
    pool_id: int,
    now: datetime,
    actor: str,
    source: str,
    progress: Progress | None = None,
) -> ImportPlan:
    """Import a checked file into the pool (add, update, retire, offer again), audit it and commit."""
    result = plan(session, entries, pool_id=pool_id)
    existing = {
        row.id: row for row in session.exec(select(Municipality).where(Municipality.pool_id == pool_id))
    }
    for done, entry in enumerate(_with_kinds(entries, existing), 1):
        row = existing.get(entry.id)
        if row is None:
            session.add(Municipality(pool_id=pool_id, **_values(entry)))
        elif _entry_of(row) != entry or row.retired_at is not None:
            row.name, row.kind, row.lat, row.lon, row.retired_at = (
                entry.name,
                entry.kind,
                entry.lat,
                entry.lon,
                None,
            )
            session.add(row)
        if progress:
            progress(done, len(entries))
    for retired in result.retired:
        existing[retired.id].retired_at = now
        session.add(existing[retired.id])
    audit.record(
        session,
        actor=actor,
        entity=AUDIT_ENTITY,
        entity_id=str(pool_id),
        action=AUDIT_ACTION,
        detail=result.detail(source) | {"summary": result.summary()},
    )
    session.commit()
    return result


def describe_import(detail: dict) -> str:
    """Say an audited import in German for the history."""
    source = str(detail.get("source", ""))
    return f"Gemeinden eingelesen aus „{source}“: {detail.get('summary', '')}"


def _with_kinds(entries: Sequence[RegionEntry], existing: dict[str, Municipality]) -> list[RegionEntry]:
    """Fill in a kind the file left open: the town's current kind, or Gemeinde for a new town."""
    return [
        entry
        if entry.kind
        else replace(entry, kind=row.kind if (row := existing.get(entry.id)) else DEFAULT_KIND)
        for entry in entries
    ]


def _values(entry: RegionEntry) -> dict[str, object]:
    return {"id": entry.id, "name": entry.name, "kind": entry.kind, "lat": entry.lat, "lon": entry.lon}


def _entry_of(row: Municipality) -> RegionEntry:
    return RegionEntry(row.id, row.name, row.kind, row.lat, row.lon)


def _references(session: Session, pool_id: int, municipality_id: str) -> tuple[int, int]:
    """Count the requests and volunteers that name a municipality."""
    requests = session.exec(
        select(func.count())
        .select_from(InterpretingRequest)
        .where(InterpretingRequest.pool_id == pool_id, InterpretingRequest.municipality_id == municipality_id)
    ).one()
    volunteers = session.exec(
        select(func.count())
        .select_from(Volunteer)
        .where(Volunteer.pool_id == pool_id, Volunteer.home_id == municipality_id)
    ).one()
    return requests, volunteers


def _describe_update(update: Update) -> str:
    before, after = update.before, update.after
    changes = []
    if before.name != after.name:
        changes.append(f"Name „{before.name}“ → „{after.name}“")
    if before.kind != after.kind:
        changes.append(f"Art {before.kind} → {after.kind}")
    if (before.lat, before.lon) != (after.lat, after.lon):
        changes.append(f"Mittelpunkt {_point(before)} → {_point(after)}")
    return f"Geändert: {after.name}: " + "; ".join(changes)


def _point(entry: RegionEntry) -> str:
    return f"{entry.lat:.4f} / {entry.lon:.4f}".replace(".", ",")


def _describe_retirement(retired: Retirement) -> str:
    uses = []
    if retired.requests:
        uses.append("1 Anfrage" if retired.requests == 1 else f"{retired.requests} Anfragen")
    if retired.volunteers:
        uses.append(f"{retired.volunteers} Sprachmittelnden")  # dative, the same for one and many
    kept = f" (bleibt bei {' und '.join(uses)} sichtbar)" if uses else ""
    return f"Nicht mehr angeboten: {retired.name}{kept}"
