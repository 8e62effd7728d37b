"""Coordinator pages for volunteers: list, add, edit (IBAN shown masked only), absences, import, GDPR."""

from __future__ import annotations

import json
from typing import Any

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from sprachmittlerpool.confirmation import Confirmation, confirmation_page, confirmed
from sprachmittlerpool.coordination import bp
from sprachmittlerpool.db import get_session
from sprachmittlerpool.german import money
from sprachmittlerpool.models import Absence, Volunteer, local_now
from sprachmittlerpool.pools import current_pool_id, get_in_pool
from sprachmittlerpool.services import clearance_expiry, privacy, volunteer_history, volunteer_search
from sprachmittlerpool.services import volunteers as service
from sprachmittlerpool.volunteer_import import (
    Catalog,
    ImportFileError,
    VolunteerData,
    check_api_fields,
    check_rows,
    format_availability,
    parse_availability,
    parse_date,
    parse_number,
    read_table,
)

GENDER_LABELS = {"": "keine Angabe", "f": "weiblich", "m": "männlich", "d": "divers"}


def _actor() -> str:
    return f"user:{current_user.id}"


def _load(volunteer_id: int) -> Volunteer:
    return get_in_pool(get_session(), Volunteer, volunteer_id) or abort(404)


def form_fields(form: MultiDict, catalog: Catalog, *, new: bool) -> tuple[dict[str, Any], dict[str, str]]:
    """Turn the volunteer form into checked values, with German messages per field."""
    raw: dict[str, Any] = {
        "name": form.get("name", ""),
        "email": form.get("email", ""),
        "phone": form.get("phone", ""),
        "gender": form.get("gender") or None,
        "home": form.get("home", ""),
        "languages": form.getlist("languages"),
    }
    errors: dict[str, str] = {}
    for name, integer, default in (("max_distance_km", False, 25.0), ("max_per_week", True, 3)):
        try:
            number = parse_number(form.get(name, ""), what="Wert", integer=integer, default=default)
            raw[name] = int(number) if integer else number
        except ValueError as error:
            errors[name] = str(error)
    if form.get("iban_remove"):
        raw["iban"] = None
    elif form.get("iban", "").strip():
        raw["iban"] = form["iban"]
    if not new:
        raw["active"] = bool(form.get("active"))
    clean, field_errors = check_api_fields(raw, catalog, partial=False)
    errors |= field_errors
    try:
        clean["availability"] = parse_availability(form.get("availability", ""))
    except ValueError as error:
        errors["availability"] = str(error)
    return clean, errors


def _render_form(
    volunteer: Volunteer | None, form: MultiDict | None = None, errors: dict[str, str] | None = None
):
    db = get_session()
    catalog = service.load_catalog(db, pool_id=current_pool_id(db))
    values: MultiDict = form if form is not None else MultiDict()
    if form is None and volunteer is not None and volunteer.id is not None:
        values = MultiDict(
            [("name", volunteer.name), ("email", volunteer.email), ("phone", volunteer.phone)]
            + [("gender", volunteer.gender or ""), ("home", volunteer.home_id)]
            + [
                ("max_distance_km", f"{volunteer.max_distance_km:g}"),
                ("max_per_week", str(volunteer.max_per_week)),
            ]
            + [("availability", format_availability(service.availability_of(db, volunteer.id)))]
            + [("languages", code) for code in service.languages_of(db, volunteer.id)]
            + ([("active", "1")] if volunteer.active else [])
        )
    status = 422 if errors else 200
    now = local_now()
    absences, history, expired = [], None, []
    if volunteer is not None and volunteer.id is not None:
        absences = service.absences_of(db, volunteer.id)
        expired = clearance_expiry.expired_of(db, volunteer_id=volunteer.id, today=now.date())
        history = volunteer_history.history_of(
            db, pool_id=current_pool_id(db), volunteer_id=volunteer.id, now=now
        )
    page = render_template(
        "coordination/volunteer_form.html",
        volunteer=volunteer,
        values=values,
        errors=errors or {},
        catalog=catalog,
        genders=GENDER_LABELS,
        absences=absences,
        expired=expired,
        history=history,
        declines_shown=volunteer_history.DECLINES_SHOWN,
        money=money,
        today=now.date(),
    )
    return page, status


