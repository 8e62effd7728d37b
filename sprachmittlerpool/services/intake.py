"""Intake: take a request from the form or the API, decide it by the rules, let coordinators settle reviews.

Form and API share one validator and one submit function, so both give the same answers
to the same input. Every state change writes one audit row and queues its mail in the
same transaction.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from importlib import import_module
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from email_validator import EmailNotValidError, validate_email
from flask import current_app
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from matching.eligibility import (
    APPOINTMENT_TYPES,
    INSTITUTION_TYPES,
    Decision,
    IntakeFacts,
    RuleSet,
    decide,
)
from notifications.compose import Mail
from notifications.outbox import enqueue
from notifications.outbox import row_values as outbox_row
from sprachmittlerpool.config import cutoff_hours
from sprachmittlerpool.db import commit
from sprachmittlerpool.models import (
    Institution,
    InterpretingRequest,
    Language,
    Municipality,
    Offer,
    OfferStatus,
    Pool,
    RequestMode,
    RequestStatus,
    Volunteer,
    request_language_join,
    request_municipality_join,
)
from sprachmittlerpool.pool_calendar import nrw_holidays
from sprachmittlerpool.security import new_token, token_hash
from sprachmittlerpool.services import audit
from sprachmittlerpool.services.intake_lookup import Entry, Identity, Lookup, look_up
from sprachmittlerpool.services.intake_store import REQUEST_ID_MARK, NewRows, store
from sprachmittlerpool.services.mail import compose_mail, queue_mail
from sprachmittlerpool.services.pool_rules import effective_rule_set, rule_title, rule_titles
from sprachmittlerpool.services.qualifications import brokered_modes, place_words
from sprachmittlerpool.text_check import text_problem
from sprachmittlerpool.wallclock import exists_in_berlin, missing_hour_message

FIELDS = frozenset(
    {
        "institution_name",
        "institution_type",
        "contact_name",
        "contact_email",
        "contact_phone",
        "language",
        "dialect",
        "appointment_type",
        "topic",
        "start",
        "end",
        "municipality",
        "address",
        "persons",
        "gender_required",
        "preferred_volunteer",
        "mode",
        "call_details",
        "due",
        "pages",
    }
)
REQUIRED_TEXT = {
    "institution_name": 200,
    "contact_name": 200,
    "contact_email": 254,
}
OPTIONAL_TEXT = {"contact_phone": 60, "dialect": 200, "topic": 2000}

MAX_PERSONS = 50
MAX_PAGES = 500
DUE_END = time(
    23, 59
)  # a written translation's `end`: its due day, to the last minute (see InterpretingRequest)
MAX_DAYS_AHEAD = 366
MAX_IDEMPOTENCY_KEY = 128
BEFORE_MATCHING = (RequestStatus.SUBMITTED, RequestStatus.REVIEW)
CANCELLABLE = (*BEFORE_MATCHING, RequestStatus.OPEN, RequestStatus.OFFERED, RequestStatus.CONFIRMED)
FINISHED = frozenset(
    {
        RequestStatus.REJECTED,
        RequestStatus.COMPLETED,
        RequestStatus.SETTLED,
        RequestStatus.UNFILLED,
        RequestStatus.CANCELLED,
        RequestStatus.NO_SHOW,
    }
)
STATUS_LABELS = {
    RequestStatus.SUBMITTED: "Eingegangen",
    RequestStatus.REJECTED: "Abgelehnt",
    RequestStatus.REVIEW: "Wird geprüft",
    RequestStatus.OPEN: "Angenommen – wir suchen eine Sprachmittlerin oder einen Sprachmittler",
    RequestStatus.OFFERED: "Angenommen – eine Sprachmittlerin oder ein Sprachmittler wurde angefragt",
    RequestStatus.CONFIRMED: "Bestätigt",
    RequestStatus.COMPLETED: "Durchgeführt",
    RequestStatus.SETTLED: "Abgeschlossen",
    RequestStatus.UNFILLED: "Leider nicht besetzt",
    RequestStatus.CANCELLED: "Storniert",
    RequestStatus.NO_SHOW: "Nicht erschienen",
}
REQUESTER = "requester"

MSG_REQUIRED = "Bitte füllen Sie dieses Feld aus."
MSG_TEXT = "Bitte geben Sie hier einen Text ein."
MSG_CHARS = "Der Text enthält unzulässige Zeichen."
MSG_TIME = "Bitte geben Sie Datum und Uhrzeit an (Format JJJJ-MM-TTTHH:MM, z. B. 2025-03-18T10:00)."


class InvalidRequest(ValueError):
    """Field values that cannot be accepted; fields maps each field to a German message."""

    def __init__(self, fields: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in fields.items()))
        self.fields = fields


class StateConflict(ValueError):
    """The request is not in a state that allows the action (409).

    `busy` means the state was fine but the database kept aborting the change (see offers.retrying):
    the person should try again, not be told it is too late. `shown` means the message is German
    and meant for the requester.
    """

    def __init__(self, message: str, *, busy: bool = False, shown: bool = False) -> None:
        super().__init__(message)
        self.busy = busy
        self.shown = shown or busy


@dataclass(frozen=True)
class RequestData:
    """A validated request, ready to be decided and stored."""

    institution_name: str
    institution_type: str
    contact_name: str
    contact_email: str
    contact_phone: str
    language: str
    dialect: str
    appointment_type: str
    topic: str
    start: datetime
    end: datetime
    municipality: str
    address: str
    persons: int | None
    gender_required: str | None
    preferred_volunteer: int | None
    mode: str = RequestMode.IN_PERSON
    call_details: str = ""
    pages: int | None = None


# --- validation ---------------------------------------------------------------------------------


def validate(session: Session, data: Mapping[str, Any], *, now: datetime, pool_id: int) -> RequestData:
    """Check every field and raise InvalidRequest naming each wrong one, so nothing half-valid is stored."""
    return _checked(session, data, now=now, pool_id=pool_id)[0]


def _checked(
    session: Session, data: Mapping[str, Any], *, now: datetime, pool_id: int
) -> tuple[RequestData, Lookup]:
    """Validate, and return with the request what the one look-up found (sender, closed days, names)."""
    errors: dict[str, str] = {}
    text = {name: _text(data, name, limit, True, errors) for name, limit in REQUIRED_TEXT.items()}
    text |= {name: _text(data, name, limit, False, errors) for name, limit in OPTIONAL_TEXT.items()}
    if "contact_email" not in errors:
        text["contact_email"] = _email(text["contact_email"], errors)
    institution_type = _choice(data, "institution_type", INSTITUTION_TYPES, errors)
    found = look_up(
        session,
        pool_id=pool_id,
        language=_key(data, "language", errors),
        municipality=_key(data, "municipality", errors),
        sender=Identity(text["institution_name"], institution_type, text["contact_email"]),
        today=now.date(),
    )
    choices = {
        "institution_type": institution_type,
        "appointment_type": _choice(data, "appointment_type", APPOINTMENT_TYPES, errors),
        "language": _listed(data, "language", found.language, errors),
        "municipality": _listed(data, "municipality", found.municipality, errors),
    }
    mode = _mode(session, data.get("mode"), pool_id, errors)
    text |= _place(data, mode, errors)
    pages = None
    if mode == RequestMode.WRITTEN:
        start, end = _due(data.get("due"), now, errors)
        pages = _pages(data.get("pages"), errors)
    else:
        start, end = _times(data, now, errors)
    persons = _persons(data.get("persons"), errors)
    gender = _gender(data.get("gender_required"), errors)
    preferred = _preferred(session, data.get("preferred_volunteer"), pool_id, errors)
    if errors:
        raise InvalidRequest(errors)
    assert start is not None and end is not None
    valid = RequestData(
        **text,
        **choices,  # type: ignore[arg-type]
        start=start,
        end=end,
        persons=persons,
        gender_required=gender,
        preferred_volunteer=preferred,
        mode=mode,
        pages=pages,
    )
    return valid, found


def _mode(session: Session, value: Any, pool_id: int, errors: dict[str, str]) -> str:
    """Read how the interpreter joins; phone, video and written translations only if the pool brokers them."""
    if value is None or value == "":
        return RequestMode.IN_PERSON
    if not isinstance(value, str) or value not in set(RequestMode):
        errors["mode"] = "Bitte wählen Sie einen Eintrag aus der Liste aus."
        return RequestMode.IN_PERSON
    pool = session.get(Pool, pool_id)
    if pool is None or value not in brokered_modes(pool):
        errors["mode"] = (
            "Schriftliche Übersetzungen vermittelt dieser Pool nicht: er vermittelt Sprachmittlung bei Gesprächen."
            if value == RequestMode.WRITTEN
            else "Termine am Telefon oder per Video vermittelt dieser Pool nicht. Bitte wählen Sie „vor Ort“."
        )
        return RequestMode.IN_PERSON
    return value


def _place(data: Mapping[str, Any], mode: str, errors: dict[str, str]) -> dict[str, str]:
    """Require the address for an appointment in person, and for a call how it comes about; drop the other.

    A written translation needs neither: it has no place, only the institution's town.
    """
    if mode == RequestMode.IN_PERSON:
        return {"address": _text(data, "address", 300, True, errors), "call_details": ""}
    if mode == RequestMode.WRITTEN:
        return {"address": "", "call_details": ""}
    details = _text(data, "call_details", 300, False, errors)
    if not details and "call_details" not in errors:
        errors["call_details"] = (
            "Bitte schreiben Sie kurz, wie das Gespräch zustande kommt (wer wen anruft, welcher Videodienst)."
        )
    return {"address": "", "call_details": details}


def _clean_text(value: str) -> str | None:
    """Strip the value; None when it holds characters no database or mail can carry."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return None
    if text_problem(value, multiline=True):
        return None
    return value.strip()


