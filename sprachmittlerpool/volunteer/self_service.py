"""The volunteer's own page without an account: `/mein-bereich` asks for the personal link by mail,
`/mein-bereich/<token>` shows assignments, offers, weekly times and absences; every change is a POST with CSRF.

The token proves who asks; each view loads the volunteer again (active, not erased) and works in their pool.
A new e-mail address is confirmed at `/adresse-bestaetigen/<token>`, a link sent to that address.
"""

from __future__ import annotations

import json
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from sprachmittlerpool import german
from sprachmittlerpool.db import get_session
from sprachmittlerpool.exports import statement_pdf
from sprachmittlerpool.exports.formatting import money_de, month_de
from sprachmittlerpool.limits import public_submission
from sprachmittlerpool.links import LinkExpired
from sprachmittlerpool.models import Volunteer, local_now
from sprachmittlerpool.pools import current_pool_id, use_pool
from sprachmittlerpool.services import allowance_statement, privacy, volunteer_self
from sprachmittlerpool.services.offers import Conflict
from sprachmittlerpool.tariff import from_cents
from sprachmittlerpool.volunteer import bp
from sprachmittlerpool.volunteer.views import link_page
from sprachmittlerpool.volunteer_import import parse_date

NEUTRAL_ANSWER = (
    "Wenn zu dieser Adresse eine aktive Sprachmittlerin oder ein aktiver Sprachmittler eingetragen ist, "
    "ist jetzt eine E-Mail mit Ihrem persönlichen Link unterwegs. Bitte sehen Sie auch im Spam-Ordner nach."
)
THROTTLED = "Zu viele Anfragen. Bitte warten Sie eine Viertelstunde und versuchen Sie es dann erneut."


@bp.route("/mein-bereich", methods=["GET", "POST"])
@public_submission
def ask_for_link() -> Any:
    """Ask for the address and answer the same whether a volunteer has it or not."""
    if request.method == "GET":
        return render_template("volunteer/self_request.html", email="", errors={}, sent=False)
    email = request.form.get("email", "").strip()[:254]
    if "@" not in email:
        errors = {"email": "Bitte geben Sie Ihre E-Mail-Adresse ein."}
        return render_template("volunteer/self_request.html", email=email, errors=errors, sent=False), 422
    db = get_session()
    if not volunteer_self.request_page_link(
        db, pool_id=current_pool_id(db), email=email, remote_addr=request.remote_addr, now=local_now()
    ):
        flash(THROTTLED, "error")
        return render_template("volunteer/self_request.html", email=email, errors={}, sent=False), 429
    return render_template("volunteer/self_request.html", email="", errors={}, sent=True)


def _volunteer(token: str) -> Volunteer:
    """Load the link's volunteer and work in their pool; an old link is a 410 page, an unknown one a 404 page."""
    try:
        volunteer = volunteer_self.volunteer_for_page(get_session(), token, now=local_now())
    except LinkExpired:
        abort(link_page("volunteer/self_link_invalid.html", status=410, expired=True))
    if volunteer is None:
        abort(link_page("volunteer/self_link_invalid.html", status=404, expired=False))
    use_pool(volunteer.pool_id)
    return volunteer


def _page(token: str, volunteer: Volunteer, *, status: int = 200, errors: dict[str, str] | None = None,
          values: dict[str, str] | None = None) -> Response:  # fmt: skip
    db = get_session()
    overview = volunteer_self.overview(db, volunteer, now=local_now())
    shown = {"availability": overview.availability, "phone": volunteer.phone, "email": volunteer.email}
    return link_page(
        "volunteer/self_page.html",
        status=status,
        token=token,
        volunteer=volunteer,
        overview=overview,
        periods=allowance_statement.periods(db, volunteer),
        values=shown | (values or {}),
        errors=errors or {},
        today=local_now().date(),
        de=german,
        euros=lambda cents: money_de(from_cents(cents)),
        month_de=month_de,
    )


