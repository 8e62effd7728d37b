"""The OpenAPI 3.1 description, assembled from the parts each API module registers."""

from __future__ import annotations

from typing import Any

PATHS: dict[str, dict[str, Any]] = {}
SCHEMAS: dict[str, dict[str, Any]] = {
    "Error": {
        "type": "object",
        "required": ["error", "message"],
        "properties": {
            "error": {"type": "string"},
            "message": {"type": "string"},
            "fields": {"type": "object", "additionalProperties": {"type": "string"}},
        },
    },
}


def add_paths(paths: dict[str, dict[str, Any]], schemas: dict[str, dict[str, Any]] | None = None) -> None:
    """Register paths (merging methods of one path) and component schemas."""
    for path, operations in paths.items():
        PATHS.setdefault(path, {}).update(operations)
    SCHEMAS.update(schemas or {})


def error_responses(*statuses: int) -> dict[str, Any]:
    """Describe the JSON error bodies an operation may answer."""
    texts = {
        400: "Kein gültiges JSON oder unbekannte Felder",
        401: "Keine oder ungültige Anmeldung",
        403: "Keine Berechtigung",
        404: "Nicht gefunden",
        409: "Konflikt mit dem aktuellen Stand",
        413: "Zu groß",
        415: "Kein JSON",
        422: "Ungültige Werte",
        429: "Zu viele Anfragen",
    }
    ref = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    return {str(status): {"description": texts[status], "content": ref} for status in statuses}


BEARER = [{"bearerAuth": []}, {"cookieAuth": []}]


def document(server_url: str) -> dict[str, Any]:
    """Return the whole description."""
    return {
        "openapi": "3.1.0",
        "info": {"title": "Sprachmittlerpool API", "version": "1"},
        "servers": [{"url": server_url}],
        "paths": PATHS,
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer"},
                "cookieAuth": {"type": "apiKey", "in": "cookie", "name": "session"},
            },
        },
    }