def _text(data: Mapping[str, Any], name: str, limit: int, required: bool, errors: dict[str, str]) -> str:
    value = data.get(name)
    if value is None:
        value = ""
    if not isinstance(value, str):
        errors[name] = MSG_TEXT
        return ""
    cleaned = _clean_text(value)
    if cleaned is None:
        errors[name] = MSG_CHARS
    elif required and not cleaned:
        errors[name] = MSG_REQUIRED
    elif len(cleaned) > limit:
        errors[name] = f"Bitte fassen Sie sich kürzer (höchstens {limit} Zeichen)."
    return cleaned or ""


def _email(value: str, errors: dict[str, str]) -> str:
    try:
        return validate_email(value, check_deliverability=False).normalized
    except EmailNotValidError:
        errors["contact_email"] = "Bitte geben Sie eine gültige E-Mail-Adresse an, z. B. name@kita.de."
        return value


def _choice(data: Mapping[str, Any], name: str, allowed: Mapping[str, str], errors: dict[str, str]) -> str:
    value = data.get(name)
    if value is None or value == "":
        errors[name] = "Bitte wählen Sie einen Eintrag aus."
    elif not isinstance(value, str) or value not in allowed:
        errors[name] = "Bitte wählen Sie einen Eintrag aus der Liste aus."
    return value if isinstance(value, str) else ""