def _back(token: str, message: str, anchor: str) -> Response:
    flash(message, "success")
    return redirect(url_for("volunteer.self_page", token=token, _anchor=anchor))


@bp.get("/mein-bereich/<token>")
def self_page(token: str) -> Response:
    """Show the volunteer's assignments, offers, weekly times, absences, contact data and downloads."""
    return _page(token, _volunteer(token))


@bp.post("/mein-bereich/<token>/verfuegbarkeit")
def self_availability(token: str) -> Response:
    """Replace the weekly times."""
    volunteer = _volunteer(token)
    text = request.form.get("availability", "")
    try:
        volunteer_self.set_availability(get_session(), volunteer, text)
    except volunteer_self.SelfServiceError as error:
        return _page(
            token, volunteer, status=422, errors={error.field: error.message}, values={"availability": text}
        )
    return _back(token, "Ihre Zeiten sind gespeichert.", "zeiten")


def _days(form: Any, *, pause: bool) -> tuple[Any, Any]:
    """Read the days of an absence (from, to) or of a pause (today until the day given)."""
    end = parse_date(form.get("pause_end" if pause else "end", ""))
    return (local_now().date() if pause else parse_date(form.get("start", ""))), end


@bp.post("/mein-bereich/<token>/abwesenheit")
def self_absence_preview(token: str) -> Response:
    """Say what an absence or pause will do (which offers are withdrawn) before anything changes."""
    volunteer = _volunteer(token)
    pause = request.form.get("kind") == "pause"
    field = "pause_end" if pause else "end"
    try:
        start, end = _days(request.form, pause=pause)
        preview = volunteer_self.absence_preview(
            get_session(), volunteer, start=start, end=end, pause=pause, now=local_now()
        )
    except ValueError as error:
        return _page(token, volunteer, status=422, errors={field: str(error)})
    except volunteer_self.SelfServiceError as error:
        return _page(
            token,
            volunteer,
            status=422,
            errors={field if error.field == "end" else error.field: error.message},
        )
    return link_page("volunteer/self_absence_confirm.html", token=token, preview=preview, de=german)


@bp.post("/mein-bereich/<token>/abwesenheit/eintragen")
def self_absence_add(token: str) -> Response:
    """Enter the absence or pause the volunteer confirmed; pending offers on those days are withdrawn."""
    volunteer = _volunteer(token)
    pause = request.form.get("kind") == "pause"
    try:
        start, end = parse_date(request.form.get("start", "")), parse_date(request.form.get("end", ""))
        volunteer_self.add_absence(
            get_session(), volunteer, start=start, end=end, pause=pause, now=local_now()
        )
    except (ValueError, volunteer_self.SelfServiceError) as error:
        message = error.message if isinstance(error, volunteer_self.SelfServiceError) else str(error)
        return _page(token, volunteer, status=422, errors={"end": message})
    return _back(
        token,
        "Ihre Pause ist eingetragen." if pause else "Ihre Abwesenheit ist eingetragen.",
        "abwesenheiten",
    )


@bp.post("/mein-bereich/<token>/abwesenheit/<int:absence_id>/loeschen")
def self_absence_delete(token: str, absence_id: int) -> Response:
    """Remove one of the volunteer's absences or pauses."""
    volunteer = _volunteer(token)
    try:
        volunteer_self.remove_absence(get_session(), volunteer, absence_id)
    except volunteer_self.SelfServiceError as error:
        return _page(token, volunteer, status=404, errors={"absences": error.message})
    return _back(
        token, "Der Eintrag ist gelöscht. Sie bekommen wieder Angebote für diese Tage.", "abwesenheiten"
    )