@bp.get("/sprachmittelnde")
def volunteer_list():
    """List the pool's volunteers found by the query string's search, filters and sort, in pages."""
    db = get_session()
    pool_id = current_pool_id(db)
    wanted, problems = volunteer_search.parse_filter(request.args)
    today = local_now().date()
    return render_template(
        "coordination/volunteers.html",
        found=volunteer_search.find_volunteers(db, pool_id=pool_id, wanted=wanted, today=today),
        year=today.year,
        wanted=wanted,
        args=wanted.query_args(),
        problems=problems,
        catalog=service.load_catalog(db, pool_id=pool_id),
        sorts=volunteer_search.SORTS,
        states=(volunteer_search.ACTIVE, volunteer_search.INACTIVE),
    )


@bp.get("/sprachmittelnde/neu")
def volunteer_new():
    """Show the empty form for a new volunteer."""
    return _render_form(None)


@bp.post("/sprachmittelnde/neu")
def volunteer_create():
    """Add a volunteer from the form."""
    db = get_session()
    clean, errors = form_fields(request.form, service.load_catalog(db, pool_id=current_pool_id(db)), new=True)
    if errors:
        return _render_form(None, request.form, errors)
    try:
        volunteer = service.create_volunteer(
            db, VolunteerData(**clean), pool_id=current_pool_id(db), actor=_actor()
        )
    except service.DuplicateEmail:
        return _render_form(None, request.form, {"email": "Diese E-Mail-Adresse ist schon vergeben."})
    flash(f"{volunteer.name} wurde angelegt.", "success")
    return redirect(url_for("coordination.volunteer_detail", volunteer_id=volunteer.id))


@bp.get("/sprachmittelnde/<int:volunteer_id>")
def volunteer_detail(volunteer_id: int):
    """Show a volunteer's assignments, declines, year's allowance and absences, then the data as an editable form."""
    return _render_form(_load(volunteer_id))


@bp.post("/sprachmittelnde/<int:volunteer_id>")
def volunteer_update(volunteer_id: int):
    """Save the changed form; an empty IBAN field keeps the stored IBAN."""
    db = get_session()
    volunteer = _load(volunteer_id)
    if volunteer.anonymised_at is not None:
        abort(409)
    clean, errors = form_fields(
        request.form, service.load_catalog(db, pool_id=current_pool_id(db)), new=False
    )
    if errors:
        return _render_form(volunteer, request.form, errors)
    try:
        service.update_volunteer(db, volunteer, clean, actor=_actor())
    except service.DuplicateEmail:
        return _render_form(volunteer, request.form, {"email": "Diese E-Mail-Adresse ist schon vergeben."})
    flash("Die Angaben wurden gespeichert.", "success")
    return redirect(url_for("coordination.volunteer_detail", volunteer_id=volunteer_id))


@bp.post("/sprachmittelnde/<int:volunteer_id>/abwesenheiten")
def volunteer_add_absence(volunteer_id: int) -> Response:
    """Record days the volunteer is away."""
    volunteer = _load(volunteer_id)
    try:
        start, end = parse_date(request.form.get("start")), parse_date(request.form.get("end"))
        service.add_absence(get_session(), volunteer, start=start, end=end, actor=_actor())
        flash("Die Abwesenheit wurde eingetragen.", "success")
    except ValueError as error:
        flash(f"Abwesenheit nicht eingetragen: {error}", "error")
    return redirect(url_for("coordination.volunteer_detail", volunteer_id=volunteer_id))


@bp.post("/sprachmittelnde/<int:volunteer_id>/abwesenheiten/<int:absence_id>/loeschen")
def volunteer_delete_absence(volunteer_id: int, absence_id: int) -> Response:
    """Remove a recorded absence."""
    db = get_session()
    absence = db.get(Absence, absence_id)
    if absence is None or absence.volunteer_id != volunteer_id:
        abort(404)
    service.delete_absence(db, absence, actor=_actor())
    flash("Die Abwesenheit wurde gelöscht.", "success")
    return redirect(url_for("coordination.volunteer_detail", volunteer_id=volunteer_id))


