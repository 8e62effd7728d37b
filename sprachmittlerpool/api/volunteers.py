"""Coordinators manage volunteers: /api/v1/volunteers (api.md); the IBAN only ever comes back masked."""

from __future__ import annotations

from flask import g, jsonify
from werkzeug.wrappers import Response

from sprachmittlerpool.api import bp, spec
from sprachmittlerpool.api.common import ApiError, coordinator_required, json_body, row_id
from sprachmittlerpool.db import get_session
from sprachmittlerpool.models import QualificationKind, Volunteer
from sprachmittlerpool.pools import current_pool_id, get_in_pool
from sprachmittlerpool.services import volunteers as service
from sprachmittlerpool.volunteer_import import API_FIELDS, VolunteerData, check_api_fields, parse_date

PATCH_FIELDS = API_FIELDS | {"active"}


def _actor() -> str:
    return f"user:{g.api_user.id}"


def _invalid(errors: dict[str, str]) -> ApiError:
    return ApiError(422, "invalid", "Bitte die markierten Angaben prüfen.", errors)


def _duplicate() -> ApiError:
    return ApiError(
        409, "duplicate_email", "Diese E-Mail-Adresse gehört schon einer Person im Pool.",
        {"email": "Diese E-Mail-Adresse ist schon vergeben."},
    )  # fmt: skip


def _load(volunteer_id: str) -> Volunteer:
    known = row_id(volunteer_id)  # str.isdigit() also takes "¹", which int() refuses (a 500)
    volunteer = get_in_pool(get_session(), Volunteer, known) if known is not None else None
    if volunteer is None:
        raise ApiError(404, "not_found", "Diese Person gibt es nicht.")
    return volunteer


@bp.post("/volunteers")
@coordinator_required
def create_volunteer() -> tuple[Response, int]:
    """Add a volunteer."""
    db = get_session()
    clean, errors = check_api_fields(
        json_body(API_FIELDS), service.load_catalog(db, pool_id=current_pool_id(db)), partial=False
    )
    if errors:
        raise _invalid(errors)
    try:
        volunteer = service.create_volunteer(
            db, VolunteerData(**clean), pool_id=current_pool_id(db), actor=_actor()
        )
    except service.DuplicateEmail:
        raise _duplicate() from None
    return jsonify({"id": str(volunteer.id)}), 201


@bp.get("/volunteers")
@coordinator_required
def list_volunteers() -> Response:
    """List all volunteers."""
    return jsonify(
        {"volunteers": service.describe_all(get_session(), pool_id=current_pool_id(get_session()))}
    )


@bp.get("/volunteers/<volunteer_id>")
@coordinator_required
def get_volunteer(volunteer_id: str) -> Response:
    """Show one volunteer."""
    return jsonify(service.describe(get_session(), _load(volunteer_id)))


@bp.patch("/volunteers/<volunteer_id>")
@coordinator_required
def patch_volunteer(volunteer_id: str) -> Response:
    """Change some fields of a volunteer; `"iban": null` removes the IBAN."""
    db = get_session()
    volunteer = _load(volunteer_id)
    clean, errors = check_api_fields(
        json_body(PATCH_FIELDS), service.load_catalog(db, pool_id=current_pool_id(db)), partial=True
    )
    if errors:
        raise _invalid(errors)
    if volunteer.anonymised_at is not None:
        raise ApiError(409, "anonymised", "Die Daten dieser Person wurden gelöscht.")
    try:
        service.update_volunteer(db, volunteer, clean, actor=_actor())
    except service.DuplicateEmail:
        raise _duplicate() from None
    return jsonify(service.describe(db, volunteer))


@bp.post("/volunteers/<volunteer_id>/absences")
@coordinator_required
def add_absence(volunteer_id: str) -> tuple[Response, int]:
    """Record days a volunteer is away."""
    db = get_session()
    volunteer = _load(volunteer_id)
    body = json_body({"start", "end"})
    errors: dict[str, str] = {}
    dates = {}
    for name in ("start", "end"):
        try:
            dates[name] = parse_date(body.get(name))
        except ValueError as error:
            errors[name] = str(error)
    if not errors and dates["end"] < dates["start"]:
        errors["end"] = "Das Ende darf nicht vor dem Beginn liegen."
    if errors:
        raise _invalid(errors)
    absence = service.add_absence(db, volunteer, start=dates["start"], end=dates["end"], actor=_actor())
    return jsonify(
        {"id": str(absence.id), "start": absence.start.isoformat(), "end": absence.end.isoformat()}
    ), 201


# ---------------------------------------------------------------- OpenAPI