def _key(data: Mapping[str, Any], name: str, errors: dict[str, str]) -> str:
    """Read a list entry's key (language code, town id): a short text without characters a query refuses."""
    value = data.get(name)
    if value is None or value == "":
        errors[name] = "Bitte wählen Sie einen Eintrag aus."
        return ""
    if not (isinstance(value, str) and 0 < len(value) <= 64 and _clean_text(value) == value):
        errors[name] = "Bitte wählen Sie einen Eintrag aus der Liste aus."
        return ""
    return value


def _listed(data: Mapping[str, Any], name: str, entry: Entry | None, errors: dict[str, str]) -> str:
    """Accept the key of an entry the pool offers; an unknown or retired one gets its own message."""
    if name in errors:
        return ""
    if entry is None:
        errors[name] = (
            "Diese Sprache kennt der Pool nicht. Bitte wählen Sie eine aus der Liste."
            if name == "language"
            else "Dieser Ort gehört nicht zur Region des Pools. Bitte wählen Sie einen aus der Liste."
        )
    elif entry.retired:
        # Retired entries stay on old requests but are no longer offered for new ones.
        errors[name] = (
            "Diese Sprache vermittelt der Pool zurzeit nicht. Bitte wählen Sie eine aus der Liste."
            if name == "language"
            else "Diesen Ort bietet der Pool nicht mehr an. Bitte wählen Sie einen aus der Liste."
        )
    return data[name]


def parse_time(value: Any) -> datetime | None:
    """Read a wall-clock time YYYY-MM-DDTHH:MM (seconds allowed, no time zone); None if it is none."""
    if not isinstance(value, str) or not 16 <= len(value) <= 19 or value[10:11] != "T":
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is None else None


def _times(
    data: Mapping[str, Any], now: datetime, errors: dict[str, str]
) -> tuple[datetime | None, datetime | None]:
    start, end = parse_time(data.get("start")), parse_time(data.get("end"))
    for name, value in (("start", start), ("end", end)):
        if value is None:
            errors[name] = MSG_REQUIRED if data.get(name) in (None, "") else MSG_TIME
        elif not exists_in_berlin(value):
            errors[name] = missing_hour_message(value)
    if start is not None and "start" not in errors:
        if start <= now:
            errors["start"] = (
                "Der Termin liegt in der Vergangenheit. Bitte wählen Sie einen künftigen Termin."
            )
        elif start.date() > now.date() + timedelta(days=MAX_DAYS_AHEAD):
            errors["start"] = "Anfragen nehmen wir höchstens ein Jahr im Voraus an."
    if start is not None and end is not None:
        if end <= start:
            errors["end"] = "Das Ende muss nach dem Beginn liegen."
        elif end.date() != start.date():
            errors["end"] = "Beginn und Ende müssen am selben Tag liegen."
    return start, end


