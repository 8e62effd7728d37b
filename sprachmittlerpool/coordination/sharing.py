"""Sharing volunteers with other pools: ask other pools for a request, answer their asks, set a volunteer's terms.

The logic lives in services/sharing.py; these views only read the form, ask first, and say the outcome.
"""

from __future__ import annotations

from datetime import date, datetime

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from sprachmittlerpool.confirmation import Confirmation, confirmation_page, confirmed
from sprachmittlerpool.coordination import bp
from sprachmittlerpool.db import get_session
from sprachmittlerpool.german import moment_short
from sprachmittlerpool.models import InterpretingRequest, Loan, LoanStatus, Volunteer, local_now
from sprachmittlerpool.pools import current_pool_id, get_in_pool
from sprachmittlerpool.services import sharing
from sprachmittlerpool.services.qualifications import MODE_LABELS

DECISIONS = {"zustimmen": True, "ablehnen": False}


@bp.post("/anfragen/<int:request_id>/andere-pools")
def ask_other_pools(request_id: int) -> Response:
    """Propose an open request to the shared volunteers of other pools; their coordinators decide."""
    db = get_session()
    wanted = get_in_pool(db, InterpretingRequest, request_id) or abort(404)
    outcome = sharing.ask_other_pools(
        db,
        request_id=wanted.id,
        pool_id=current_pool_id(db),
        now=local_now(),
        user_id=current_user.id,
        time_limit_s=float(current_app.config.get("MATCHING_TIME_LIMIT_S", 10.0)),
    )
    if outcome.problem:
        flash(outcome.problem, "error")
    else:
        flash(
            "Ein anderer Pool wurde gefragt; sobald er zustimmt, geht das Angebot an die Person.", "success"
        )
    return redirect(url_for("coordination.request_detail", request_id=request_id))


@bp.post("/anfragen/<int:request_id>/andere-pools/<int:loan_id>/zurueckziehen")
def withdraw_loan(request_id: int, loan_id: int) -> str | Response:
    """Withdraw a waiting ask after the confirmation step, so the request may be asked of another pool."""
    db = get_session()
    wanted = get_in_pool(db, InterpretingRequest, request_id) or abort(404)
    loan = db.get(Loan, loan_id)
    if loan is None or loan.pool_id != current_pool_id(db) or loan.request_id != wanted.id:
        abort(404)
    back = url_for("coordination.request_detail", request_id=wanted.id)
    if not confirmed():
        line = sharing.loans_of_request(db, wanted)
        other = next((entry.other_pool for entry in line if entry.loan.id == loan.id), "")
        return confirmation_page(
            Confirmation(
                question=f"Anfrage bei {other} zurückziehen?",
                happens=(
                    f"{other} kann dieser Anfrage nicht mehr zustimmen und sieht sie als zurückgezogen.",
                    "Die Anfrage bleibt offen: Ihr Pool kann sie selbst besetzen oder einen anderen Pool "
                    "fragen; die gefragte Person wird dabei nicht noch einmal vorgeschlagen.",
                ),
                mail=(
                    f"Die Koordination von {other} bekommt eine E-Mail, dass die Anfrage zurückgezogen ist.",
                ),
                button="Ja, zurückziehen",
                action=url_for("coordination.withdraw_loan", request_id=wanted.id, loan_id=loan.id),
                back_url=back,
                back_label="Nein, zurück zur Anfrage",
            )
        )
    try:
        sharing.withdraw(
            db, loan_id=loan.id, pool_id=current_pool_id(db), user_id=current_user.id, now=local_now()
        )
    except sharing.SharingRefused as exc:
        flash(str(exc), "error")
    else:
        flash(
            "Zurückgezogen: die Anfrage ist wieder offen und kann einem anderen Pool vorgeschlagen werden.",
            "success",
        )
    return redirect(back)


@bp.get("/andere-pools")
def loans() -> str:
    """Show what other pools asked of this pool, and what this pool asked of others."""
    db = get_session()
    pool_id = current_pool_id(db)
    return render_template(
        "coordination/loans.html",
        asked_of_us=sharing.asked_of(db, lender_pool_id=pool_id),
        status_de=sharing.STATUS_DE,
        modes=MODE_LABELS,
        moment_short=moment_short,
        still_needed=lambda line: sharing.still_needed(line, now=local_now()),
    )