_TIME = {"type": "string", "pattern": "^[0-9]{2}:[0-9]{2}$"}
_WINDOW = {
    "type": "object",
    "required": ["weekday", "start", "end"],
    "additionalProperties": False,
    "properties": {"weekday": {"type": "integer", "minimum": 0, "maximum": 6}, "start": _TIME, "end": _TIME},
}
_DATE_OR_NULL = {"type": ["string", "null"], "format": "date"}
_QUALIFICATION = {
    "type": "object",
    "required": ["kind"],
    "additionalProperties": False,
    "description": "Ein Nachweis: Datum (Schulung, Unterschrift, Ausstellung, Treffen) und/oder letzter gültiger Tag",
    "properties": {
        "kind": {"type": "string", "enum": [kind.value for kind in QualificationKind]},
        "date": _DATE_OR_NULL,
        "valid_until": _DATE_OR_NULL,
    },
}
_INPUT_PROPERTIES = {
    "name": {"type": "string", "maxLength": 200},
    "email": {"type": "string", "format": "email", "maxLength": 254},
    "phone": {"type": ["string", "null"], "maxLength": 60},
    "gender": {"type": ["string", "null"], "enum": ["f", "m", "d", None]},
    "home": {"type": "string", "description": "Id einer Kommune (GET /api/v1/municipalities)"},
    "max_distance_km": {"type": "number", "minimum": 0, "maximum": 500},
    "languages": {"type": "array", "items": {"type": "string"}, "minItems": 1},
    "availability": {"type": "array", "items": _WINDOW},
    "max_per_week": {"type": "integer", "minimum": 0, "maximum": 50},
    "iban": {
        "type": ["string", "null"],
        "description": "Wird verschlüsselt gespeichert und nur maskiert gezeigt",
    },
    "remote": {"type": "boolean", "description": "übernimmt Termine am Telefon oder per Video"},
    "qualifications": {
        "type": "array",
        "items": _QUALIFICATION,
        "description": "Alle Nachweise der Person; ersetzt beim Ändern die bisherigen (jede Art höchstens einmal)",
    },
}
_ABSENCE = {
    "type": "object",
    "required": ["id", "start", "end"],
    "properties": {
        "id": {"type": "string"},
        "start": {"type": "string", "format": "date"},
        "end": {"type": "string", "format": "date"},
    },
}
SCHEMAS = {
    "VolunteerInput": {
        "type": "object",
        "required": ["name", "email", "home", "languages"],
        "additionalProperties": False,
        "properties": _INPUT_PROPERTIES,
    },
    "VolunteerPatch": {
        "type": "object",
        "additionalProperties": False,
        "properties": _INPUT_PROPERTIES | {"active": {"type": "boolean"}},
    },
    "Volunteer": {
        "type": "object",
        "required": [
            "id",
            "name",
            "email",
            "home",
            "languages",
            "availability",
            "absences",
            "iban",
            "remote",
            "qualifications",
            "active",
        ],
        "properties": {
            "id": {"type": "string"},
            "name": {"type": "string"},
            "email": {"type": "string"},
            "phone": {"type": "string"},
            "gender": {"type": ["string", "null"]},
            "home": {"type": "string"},
            "max_distance_km": {"type": "number"},
            "max_per_week": {"type": "integer"},
            "languages": {"type": "array", "items": {"type": "string"}},
            "availability": {"type": "array", "items": _WINDOW},
            "absences": {"type": "array", "items": _ABSENCE},
            "iban": {
                "type": ["string", "null"],
                "description": "maskiert, z. B. DE89 **** **** **** **30 00",
            },
            "remote": {"type": "boolean"},
            "qualifications": {"type": "array", "items": _QUALIFICATION},
            "active": {"type": "boolean"},
            "anonymised": {"type": "boolean"},
            "created_at": {"type": "string"},
        },
    },
    "Absence": _ABSENCE,
}


def _json(schema: dict) -> dict:
    return {"application/json": {"schema": schema}}


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


_ID_PARAM = [{"name": "volunteer_id", "in": "path", "required": True, "schema": {"type": "string"}}]

spec.add_paths(
    {
        "/api/v1/volunteers": {
            "post": {
                "summary": "Sprachmittler/in anlegen",
                "security": spec.BEARER,
                "requestBody": {"required": True, "content": _json(_ref("VolunteerInput"))},
                "responses": {
                    "201": {
                        "description": "Angelegt",
                        "content": _json(
                            {"type": "object", "required": ["id"], "properties": {"id": {"type": "string"}}}
                        ),
                    },
                    **spec.error_responses(400, 401, 403, 409, 413, 415, 422),
                },
            },
            "get": {
                "summary": "Alle Sprachmittelnden",
                "security": spec.BEARER,
                "responses": {
                    "200": {
                        "description": "Liste",
                        "content": _json(
                            {
                                "type": "object",
                                "required": ["volunteers"],
                                "properties": {"volunteers": {"type": "array", "items": _ref("Volunteer")}},
                            }
                        ),
                    },
                    **spec.error_responses(401, 403),
                },
            },
        },
        "/api/v1/volunteers/{volunteer_id}": {
            "get": {
                "summary": "Eine Person",
                "security": spec.BEARER,
                "parameters": _ID_PARAM,
                "responses": {
                    "200": {"description": "Die Person", "content": _json(_ref("Volunteer"))},
                    **spec.error_responses(401, 403, 404),
                },
            },
            "patch": {
                "summary": "Angaben ändern (Sprachen und Zeiten ersetzen die bisherigen)",
                "security": spec.BEARER,
                "parameters": _ID_PARAM,
                "requestBody": {"required": True, "content": _json(_ref("VolunteerPatch"))},
                "responses": {
                    "200": {"description": "Geändert", "content": _json(_ref("Volunteer"))},
                    **spec.error_responses(400, 401, 403, 404, 409, 413, 415, 422),
                },
            },
        },
        "/api/v1/volunteers/{volunteer_id}/absences": {
            "post": {
                "summary": "Abwesenheit eintragen (beide Tage einschließlich)",
                "security": spec.BEARER,
                "parameters": _ID_PARAM,
                "requestBody": {
                    "required": True,
                    "content": _json(
                        {
                            "type": "object",
                            "required": ["start", "end"],
                            "additionalProperties": False,
                            "properties": {
                                "start": {"type": "string", "format": "date"},
                                "end": {"type": "string", "format": "date"},
                            },
                        }
                    ),
                },
                "responses": {
                    "201": {"description": "Eingetragen", "content": _json(_ref("Absence"))},
                    **spec.error_responses(400, 401, 403, 404, 413, 415, 422),
                },
            },
        },
    },
    SCHEMAS,
)