@bp.post("/mein-bereich/<token>/kontakt")
def self_contact(token: str) -> Response:
    """Save the phone number; a new e-mail address gets a confirmation link first."""
    volunteer = _volunteer(token)
    values = {"phone": request.form.get("phone", "")[:200], "email": request.form.get("email", "")[:300]}
    try:
        mailed = volunteer_self.change_contact(get_session(), volunteer, now=local_now(), **values)
    except volunteer_self.SelfServiceError as error:
        return _page(token, volunteer, status=422, errors={error.field: error.message}, values=values)
    if mailed:
        return _back(
            token,
            f"Wir haben einen Bestätigungslink an {values['email'].strip()} geschickt. Bis Sie ihn öffnen, "
            "bleibt Ihre bisherige Adresse eingetragen.",
            "kontakt",
        )
    return _back(token, "Ihre Kontaktdaten sind gespeichert.", "kontakt")


@bp.post("/mein-bereich/<token>/angebote/<int:offer_id>/annehmen")
def self_offer_accept(token: str, offer_id: int) -> Response:
    """Accept one of the volunteer's open offers."""
    return _answer(token, offer_id, accept=True)


@bp.post("/mein-bereich/<token>/angebote/<int:offer_id>/ablehnen")
def self_offer_decline(token: str, offer_id: int) -> Response:
    """Decline one of the volunteer's open offers."""
    return _answer(token, offer_id, accept=False)


def _answer(token: str, offer_id: int, *, accept: bool) -> Response:
    volunteer = _volunteer(token)
    try:
        volunteer_self.answer_offer(get_session(), volunteer, offer_id, accept=accept, now=local_now())
    except Conflict as error:
        return _page(token, volunteer, status=409, errors={"offers": error.message})
    if accept:
        return _back(
            token, "Vielen Dank! Der Einsatz ist bestätigt. Sie bekommen gleich eine E-Mail.", "einsaetze"
        )
    return _back(token, "Danke für Ihre Rückmeldung. Wir fragen jemand anderen.", "angebote")


@bp.post("/mein-bereich/<token>/nachweis")
def self_statement(token: str) -> Response:
    """Download the statement of allowances of a year or a month as PDF."""
    volunteer = _volunteer(token)
    try:
        period = allowance_statement.parse_period(request.form.get("period", ""))
    except ValueError as error:
        return _page(token, volunteer, status=422, errors={"period": str(error)})
    data = allowance_statement.statement(get_session(), volunteer, period, today=local_now().date())
    return _download(
        statement_pdf.to_pdf(data), "application/pdf", f"nachweis-aufwandsentschaedigung-{period}.pdf"
    )


@bp.post("/mein-bereich/<token>/auskunft")
def self_export(token: str) -> Response:
    """Download everything stored about the volunteer (Art. 15 DSGVO) as JSON."""
    volunteer = _volunteer(token)
    data = privacy.export_volunteer(get_session(), volunteer.id)
    body = json.dumps(data, ensure_ascii=False, indent=2).encode()
    return _download(body, "application/json", "auskunft-meine-daten.json")


def _download(data: bytes, mimetype: str, filename: str) -> Response:
    response = Response(data, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "same-origin"
    return response


@bp.route("/adresse-bestaetigen/<token>", methods=["GET", "POST"])
def confirm_email(token: str) -> Response:
    """Show the new address with a button (GET changes nothing); the POST makes it the volunteer's address."""
    db = get_session()
    try:
        found = volunteer_self.email_change(db, token, now=local_now())
    except LinkExpired:
        return link_page("volunteer/self_link_invalid.html", status=410, expired=True, email=True)
    if found is None:
        return link_page("volunteer/self_link_invalid.html", status=404, expired=False, email=True)
    link, volunteer = found
    use_pool(volunteer.pool_id)
    if request.method == "GET" or link.used_at is not None:
        return link_page(
            "volunteer/self_email_confirm.html", token=token, link=link, done=link.used_at is not None
        )
    try:
        volunteer_self.confirm_email(db, link, volunteer, now=local_now())
    except volunteer_self.SelfServiceError as error:
        return link_page("volunteer/self_email_confirm.html", status=409, token=token, link=link, done=False,
                         message=error.message)  # fmt: skip
    return link_page("volunteer/self_email_confirm.html", token=token, link=link, done=True)