@bp.get("/sprachmittelnde/<int:volunteer_id>/auskunft.json")
def volunteer_export(volunteer_id: int) -> Response:
    """Download everything stored about the volunteer (Art. 15 DSGVO) as JSON."""
    _load(volunteer_id)
    data = privacy.export_volunteer(get_session(), volunteer_id)
    body = json.dumps(data, ensure_ascii=False, indent=2)
    response = Response(body, mimetype="application/json")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="auskunft-sprachmittler-{volunteer_id}.json"'
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/sprachmittelnde/<int:volunteer_id>/loeschen")
def volunteer_erase(volunteer_id: int) -> Response | str:
    """Anonymise the volunteer (Art. 17 DSGVO) after a confirmation step."""
    volunteer = _load(volunteer_id)
    if not confirmed():
        return confirmation_page(_erase_confirmation(volunteer))
    privacy.erase_volunteer(get_session(), volunteer_id, now=local_now(), actor=_actor())
    flash("Die persönlichen Daten wurden gelöscht; Einsätze und Beträge bleiben anonym erhalten.", "success")
    return redirect(url_for("coordination.volunteer_detail", volunteer_id=volunteer_id))


def _erase_confirmation(volunteer: Volunteer) -> Confirmation:
    """Say what erasing removes and keeps, and who is told."""
    back = url_for("coordination.volunteer_detail", volunteer_id=volunteer.id)
    return Confirmation(
        question=f"Persönliche Daten von {volunteer.name} löschen?",
        happens=(
            "Name, Kontaktdaten, IBAN, Sprachen, Zeiten und Abwesenheiten werden gelöscht.",
            "Offene Angebote werden zurückgezogen; künftige Einsätze werden freigegeben und neu vermittelt.",
            "Vergangene Einsätze und Beträge bleiben anonym für die Abrechnung erhalten.",
            "Das lässt sich nicht rückgängig machen.",
        ),
        mail=(
            "Einrichtungen mit einem künftigen Einsatz dieser Person erfahren per E-Mail, dass er neu vermittelt wird.",
            "Die Person selbst bekommt keine E-Mail: Nach dem Löschen bleibt keine Adresse zurück.",
        ),
        button="Ja, persönliche Daten löschen",
        action=url_for("coordination.volunteer_erase", volunteer_id=volunteer.id),
        back_url=back,
        back_label=volunteer.name,
    )


@bp.get("/sprachmittelnde/import")
def volunteer_import_form():
    """Show the upload form for the pool's existing volunteer list."""
    return render_template("coordination/volunteer_import.html")


@bp.post("/sprachmittelnde/import")
def volunteer_import():
    """Check the uploaded list and import all rows, or none and list every error."""
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        flash("Bitte eine Datei auswählen.", "error")
        return render_template("coordination/volunteer_import.html"), 422
    data = upload.read()
    upload.close()  # a large upload waits in a temporary file: let it go at once
    db = get_session()
    try:
        rows = read_table(data, upload.filename)
    except ImportFileError as error:
        return _import_result(filename=upload.filename, rows=0, imported=0, errors=[str(error)])
    check = check_rows(
        rows,
        service.load_catalog(db, pool_id=current_pool_id(db)),
        service.existing_emails(db, pool_id=current_pool_id(db)),
    )
    if not check.ok or request.form.get("dry_run"):
        return _import_result(
            filename=upload.filename, rows=check.rows, imported=0, errors=check.errors, dry=True
        )
    try:
        imported = service.import_volunteers(db, check.records, pool_id=current_pool_id(db), actor=_actor())
    except service.DuplicateEmail:
        errors = ["Während des Imports wurde eine der E-Mail-Adressen vergeben. Bitte erneut versuchen."]
        return _import_result(filename=upload.filename, rows=check.rows, imported=0, errors=errors)
    return _import_result(filename=upload.filename, rows=check.rows, imported=imported, errors=[])


def _import_result(*, filename: str, rows: int, imported: int, errors: list[str], dry: bool = False):
    page = render_template(
        "coordination/volunteer_import_result.html",
        filename=filename,
        rows=rows,
        imported=imported,
        errors=errors,
        dry=dry,
    )
    return page, 422 if errors else 200
