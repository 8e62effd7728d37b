"""Coordinator page for what a volunteer has shown (training, confidentiality, clearance, exchange meetings)
and whether the volunteer takes phone and video requests; matching reads both as hard rules."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from matching.eligibility import INSTITUTION_TYPES
from sprachmittlerpool.coordination import bp
from sprachmittlerpool.db import get_session
from sprachmittlerpool.models import Pool, QualificationKind, Volunteer, local_now
from sprachmittlerpool.pools import current_pool_id, get_in_pool
from sprachmittlerpool.services import clearance_expiry
from sprachmittlerpool.services import qualifications as service
from sprachmittlerpool.volunteer_import import parse_date

DATE_FIELDS = ("issued_on", "valid_until")


def _load(volunteer_id: int) -> Volunteer:
    volunteer = get_in_pool(get_session(), Volunteer, volunteer_id)
    if volunteer is None or volunteer.anonymised_at is not None:
        abort(404)
    return volunteer


def _entries(form: MultiDict) -> tuple[dict[str, service.Entry], dict[str, str]]:
    """Read each kind's two dates; an empty field is no date."""
    entries: dict[str, service.Entry] = {}
    errors: dict[str, str] = {}
    for kind in QualificationKind:
        dates = {}
        for field in DATE_FIELDS:
            name = f"{kind.value}_{field}"
            text = form.get(name, "").strip()
            try:
                dates[field] = parse_date(text) if text else None
            except ValueError as error:
                errors[name] = str(error)
        entries[kind.value] = service.Entry(dates.get("issued_on"), dates.get("valid_until"))
    return entries, errors


def _render(volunteer: Volunteer, form: MultiDict | None = None, errors: dict[str, str] | None = None):
    assert volunteer.id is not None
    if form is None:
        rows = service.qualifications_of(get_session(), volunteer.id)
        form = MultiDict([("remote", "1")] if volunteer.remote else [])
        if volunteer.written:
            form.add("written", "1")
        for kind, row in rows.items():
            for field in DATE_FIELDS:
                value = getattr(row, field)
                form.add(f"{kind}_{field}", value.isoformat() if value else "")
    pool = get_session().get(Pool, volunteer.pool_id)
    assert pool is not None
    page = render_template(
        "coordination/volunteer_qualifications.html",
        volunteer=volunteer,
        values=form,
        errors=errors or {},
        kinds=service.KIND_LABELS,
        required_by=_required_by(pool),
        today=local_now().date(),
    )
    return page, 422 if errors else 200


def _required_by(pool: Pool) -> dict[str, list[str]]:
    """Name, per kind, the institution types whose requests need it in this pool."""
    found: dict[str, list[str]] = {kind.value: [] for kind in QualificationKind}
    for type_, label in INSTITUTION_TYPES.items():
        for kind in service.required_for(pool, type_):
            found[kind].append(label)
    return {
        kind: ["alle"] if len(labels) == len(INSTITUTION_TYPES) else labels for kind, labels in found.items()
    }


@bp.get("/sprachmittelnde/nachweise-ablauf")
def expiring_clearances():
    """List the police clearances that have run out or run out within the notice period, soonest first."""
    db = get_session()
    today = local_now().date()
    items = clearance_expiry.expiring(db, pool_id=current_pool_id(db), today=today)
    return render_template(
        "coordination/clearance_expiry.html",
        expired=[item for item in items if item.expired],
        ending=[item for item in items if not item.expired],
        weeks=clearance_expiry.notice_weeks(db, current_pool_id(db)),
        today=today,
    )


@bp.get("/sprachmittelnde/<int:volunteer_id>/qualifikationen")
def volunteer_qualifications(volunteer_id: int):
    """Show the volunteer's qualifications with their dates, and the phone/video choice, as one form."""
    return _render(_load(volunteer_id))


@bp.post("/sprachmittelnde/<int:volunteer_id>/qualifikationen")
def volunteer_qualifications_save(volunteer_id: int) -> Response | tuple[str, int]:
    """Save the dates and the phone/video choice; emptying both dates of a kind removes it."""
    volunteer = _load(volunteer_id)
    entries, errors = _entries(request.form)
    if errors:
        return _render(volunteer, request.form, errors)
    try:
        service.save_qualifications(
            get_session(),
            volunteer,
            remote=bool(request.form.get("remote")),
            written=bool(request.form.get("written")),
            entries=entries,
            actor=f"user:{current_user.id}",
        )
    except service.InvalidQualification as invalid:
        return _render(volunteer, request.form, invalid.fields)
    flash(
        "Die Nachweise wurden gespeichert. Sie gelten ab der nächsten Berechnung der Vorschläge.", "success"
    )
    return redirect(url_for("coordination.volunteer_qualifications", volunteer_id=volunteer_id))
