"""Reading HTML forms: plain strings in, the services' own validation errors out, by field."""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import ValidationError
from starlette.datastructures import FormData

#: A form field is at most this long; longer values are cut (the services refuse them).
MAX_FIELD = 2_000


def text(form: FormData, name: str) -> str:
    """A field's value, stripped; "" when absent or a file."""
    value = form.get(name)
    return value.strip()[:MAX_FIELD] if isinstance(value, str) else ""


def field_errors(exc: ValidationError, names: Mapping[str, str] | None = None) -> dict[str, str]:
    """A Pydantic error per form field: `names` maps a dotted location to the field's name
    (unmapped locations name the field themselves). The first message per field wins."""
    found: dict[str, str] = {}
    for error in exc.errors(include_url=False, include_input=False):
        location = ".".join(str(part) for part in error.get("loc", ()))
        name = (names or {}).get(location, location.split(".")[-1] or "form")
        message = str(error.get("msg", "invalid"))
        found.setdefault(name, message.removeprefix("Value error, "))
    return found


def safe_next(url: str) -> str:
    """Where to go back to after a form: only a path on this site (no open redirects)."""
    if url.startswith("/") and not url.startswith("//") and "\\" not in url:
        return url
    return "/"