def _due(value: Any, now: datetime, errors: dict[str, str]) -> tuple[datetime | None, datetime | None]:
    """Read a written translation's due day (YYYY-MM-DD) as its start and end: the day from 00:00 to 23:59."""
    if value is None or value == "":
        errors["due"] = "Bitte geben Sie an, bis wann die Übersetzung fertig sein soll."
        return None, None
    try:
        due = date.fromisoformat(value) if isinstance(value, str) and len(value) == 10 else None
    except ValueError:
        due = None
    if due is None:
        errors["due"] = "Bitte geben Sie das Datum an (Format JJJJ-MM-TT, z. B. 2025-03-18)."
        return None, None
    if due <= now.date():
        errors["due"] = "Die Abgabe muss nach dem heutigen Tag liegen."
    elif due > now.date() + timedelta(days=MAX_DAYS_AHEAD):
        errors["due"] = "Anfragen nehmen wir höchstens ein Jahr im Voraus an."
    return datetime.combine(due, time.min), datetime.combine(due, DUE_END)


def _pages(value: Any, errors: dict[str, str]) -> int | None:
    """Read the requester's estimate of a written translation's length in pages (required, 1 to 500)."""
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_PAGES:
        errors["pages"] = (
            MSG_REQUIRED
            if value in (None, "")
            else f"Bitte geben Sie eine ganze Zahl von 1 bis {MAX_PAGES} an (geschätzte Seitenzahl)."
        )
        return None
    return value


def _persons(value: Any, errors: dict[str, str]) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_PERSONS:
        errors["persons"] = f"Bitte geben Sie eine ganze Zahl zwischen 1 und {MAX_PERSONS} an."
        return None
    return value


def _gender(value: Any, errors: dict[str, str]) -> str | None:
    if value is None or value == "":
        return None
    if value not in ("f", "m"):
        errors["gender_required"] = "Bitte wählen Sie „Frau“, „Mann“ oder „egal“."
        return None
    return value


def _preferred(session: Session, value: Any, pool_id: int, errors: dict[str, str]) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 12:
        volunteer = session.get(Volunteer, int(value))
        if volunteer is not None and volunteer.active and volunteer.pool_id == pool_id:
            return volunteer.id
    errors["preferred_volunteer"] = "Diese Sprachmittlerin oder diesen Sprachmittler kennen wir nicht."
    return None


def valid_idempotency_key(key: str | None) -> bool:
    """Accept keys of printable ASCII up to 128 characters (UUIDs, random tokens)."""
    return key is None or (0 < len(key) <= MAX_IDEMPOTENCY_KEY and key.isascii() and key.isprintable())


# --- submission ---------------------------------------------------------------------------------