@bp.post("/andere-pools/<int:loan_id>/<decision>")
def decide_loan(loan_id: int, decision: str) -> str | Response:
    """Agree or refuse after the confirmation step; agreeing mails the offer to the volunteer at once."""
    if decision not in DECISIONS:
        abort(404)
    db = get_session()
    loan = db.get(Loan, loan_id)
    if loan is None or loan.lender_pool_id != current_pool_id(db) or loan.status != LoanStatus.ASKED:
        withdrawn = loan is not None and loan.status == LoanStatus.WITHDRAWN
        flash(
            "Der anfragende Pool hat diese Anfrage zurückgezogen."
            if withdrawn and loan.lender_pool_id == current_pool_id(db)
            else "Über diese Anfrage ist schon entschieden, oder es gibt sie nicht.",
            "error",
        )
        return redirect(url_for("coordination.loans"))
    agree = DECISIONS[decision]
    if not confirmed():
        return confirmation_page(_confirmation(loan, agree=agree, decision=decision))
    try:
        sharing.decide(
            db, loan_id=loan_id, lender_pool_id=current_pool_id(db), agree=agree,
            user_id=current_user.id, now=local_now(),
        )  # fmt: skip
    except sharing.SharingRefused as exc:
        flash(str(exc), "error")
        return redirect(url_for("coordination.loans"))
    flash(
        "Zugestimmt: die Person hat das Angebot mit dem Link zum Annehmen oder Ablehnen bekommen."
        if agree
        else "Abgelehnt: der anfragende Pool sieht es und sucht weiter.",
        "success",
    )
    return redirect(url_for("coordination.loans"))


def _confirmation(loan: Loan, *, agree: bool, decision: str) -> Confirmation:
    line = sharing.asked_of_one(get_session(), loan)
    when = f"{line.request.start:%d.%m.%Y, %H:%M}–{line.request.end:%H:%M} Uhr"
    what = f"{line.language}, {MODE_LABELS.get(line.request.mode, '')}, {when}"
    if agree:
        return Confirmation(
            question=f"{line.volunteer_name} an {line.other_pool} ausleihen?",
            happens=(
                f"{line.other_pool} bekommt {line.volunteer_name} für diesen Termin angeboten: {what}.",
                f"Nimmt die Person an, gehört der Einsatz zu {line.other_pool}; dort wird die "
                "Aufwandsentschädigung gebucht. Ihr Bericht zählt ihn unter „an andere Pools gegeben“.",
                f"{line.other_pool} sieht Name, Telefon und E-Mail der Person, sonst nichts aus Ihrem Pool.",
            ),
            mail=(f"{line.volunteer_name} bekommt das Angebot mit dem Link zum Annehmen oder Ablehnen.",),
            button="Ja, zustimmen",
            action=url_for("coordination.decide_loan", loan_id=loan.id, decision=decision),
            back_url=url_for("coordination.loans"),
            back_label="Nein, zurück zu den Anfragen anderer Pools",
        )
    return Confirmation(
        question=f"Anfrage von {line.other_pool} ablehnen?",
        happens=(
            f"{line.volunteer_name} wird für diesen Termin nicht ausgeliehen: {what}.",
            f"{line.other_pool} sieht die Ablehnung und kann einen anderen Pool fragen.",
            "Das lässt sich nicht rückgängig machen.",
        ),
        mail=("Niemand bekommt eine E-Mail.",),
        button="Ja, ablehnen",
        action=url_for("coordination.decide_loan", loan_id=loan.id, decision=decision),
        back_url=url_for("coordination.loans"),
        back_label="Nein, zurück zu den Anfragen anderer Pools",
    )


@bp.route("/sprachmittelnde/<int:volunteer_id>/teilen", methods=["GET", "POST"])
def volunteer_sharing(volunteer_id: int) -> str | Response:
    """Set whether other pools may ask for this volunteer (with the day of the person's consent)."""
    db = get_session()
    volunteer = get_in_pool(db, Volunteer, volunteer_id) or abort(404)
    error = None
    if request.method == "POST":
        try:
            sharing.set_terms(
                db,
                volunteer,
                shared_remote=request.form.get("shared_remote") == "ja",
                in_person_km=_whole(request.form.get("in_person_km", "")),
                consent_on=_day(request.form.get("consent_on", "")),
                actor=f"user:{current_user.id}",
            )
        except sharing.SharingRefused as exc:
            db.rollback()
            error = str(exc)
        else:
            flash("Die Angaben zum Teilen sind gespeichert.", "success")
            return redirect(url_for("coordination.volunteer_detail", volunteer_id=volunteer_id))
    return render_template("coordination/volunteer_sharing.html", volunteer=volunteer, error=error)


def _whole(text: str) -> int | None:
    text = text.strip()
    if not text:
        return None
    if not (text.isascii() and text.isdigit() and len(text) <= 4):
        raise sharing.SharingRefused("Bitte die Entfernung als ganze Zahl in km eintragen, z. B. 15.")
    return int(text)


def _day(text: str) -> date | None:
    """Read the consent day as the date field sends it (2026-12-03) or as typed (03.12.2026)."""
    text = text.strip()
    if not text:
        return None
    for pattern in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise sharing.SharingRefused("Bitte das Datum der Zustimmung eintragen, z. B. 03.12.2026.")
