"""Exception handlers that turn every failure into problem+json (RFC 9457)."""

from __future__ import annotations

from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError, IntegrityError
from starlette.exceptions import HTTPException as StarletteHTTPException

from pasar.platform.errors import DomainError, RateLimited

log = structlog.get_logger("pasar.errors")
MEDIA_TYPE = "application/problem+json"

#: Problem types the HTTP layer itself produces, beside each module's DomainError codes.
HTTP_CODES = {
    400: "bad-request",
    401: "not-authenticated",
    403: "permission-denied",
    404: "not-found",
    405: "method-not-allowed",
    406: "not-acceptable",
    409: "conflict",
    413: "payload-too-large",
    415: "unsupported-media-type",
    422: "validation-failed",
    429: "rate-limited",
    503: "service-unavailable",
}

#: SQLSTATEs of a database that is starting up or shutting down (class 08 is "connection
#: exception"): the request did nothing, and the same request later may well succeed.
DATABASE_GOING = {"57P01", "57P02", "57P03"}


def problem(
    request: Request,
    *,
    status: int,
    code: str,
    title: str,
    detail: str,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": f"/problems/{code}",
        "title": title,
        "status": status,
        "detail": detail,
        "instance": request.url.path,
    }
    body.update({k: v for k, v in extra.items() if v is not None})
    return JSONResponse(body, status_code=status, media_type=MEDIA_TYPE, headers=headers)


def _field_path(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] in {"body", "query", "path", "header", "cookie"}:
        parts = parts[1:] or parts
    return ".".join(parts)


async def _validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [
        {
            "field": _field_path(err.get("loc", ())),
            "in": str(err.get("loc", ("body",))[0]),
            "message": err.get("msg", "invalid"),
            "type": err.get("type", "value_error"),
        }
        for err in exc.errors()
    ]
    fields = ", ".join(e["field"] for e in errors if e["field"]) or "the request"
    return problem(
        request,
        status=422,
        code="validation-failed",
        title="Validation failed",
        detail=f"Check {fields}.",
        errors=errors,
    )


async def _domain(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)
    headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, RateLimited) else None
    if exc.status == 401:
        headers = {"WWW-Authenticate": "Bearer"}
    if exc.status >= 500:
        log.error("domain_error", code=exc.code, detail=exc.detail)
    return problem(
        request,
        status=exc.status,
        code=exc.code,
        title=exc.title,
        detail=exc.detail,
        headers=headers,
        field=exc.field,
        **exc.extra,
    )


async def _http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = HTTP_CODES.get(exc.status_code, "http-error")
    detail = exc.detail if isinstance(exc.detail, str) else "Request failed."
    return problem(
        request,
        status=exc.status_code,
        code=code,
        title=code.replace("-", " ").capitalize(),
        detail=detail,
        headers=getattr(exc, "headers", None),
    )


async def _integrity(request: Request, exc: Exception) -> JSONResponse:
    log.warning("integrity_error", error=str(getattr(exc, "orig", exc))[:300])
    return problem(
        request,
        status=409,
        code="conflict",
        title="Conflict",
        detail="The change conflicts with existing data (a duplicate or a missing reference).",
    )


def _sqlstate(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None)
    for candidate in (orig, getattr(orig, "__cause__", None)):
        state = getattr(candidate, "sqlstate", None) or getattr(candidate, "pgcode", None)
        if isinstance(state, str):
            return state
    return ""


async def _data_error(request: Request, exc: Exception) -> JSONResponse:
    """SQLSTATE class 22 ("data exception": a NUL byte in text, a number out of range) is
    the caller's bad value that slipped past the schema; anything else is our bug."""
    state = _sqlstate(exc)
    lost = getattr(exc, "connection_invalidated", False)
    if lost or state[:2] == "08" or state in DATABASE_GOING:
        return await _unavailable(request, exc)
    if not state.startswith("22"):
        return await _unhandled(request, exc)
    log.warning("data_error", sqlstate=_sqlstate(exc), error=str(getattr(exc, "orig", exc))[:300])
    return problem(
        request,
        status=422,
        code="invalid-data",
        title="Invalid data",
        detail="A value cannot be stored (for example a NUL character or an out-of-range number).",
    )


async def _unavailable(request: Request, exc: Exception) -> JSONResponse:
    """The database (or a connection to it) is down: a 503 with Retry-After tells clients
    that retrying is right, where a 500 would say the request itself is at fault."""
    log.warning("service_unavailable", path=request.url.path, error=repr(exc)[:300])
    return problem(
        request,
        status=503,
        code="service-unavailable",
        title="Service unavailable",
        detail="The database cannot be reached right now; retry in a moment "
        "(with the same Idempotency-Key, a retry is safe).",
        headers={"Retry-After": "2"},
    )


async def _unhandled(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled_error", path=request.url.path)
    return problem(
        request,
        status=500,
        code="internal-error",
        title="Internal error",
        detail="An unexpected error occurred; it has been logged.",
    )


def install(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(DomainError, _domain)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(IntegrityError, _integrity)
    app.add_exception_handler(DBAPIError, _data_error)
    app.add_exception_handler(ConnectionError, _unavailable)
    app.add_exception_handler(Exception, _unhandled)