def submit(
    session: Session,
    *,
    data: Mapping[str, Any],
    idempotency_key: str | None,
    idempotency_scope: str = "public",
    now: datetime,
    instance_path: str,
    base_url: str,
    secret: str,
    pool_id: int,
) -> tuple[InterpretingRequest, str | None]:
    """Submit with the pool's effective rules (district file and the pool's choices) and NRW holidays."""
    return submit_request(
        session,
        pool_id=pool_id,
        data=data,
        now=now,
        rules=effective_rule_set(session, pool_id=pool_id, instance_path=instance_path),
        holidays=nrw_holidays(range(now.year, now.year + 2 + MAX_DAYS_AHEAD // 365)),
        idempotency_key=idempotency_key,
        idempotency_scope=idempotency_scope,
        base_url=base_url,
        secret=secret,
    )


class IdempotencyMismatch(ValueError):
    """The key was used before with another body (or by this caller for another request): 422, nothing shown."""


@dataclass(frozen=True)
class Idempotency:
    """A client's key bound to who sent it and what it sent, so a key alone opens nothing.

    scope names the caller ("form", "public", "user:<id>"); the stored key is a hash of pool, scope and key,
    so the same key from another caller is another key.
    """

    key: str
    scope: str
    body: str

    def stored_key(self, pool_id: int) -> str:
        return hashlib.sha256(f"idempotency\x00{pool_id}\x00{self.scope}\x00{self.key}".encode()).hexdigest()


def body_hash(data: Mapping[str, Any]) -> str:
    """Hash the body canonically (sorted keys, no spacing), so key order and layout do not count."""
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()


def _seal_key(secret: str) -> bytes:
    return hmac.new(secret.encode(), b"sprachmittlerpool.idempotency-seal.v1", hashlib.sha256).digest()


def seal_token(token: str, *, secret: str, stored_key: str) -> str:
    """Encrypt the random status token under the app's secret, bound to its stored key (AES-256-GCM)."""
    nonce = secrets.token_bytes(12)
    sealed = AESGCM(_seal_key(secret)).encrypt(nonce, token.encode(), stored_key.encode())
    return base64.urlsafe_b64encode(nonce + sealed).decode()


def unseal_token(sealed: str, *, secret: str, stored_key: str) -> str | None:
    """Return the sealed token, or None when it cannot be opened (other secret, tampered row)."""
    try:
        raw = base64.urlsafe_b64decode(sealed.encode())
        return AESGCM(_seal_key(secret)).decrypt(raw[:12], raw[12:], stored_key.encode()).decode()
    except (ValueError, InvalidTag):
        return None


def submit_request(
    session: Session,
    *,
    pool_id: int,
    data: Mapping[str, Any],
    now: datetime,
    rules: RuleSet,
    holidays: frozenset[date],
    idempotency_key: str | None,
    idempotency_scope: str = "public",
    base_url: str = "",
    secret: str | None = None,
) -> tuple[InterpretingRequest, str | None]:
    """Store a request with the rules' decision and queue the requester's mail; a repeat returns the first.

    The pool's closed days come with the look-up of the validation; a new request comes back as an
    object not attached to the session (see `_store`).

    A repeat is the same key from the same caller with the same body; any other body raises
    IdempotencyMismatch. The token is None only for a repeat whose sealed link cannot be opened.

    The key is not looked up first: a new request (nearly every call) would pay a query for nothing. The
    unique key refuses a repeat's insert instead, and a repeat that no longer validates (its appointment
    has passed since) is found by its key before the errors are shown.
    """
    keyed = Idempotency(idempotency_key, idempotency_scope, body_hash(data)) if idempotency_key else None
    try:
        valid, found = _checked(session, data, now=now, pool_id=pool_id)
    except InvalidRequest:
        earlier = _by_key(session, keyed.stored_key(pool_id)) if keyed else None
        if earlier is None or keyed is None:
            raise
        return earlier, _repeat_token(earlier, keyed, secret)
    known = found.sender
    facts = IntakeFacts(
        valid.institution_type,
        valid.appointment_type,
        valid.topic,
        valid.start,
        valid.end,
        institution_verified=known is not None and known.verified,
        institution_blocked=known is not None and known.blocked,
        written=valid.mode == RequestMode.WRITTEN,
    )
    decision = decide(facts, rules, today=now.date(), holidays=holidays, closed_days=found.closed_days)
    token = new_token()
    values = _request_values(pool_id, valid, decision, token=token, now=now, keyed=keyed, secret=secret)
    names = {"language": found.language.name, "municipality": found.municipality.name}  # type: ignore[union-attr]
    mail = _intake_mail(
        session, InterpretingRequest.model_construct(**values), token=token, base_url=base_url, names=names
    )
    try:
        ids = _store(session, values, valid, mail, sender_id=known.id if known else None, now=now)
        commit(session)
    except IntegrityError:
        # A repeat, or two clicks at once: the database's unique key kept the first, return it.
        session.rollback()
        earlier = _by_key(session, keyed.stored_key(pool_id)) if keyed else None
        if earlier is None or keyed is None:
            raise
        return earlier, _repeat_token(earlier, keyed, secret)
    return InterpretingRequest.model_construct(**values, **ids), token


def _remembered(pool_id: int, keyed: Idempotency, token: str, secret: str | None) -> dict[str, str | None]:
    """The columns that let a repeat of the key find this request and answer with its own link."""
    stored = keyed.stored_key(pool_id)
    return {
        "idempotency_key": stored,
        "idempotency_body_hash": keyed.body,
        "idempotency_sealed_token": seal_token(token, secret=secret, stored_key=stored) if secret else None,
    }


def _by_key(session: Session, stored_key: str) -> InterpretingRequest | None:
    statement = select(InterpretingRequest).where(InterpretingRequest.idempotency_key == stored_key)
    return session.exec(statement).first()


def _repeat_token(request: InterpretingRequest, keyed: Idempotency, secret: str | None) -> str | None:
    """Answer a repeat with its own link, only for the same body and only from what the server sealed."""
    if not hmac.compare_digest(request.idempotency_body_hash or "", keyed.body):
        raise IdempotencyMismatch("Idempotency-Key reused with another body")
    if secret is None or request.idempotency_sealed_token is None:
        return None
    token = unseal_token(
        request.idempotency_sealed_token, secret=secret, stored_key=request.idempotency_key or ""
    )
    return token if token and token_hash(token) == request.status_token_hash else None


def _request_values(
    pool_id: int,
    valid: RequestData,
    decision: Decision,
    *,
    token: str,
    now: datetime,
    keyed: Idempotency | None,
    secret: str | None,
) -> dict[str, Any]:
    """The new request's columns but its ids, which the database gives (`_store`).

    The request comes back as a copy built from them (`model_construct`: without validation or attribute
    events, a tenth of the constructor's cost), not attached to the session: nothing changes it in this
    transaction, and its insert is one plain statement.
    """
    return dict(
        pool_id=pool_id,
        contact_name=valid.contact_name,
        contact_email=valid.contact_email,
        contact_phone=valid.contact_phone,
        language_code=valid.language,
        dialect=valid.dialect,
        appointment_type=valid.appointment_type,
        topic=valid.topic,
        start=valid.start,
        end=valid.end,
        municipality_id=valid.municipality,
        address=valid.address,
        mode=valid.mode,
        call_details=valid.call_details,
        pages=valid.pages,
        persons=valid.persons,
        gender_required=valid.gender_required,
        preferred_volunteer_id=valid.preferred_volunteer,
        status=decision.status,
        urgent=decision.urgent,
        reasons=[
            {"rule": r.rule, "message": r.message, "effect": r.effect, "triggers": list(r.triggers)}
            for r in decision.reasons
        ],
        status_token_hash=token_hash(token),
        created_at=now,
        updated_at=now,
        **(_remembered(pool_id, keyed, token, secret) if keyed else {}),
    )


def _store(
    session: Session,
    values: dict[str, Any],
    valid: RequestData,
    mail: Mail,
    *,
    sender_id: int | None,
    now: datetime,
) -> dict[str, int]:
    """Write a new sender, the request, its audit row and the first mail at once; return the request's ids.

    One statement on PostgreSQL (`intake_store`). A sender two first requests add at once is one row: the
    unique identity keeps the first, and both requests name it. A repeated key fails here (IntegrityError),
    and nothing of the four is kept.
    """
    sender = {"pool_id": values["pool_id"], "name": valid.institution_name, "type": valid.institution_type,
              "email": valid.contact_email, "created_at": now, "note": ""}  # fmt: skip
    rows = NewRows(
        request=values,
        audit=_audit_row(values),
        mail=outbox_row(mail, now=now, pool_id=values["pool_id"]),
        sender=sender,
        sender_id=sender_id,
    )
    request_id, institution_id = store(session, rows)
    return {"id": request_id, "institution_id": institution_id}


def _audit_row(values: dict[str, Any]) -> dict[str, Any]:
    """The request's first audit row: submitted, and what the rules decided (its id is the database's)."""
    row = audit.row_values(
        REQUESTER, "request", "", "submitted", RequestStatus.SUBMITTED, values["status"],
        {"rules": [r["rule"] for r in values["reasons"]], "urgent": values["urgent"]},
    )  # fmt: skip
    del row["entity_id"]
    return row


def status_url(base_url: str, token: str) -> str:
    """Return the requester's status page address."""
    return f"{base_url.rstrip('/')}/status/{token}"


def _mail_context(request: InterpretingRequest, **extra: Any) -> dict[str, Any]:
    # a written translation has no slot: "am 03.12.2026, bis 23:59 Uhr" names its due day
    slot = f"{request.start.strftime('%H:%M')}–{request.end.strftime('%H:%M')}"
    return {
        "request": request,
        "date": request.start.strftime("%d.%m.%Y"),
        "time": f"bis {request.end:%H:%M}" if request.mode == RequestMode.WRITTEN else slot,
        **extra,
    }


def _intake_mail(
    session: Session, request: InterpretingRequest, *, token: str, base_url: str, names: dict[str, str]
) -> Mail:
    """Compose the requester's first mail; its key names the request the same transaction inserts.

    The receipt goes to whatever address the submitter typed, so it carries only words the pool chose
    (`names`: the language and the town as the pool's lists word them, date, time, the status link), never
    the submitter's own text.
    """
    if request.status == RequestStatus.REJECTED:
        return _rejected_mail(session, request, note="", dedupe_key=f"request:{REQUEST_ID_MARK}:rejected")
    return compose_mail(
        session,
        "request_received",
        pool_id=request.pool_id,
        recipient=request.contact_email,
        dedupe_key=f"request:{REQUEST_ID_MARK}:received",
        context=_mail_context(request, status_url=status_url(base_url, token), **names),
    )


def readable_reasons(
    session: Session, request: InterpretingRequest, *, rejecting_only: bool = False
) -> list[dict[str, str]]:
    """Return the request's reasons as people read them: the rule's German title and the explanation."""
    reasons = list(request.reasons)
    if rejecting_only:
        reasons = [r for r in reasons if r.get("effect") == "reject"] or reasons
    titles = rule_titles(session, pool_id=request.pool_id, instance_path=current_app.instance_path)
    return [
        {"rule": r["rule"], "title": rule_title(titles, r["rule"]), "message": r["message"]} for r in reasons
    ]


def _queue_rejected(session: Session, request: InterpretingRequest, *, note: str, now: datetime) -> None:
    mail = _rejected_mail(session, request, note=note, dedupe_key=f"request:{request.id}:rejected")
    enqueue(session, mail, now=now, pool_id=request.pool_id)


def _rejected_mail(session: Session, request: InterpretingRequest, *, note: str, dedupe_key: str) -> Mail:
    rejecting = readable_reasons(session, request, rejecting_only=True)
    return compose_mail(
        session,
        "request_rejected",
        pool_id=request.pool_id,
        recipient=request.contact_email,
        dedupe_key=dedupe_key,
        context=_mail_context(request, reasons=rejecting, note=note),
    )


# --- lookups for the status page and the API ----------------------------------------------------


def find_by_token(session: Session, token: str) -> InterpretingRequest | None:
    """Return the request a status token belongs to, or None for any unknown or tampered token."""
    if not token or len(token) > 100:
        return None
    statement = select(InterpretingRequest).where(InterpretingRequest.status_token_hash == token_hash(token))
    return session.exec(statement).first()


def confirmed_volunteer(session: Session, request: InterpretingRequest) -> Volunteer | None:
    """Return the volunteer of the request's accepted offer, if any."""
    statement = (
        select(Volunteer)
        .join(Offer, col(Offer.volunteer_id) == Volunteer.id)
        .where(Offer.request_id == request.id, Offer.status == OfferStatus.ACCEPTED)
    )
    return session.exec(statement).first()


STARTED_MESSAGE = "Der Termin hat bereits begonnen. Eine Absage ist jetzt nicht mehr möglich."


def is_cancellable(request: InterpretingRequest, *, now: datetime) -> bool:
    """Tell whether the requester may still cancel: not once the appointment has begun (the work is done)."""
    return request.status in CANCELLABLE and now < request.start


def status_view(session: Session, request: InterpretingRequest, *, now: datetime) -> dict[str, Any]:
    """Return what the requester may see of its request: no other person's data but the interpreter's first name."""
    language = session.get(Language, (request.pool_id, request.language_code))
    municipality = session.get(Municipality, (request.pool_id, request.municipality_id))
    shown = request.status in (RequestStatus.CONFIRMED, RequestStatus.COMPLETED, RequestStatus.SETTLED)
    volunteer = confirmed_volunteer(session, request) if shown else None
    return {
        "status": request.status,
        "status_label": STATUS_LABELS.get(RequestStatus(request.status), request.status),
        "date": request.start.strftime("%d.%m.%Y"),
        "start": request.start.strftime("%Y-%m-%dT%H:%M"),
        "end": request.end.strftime("%Y-%m-%dT%H:%M"),
        "time": f"{request.start.strftime('%H:%M')}–{request.end.strftime('%H:%M')}",
        "language": language.name_de if language else request.language_code,
        "municipality": municipality.name if municipality else request.municipality_id,
        "address": request.address,
        "place": place_words(request, municipality.name if municipality else request.municipality_id),
        "written": request.mode == RequestMode.WRITTEN,
        "volunteer_first_name": volunteer.first_name if volunteer else None,
        "reasons": readable_reasons(session, request),
        "decision_note": request.decision_note,
        "cancellable": is_cancellable(request, now=now),
        "late": request.start - now < timedelta(hours=cutoff_hours()),
    }


# --- state changes after submission -------------------------------------------------------------


def _move(
    session: Session, request: InterpretingRequest, *, allowed: tuple[str, ...], to: str, now: datetime
) -> str:
    """Compare-and-set the status, so two clicks or two coordinators cannot both win; return the old status."""
    before = request.status
    result = session.execute(
        update(InterpretingRequest)
        .where(col(InterpretingRequest.id) == request.id, col(InterpretingRequest.status).in_(allowed))
        .values(status=to, updated_at=now)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        session.rollback()
        raise StateConflict(f"request {request.id} is {before}, not in {allowed}")
    session.refresh(request)
    return before


def cancel_request(
    session: Session, *, request: InterpretingRequest, now: datetime, actor: str = REQUESTER
) -> None:
    """Cancel a request for its requester and confirm it by mail.

    Before matching (submitted, review) intake cancels itself; from open on, the coordination
    side's cancel_confirmed owns it (pending offers withdrawn with the volunteers' mails, a
    confirmed assignment cancelled, late inside the cut-off). The requester's mail is queued
    inside that change's transaction, on every retry, so it commits or rolls back with it.
    """
    if request.status in BEFORE_MATCHING:
        before = _move(session, request, allowed=BEFORE_MATCHING, to=RequestStatus.CANCELLED, now=now)
        audit.record(
            session,
            actor=actor,
            entity="request",
            entity_id=str(request.id),
            action="cancel",
            from_state=before,
            to_state=RequestStatus.CANCELLED,
        )
        _queue_cancelled(session, request, now=now)
        session.commit()
        return
    if request.status in CANCELLABLE and now >= request.start:
        raise StateConflict(STARTED_MESSAGE, shown=True)
    if not is_cancellable(request, now=now):
        raise StateConflict(f"request {request.id} is {request.status}")
    assignments = import_module("sprachmittlerpool.services.assignments")
    offers = import_module("sprachmittlerpool.services.offers")
    try:
        assignments.cancel_confirmed(
            session,
            request=request,
            now=now,
            actor=actor,
            also=lambda attempt: _queue_cancelled(attempt, request, now=now),
        )
    except offers.Conflict as exc:
        session.rollback()
        raise StateConflict(exc.message, busy=exc.code == "busy") from exc
    session.refresh(request)


def _queue_cancelled(session: Session, request: InterpretingRequest, *, now: datetime) -> None:
    queue_mail(
        session,
        "request_cancelled",
        pool_id=request.pool_id,
        recipient=request.contact_email,
        dedupe_key=f"request:{request.id}:cancelled",
        context=_mail_context(request),
        now=now,
    )


def decide_review(
    session: Session, *, request: InterpretingRequest, decision: str, note: str, now: datetime, actor: str
) -> InterpretingRequest:
    """Settle a request in review: accept opens it for matching, reject ends it; the requester is told."""
    if decision not in ("accept", "reject"):
        raise InvalidRequest({"decision": "Bitte wählen Sie „annehmen“ oder „ablehnen“."})
    to = RequestStatus.OPEN if decision == "accept" else RequestStatus.REJECTED
    before = _move(session, request, allowed=(RequestStatus.REVIEW,), to=to, now=now)
    request.decision_note = note
    session.add(request)
    audit.record(
        session,
        actor=actor,
        entity="request",
        entity_id=str(request.id),
        action="review_accepted" if decision == "accept" else "review_rejected",
        from_state=before,
        to_state=to,
        # The note itself lives on the request, where retention blanks it; the trail only says there was one.
        detail={"with_note": True} if note else {},
    )
    if to == RequestStatus.OPEN:
        queue_mail(
            session,
            "request_accepted",
            pool_id=request.pool_id,
            recipient=request.contact_email,
            dedupe_key=f"request:{request.id}:accepted",
            context=_mail_context(request, note=note),
            now=now,
        )
    else:
        _queue_rejected(session, request, note=note, now=now)
    session.commit()
    return request


def check_note(note: Any) -> str:
    """Validate a coordinator's note on a decision."""
    if note is None:
        return ""
    if not isinstance(note, str):
        raise InvalidRequest({"note": MSG_TEXT})
    cleaned = _clean_text(note)
    if cleaned is None:
        raise InvalidRequest({"note": MSG_CHARS})
    if len(cleaned) > 2000:
        raise InvalidRequest({"note": "Bitte fassen Sie sich kürzer (höchstens 2000 Zeichen)."})
    return cleaned


@dataclass(frozen=True)
class ReviewItem:
    """A request waiting for a coordinator, with the names a person reads."""

    request: InterpretingRequest
    institution: Institution
    language: str
    municipality: str


def review_queue(session: Session, *, pool_id: int) -> list[ReviewItem]:
    """Return the requests in review, urgent ones first, then by appointment."""
    statement = (
        select(InterpretingRequest, Institution, Language.name_de, Municipality.name)
        .join(Institution, col(Institution.id) == InterpretingRequest.institution_id)
        .join(Language, request_language_join())
        .join(Municipality, request_municipality_join())
        .where(InterpretingRequest.pool_id == pool_id, InterpretingRequest.status == RequestStatus.REVIEW)
        .order_by(
            col(InterpretingRequest.urgent).desc(),
            col(InterpretingRequest.start),
            col(InterpretingRequest.id),
        )
    )
    return [ReviewItem(*row) for row in session.exec(statement).all()]
