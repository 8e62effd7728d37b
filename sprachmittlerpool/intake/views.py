"""Public pages for institutions: the request form, the receipt and the status page (no login)."""

from __future__ import annotations

import secrets

from flask import abort, current_app, flash, redirect, render_template, session, url_for
from werkzeug.wrappers import Response

from sprachmittlerpool.config import cutoff_hours
from sprachmittlerpool.confirmation import Confirmation, confirmation_page, confirmed
from sprachmittlerpool.db import get_session, reads_alone
from sprachmittlerpool.intake import bp
from sprachmittlerpool.intake.forms import RequestForm
from sprachmittlerpool.limits import public_submission
from sprachmittlerpool.models import InterpretingRequest, local_now
from sprachmittlerpool.pools import base_url_of, current_pool_id, use_pool
from sprachmittlerpool.services import closures, intake, pool_rules

RECEIPT = "intake_receipt"


@bp.route("/anfrage", methods=["GET", "POST"])
@public_submission
@reads_alone
def new_request() -> str | Response | tuple[str, int]:
    """Show the request form and take a request; errors come back in place with the values kept."""
    form = RequestForm()
    form.fill_choices(get_session())
    if not form.validate_on_submit():  # GET, or no valid CSRF token
        return _form_page(form, 400 if form.is_submitted() else 200)
    if form.is_bot():
        session.pop(RECEIPT, None)
        return redirect(url_for("intake.receipt"))
    data, form_errors = form.to_request_data()
    key = form.idempotency_key.data if intake.valid_idempotency_key(form.idempotency_key.data) else None
    try:
        if form_errors:
            intake.validate(get_session(), data, now=local_now(), pool_id=current_pool_id(get_session()))
            raise intake.InvalidRequest({})
        _, token = intake.submit(
            get_session(), data=data, idempotency_key=key, idempotency_scope="form", **_settings()
        )
    except intake.InvalidRequest as exc:
        form.show_errors(_merge(form_errors, exc.fields))
        return _form_page(form, 422)
    except intake.IdempotencyMismatch:
        return _changed_after_sending(form)
    session[RECEIPT] = token
    return redirect(url_for("intake.receipt"))


def _changed_after_sending(form: RequestForm) -> tuple[str, int]:
    """The form was sent before and then changed (back button): ask to send it again as a new request."""
    form.idempotency_key.data = secrets.token_urlsafe(24)
    flash(
        "Diese Anfrage wurde schon gesendet und danach geändert. Prüfen Sie die Angaben und senden Sie "
        "das Formular erneut – es wird dann als neue Anfrage aufgenommen.",
        "error",
    )
    return _form_page(form, 422)


def _form_page(form: RequestForm, status: int) -> tuple[str, int]:
    """Render the form with the pool's lead time, longest assignment and next closure days above it."""
    db = get_session()
    pool_id = current_pool_id(db)
    rules = pool_rules.public_rules(db, pool_id=pool_id, instance_path=current_app.instance_path)
    upcoming = closures.upcoming(db, pool_id=pool_id, today=local_now().date(), limit=3)
    return render_template("intake/form.html", form=form, rules=rules, closures=upcoming), status


def _settings() -> dict[str, str | object]:
    config = current_app.config
    db = get_session()
    pool_id = current_pool_id(db)
    return {
        "pool_id": pool_id,
        "now": local_now(),
        "instance_path": current_app.instance_path,
        "base_url": base_url_of(db, pool_id),
        "secret": config["SECRET_KEY"],
    }


def _merge(form_errors: dict[str, str], service_errors: dict[str, str]) -> dict[str, str]:
    """Prefer the form's own date and time messages over the service's start/end ones."""
    if form_errors:
        service_errors = {k: v for k, v in service_errors.items() if k not in ("start", "end")}
    return {**service_errors, **form_errors}


@bp.get("/anfrage/eingegangen")
def receipt() -> str:
    """Confirm the request and show the status link once more."""
    token = session.get(RECEIPT)
    found = intake.find_by_token(get_session(), token) if token else None
    if found is not None:
        use_pool(found.pool_id)
    link = intake.status_url(base_url_of(get_session(), found.pool_id), token) if found else None
    reasons = intake.readable_reasons(get_session(), found) if found else []
    return render_template("intake/receipt.html", request_row=found, status_link=link, reasons=reasons)


def _load(token: str) -> InterpretingRequest:
    found = intake.find_by_token(get_session(), token)
    if found is None:
        abort(404)
    use_pool(found.pool_id)  # a status link works for its request's pool under any address
    return found


@bp.get("/status/<token>")
def status(token: str) -> str:
    """Show the requester where its request stands."""
    return render_template(
        "intake/status.html", token=token, **intake.status_view(get_session(), _load(token), now=local_now())
    )


@bp.post("/status/<token>/stornieren")
def cancel(token: str) -> Response | str:
    """Cancel the request for the requester, as long as it is not finished, after a confirmation step."""
    found = _load(token)
    if not confirmed():
        view = intake.status_view(get_session(), found, now=local_now())
        if view["cancellable"]:
            return confirmation_page(_cancel_confirmation(token, view))
        flash("Diese Anfrage kann nicht mehr storniert werden.", "error")
        return redirect(url_for("intake.status", token=token))
    try:
        intake.cancel_request(get_session(), request=found, now=local_now())
    except intake.StateConflict as exc:
        flash(str(exc) if exc.shown else "Diese Anfrage kann nicht mehr storniert werden.", "error")
    else:
        flash("Ihre Anfrage ist storniert. Sie erhalten eine Bestätigung per E-Mail.", "success")
    return redirect(url_for("intake.status", token=token))


def _cancel_confirmation(token: str, view: dict) -> Confirmation:
    """Say what cancelling does at the request's stage, and who is told."""
    happens = [
        f"Ihre Anfrage für den {view['date']}, {view['time']} Uhr ({view['language']}) wird storniert."
    ]
    mail = ["Sie bekommen eine Bestätigung der Stornierung per E-Mail."]
    if view["status"] == "confirmed":
        happens.append("Der bestätigte Einsatz wird abgesagt.")
        mail.append(
            "Die Sprachmittlerin oder der Sprachmittler bekommt eine Absage mit der Kalenderlöschung."
        )
        if view["late"]:
            happens.append(
                f"Der Termin beginnt in weniger als {cutoff_hours()} Stunden: Die Absage gilt als kurzfristig."
            )
    elif view["status"] == "offered":
        mail.append("Wer schon angefragt ist, erfährt per E-Mail, dass das Angebot nicht mehr gilt.")
    happens.append(
        "Das lässt sich nicht rückgängig machen; für einen neuen Termin stellen Sie eine neue Anfrage."
    )
    return Confirmation(
        question="Anfrage wirklich stornieren?",
        happens=tuple(happens),
        mail=tuple(mail),
        button="Ja, Anfrage stornieren",
        action=url_for("intake.cancel", token=token),
        back_url=url_for("intake.status", token=token),
        back_label="Zurück zum Stand Ihrer Anfrage",
    )
