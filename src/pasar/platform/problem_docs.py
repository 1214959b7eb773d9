"""Documents the problem+json error responses in the OpenAPI document.

Every API error is RFC 9457 `application/problem+json` (see `problems`), so each API
operation documents its client errors as one `4XX` response with the Problem schema, and a
4xx a route already documents gains the same body. FastAPI's default 422
(`application/json` with `detail`) is not what Pasar answers, so it becomes a Problem too.
Clients and the contract tests (schemathesis) then see what the API really sends. The
generated document is rewritten (FastAPI builds it lazily from nested routers).
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from pasar.platform.problems import MEDIA_TYPE

PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "type": "object",
    "description": "RFC 9457 problem details; `type` is stable (`/problems/<code>`).",
    "required": ["type", "title", "status"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "field": {"type": "string"},
        "errors": {"type": "array", "items": {"type": "object"}},
    },
}
_CONTENT = {MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}


def document_problems(app: FastAPI, *, prefix: str = "/api/") -> None:
    """Make `app.openapi()` document problem+json errors on every API operation."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = generate()
            for path, item in document.get("paths", {}).items():
                if path.startswith(prefix):
                    for operation in item.values():
                        _document_operation(operation)
            schemas = document.setdefault("components", {}).setdefault("schemas", {})
            schemas["Problem"] = PROBLEM_SCHEMA
            schemas.pop("HTTPValidationError", None)
            schemas.pop("ValidationError", None)
        return app.openapi_schema or generate()

    app.openapi = openapi  # type: ignore[method-assign]


def _document_operation(operation: dict[str, Any]) -> None:
    responses: dict[str, dict[str, Any]] = operation.setdefault("responses", {})
    for code, response in responses.items():
        if code.startswith("4"):
            response["content"] = dict(_CONTENT)
    responses.setdefault(
        "4XX", {"description": "A client error, as problem+json.", "content": dict(_CONTENT)}
    )
