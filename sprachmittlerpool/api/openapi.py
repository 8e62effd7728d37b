"""GET /api/v1/openapi.json."""

from flask import jsonify, request

from sprachmittlerpool.api import bp, spec


@bp.get("/openapi.json")
def openapi():
    """Serve the description of this API."""
    return jsonify(spec.document(request.host_url.rstrip("/")))


spec.add_paths(
    {
        "/api/v1/openapi.json": {
            "get": {
                "summary": "Die Beschreibung dieser Schnittstelle",
                "responses": {
                    "200": {
                        "description": "OpenAPI 3.1",
                        "content": {"application/json": {"schema": {"type": "object"}}},
                    }
                },
            }
        }
    }
)
