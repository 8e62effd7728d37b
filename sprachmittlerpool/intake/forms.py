"""The public request form; its values are checked by the intake service, the same checks as the API."""

from __future__ import annotations

import secrets
from datetime import date, datetime, time
from typing import Any

from flask_wtf import FlaskForm
from sqlmodel import Session, col, select
from wtforms import HiddenField, SelectField, StringField, TextAreaField

from matching.eligibility import APPOINTMENT_TYPES, INSTITUTION_TYPES
from sprachmittlerpool.models import Language, Municipality, Pool, RequestMode
from sprachmittlerpool.pools import current_pool_id
from sprachmittlerpool.services.qualifications import MODE_LABELS, brokered_modes

CHOOSE = ("", "Bitte auswählen …")


def _select(label: str, description: str = "") -> SelectField:
    # Choices are checked by the service, which words the message in German.
    return SelectField(label, description=description, validate_choice=False, choices=[CHOOSE])


class RequestForm(FlaskForm):
    """Ask for an interpreter: institution, contact, language, appointment and place."""

    institution_name = StringField("Name der Einrichtung", description="z. B. Städtische Kita Regenbogen")
    institution_type = _select("Art der Einrichtung")
    contact_name = StringField("Ihr Name (Ansprechperson)")
    contact_email = StringField(
        "Ihre E-Mail-Adresse", description="An diese Adresse schicken wir den Link zum Stand Ihrer Anfrage."
    )
    contact_phone = StringField("Telefon (freiwillig)")
    language = _select("Sprache")
    dialect = StringField("Dialekt (freiwillig)", description="z. B. Syrisch-Arabisch")
    appointment_type = _select("Art des Termins")
    topic = TextAreaField(
        "Worum geht es? (freiwillig, höchstens 2000 Zeichen)",
        description="Bitte ohne Namen der Familie oder des Kindes.",
    )
    date = StringField("Datum", description="TT.MM.JJJJ")
    start_time = StringField("Beginn", description="HH:MM")
    end_time = StringField("Ende", description="HH:MM")
    mode = _select("Wie soll gedolmetscht werden?")
    call_details = StringField(
        "Nur bei Telefon oder Video: Wie kommt das Gespräch zustande?",
        description="z. B. „Wir rufen die Sprachmittlung unter ihrer Nummer an“ oder „Den Videolink schicken wir per E-Mail“",
    )
    due = StringField("Nur bei schriftlicher Übersetzung: Abgabe bis", description="TT.MM.JJJJ")
    pages = StringField(
        "Nur bei schriftlicher Übersetzung: Umfang in Seiten (geschätzt)",
        description="z. B. 2 für ein Zeugnis mit Rückseite",
    )
    municipality = _select("Stadt oder Gemeinde des Termins")
    address = StringField("Adresse des Termins", description="Straße und Hausnummer")
    persons = StringField("Wie viele Personen brauchen die Sprachmittlung? (freiwillig)")
    gender_required = SelectField(
        "Geschlecht der Sprachmittlung",
        description="Nur angeben, wenn es für das Gespräch nötig ist.",
        choices=[("", "egal"), ("f", "Frau"), ("m", "Mann")],
        validate_choice=False,
    )
    preferred_volunteer = StringField(
        "Nummer einer Sprachmittlerin oder eines Sprachmittlers (freiwillig)",
        description="Falls Sie schon mit jemandem aus dem Pool gearbeitet haben.",
    )
    idempotency_key = HiddenField()
    offers_calls = False
    offers_written = False
    website = StringField("Bitte dieses Feld leer lassen")  # honeypot: people never see it

    def fill_choices(self, session: Session) -> None:
        """Offer the pool's active languages and municipalities (not retired ones) and the rule set's types."""
        pool_id = current_pool_id(session)
        languages = session.exec(
            select(Language)
            .where(Language.pool_id == pool_id, col(Language.retired_at).is_(None))
            .order_by(Language.name_de)
        ).all()
        towns = session.exec(
            select(Municipality)
            .where(Municipality.pool_id == pool_id, col(Municipality.retired_at).is_(None))
            .order_by(Municipality.name)
        ).all()
        self.language.choices = [CHOOSE, *((row.code, row.name_de) for row in languages)]
        self.municipality.choices = [CHOOSE, *((row.id, row.name) for row in towns)]
        self.institution_type.choices = [CHOOSE, *INSTITUTION_TYPES.items()]
        self.appointment_type.choices = [CHOOSE, *APPOINTMENT_TYPES.items()]
        pool = session.get(Pool, pool_id)
        modes = brokered_modes(pool) if pool else [RequestMode.IN_PERSON.value]
        self.mode.choices = [(mode, MODE_LABELS[mode]) for mode in modes]
        # the form shows the fields of every mode the pool takes (no script needed), each labelled with its mode
        self.offers_calls = any(mode in (RequestMode.PHONE, RequestMode.VIDEO) for mode in modes)
        self.offers_written = RequestMode.WRITTEN.value in modes
        if len(modes) > 1:
            self.municipality.description = (
                "bei Telefon, Video oder schriftlicher Übersetzung: der Ort Ihrer Einrichtung"
            )
            self.address.description = (
                "Straße und Hausnummer; bei Telefon, Video oder schriftlicher Übersetzung nicht nötig"
            )
        if RequestMode.WRITTEN.value in modes:
            self.date.label.text = "Datum (nicht bei schriftlicher Übersetzung)"
        if not self.idempotency_key.data:
            self.idempotency_key.data = secrets.token_urlsafe(24)

    def is_bot(self) -> bool:
        """Tell whether the hidden honeypot field was filled in, which only bots do."""
        return bool((self.website.data or "").strip())

    def to_request_data(self) -> tuple[dict[str, Any], dict[str, str]]:
        """Return the values in the API's shape, plus errors only the form can have (date and time typing).

        A written translation has no date and times but a due day and a page count; the others are ignored.
        """
        if self.mode.data == RequestMode.WRITTEN:
            return self._written_data()
        errors: dict[str, str] = {}
        day = _parse_date(self.date.data, "date", errors)
        start = _parse_clock(self.start_time.data, "start_time", errors)
        end = _parse_clock(self.end_time.data, "end_time", errors)
        data = self._common_data()
        data["start"] = datetime.combine(day, start).isoformat(timespec="minutes") if day and start else "-"
        data["end"] = datetime.combine(day, end).isoformat(timespec="minutes") if day and end else "-"
        return data, errors

    def _written_data(self) -> tuple[dict[str, Any], dict[str, str]]:
        """Return a written translation's values: the due day and the page estimate instead of date and times."""
        errors: dict[str, str] = {}
        due = _parse_date(self.due.data, "due", errors)
        data = self._common_data()
        data["due"] = due.isoformat() if due else ""
        data["pages"] = _persons(self.pages.data)
        return data, errors

    def _common_data(self) -> dict[str, Any]:
        """Return the fields every kind of request has, in the API's shape."""
        data: dict[str, Any] = {
            name: self[name].data or ""
            for name in (
                "institution_name",
                "institution_type",
                "contact_name",
                "contact_email",
                "contact_phone",
                "language",
                "dialect",
                "appointment_type",
                "topic",
                "municipality",
                "address",
                "gender_required",
                "preferred_volunteer",
                "mode",
                "call_details",
            )
        }
        data["preferred_volunteer"] = data["preferred_volunteer"].strip()
        data["persons"] = _persons(self.persons.data)
        return data

    def show_errors(self, errors: dict[str, str]) -> None:
        """Put each message next to its field (start and end of the API belong to date and times here)."""
        for name, message in errors.items():
            field = {"start": "date", "end": "end_time"}.get(name, name)
            if field in self and message not in self[field].errors:
                self[field].errors = [*self[field].errors, message]


def _persons(value: str | None) -> Any:
    text = (value or "").strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) < 6 else text or None


def _parse_date(value: str | None, field: str, errors: dict[str, str]) -> date | None:
    text = (value or "").strip()
    if not text:
        errors[field] = "Bitte geben Sie das Datum an."
        return None
    for pattern in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    errors[field] = "Bitte geben Sie das Datum als TT.MM.JJJJ an, z. B. 18.03.2025."
    return None


def _parse_clock(value: str | None, field: str, errors: dict[str, str]) -> time | None:
    text = (value or "").strip().replace(".", ":")
    if not text:
        errors[field] = "Bitte geben Sie die Uhrzeit an."
        return None
    try:
        return datetime.strptime(text, "%H:%M").time()
    except ValueError:
        errors[field] = "Bitte geben Sie die Uhrzeit als HH:MM an, z. B. 10:30."
        return None
