"""One error tree, rendered as RFC 9457 problem+json in one place.

    DomainError                    500  (never raised bare)
    ├── InvalidInput               422  invalid-input       bad value the schema could not catch
    ├── NotAuthenticated           401  not-authenticated   no or bad credentials
    ├── PermissionDenied           403  permission-denied   authenticated, but not allowed
    ├── NotFound                   404  not-found           absent, or hidden by tenancy
    ├── Conflict                   409  conflict            clashes with current state
    │   └── IllegalTransition      409  illegal-transition  state machine refuses the move
    ├── PayloadTooLarge            413  payload-too-large   a body over the endpoint's limit
    └── RateLimited                429  rate-limited        too many attempts

Modules subclass these with their own stable `code` (`offer-not-found`, `insufficient-stock`);
the problem `type` is `/problems/<code>`, a page the app serves. A 5xx is always a bug.
"""

from __future__ import annotations

from typing import Any, ClassVar


class DomainError(Exception):
    status: ClassVar[int] = 500
    code: ClassVar[str] = "internal-error"
    title: ClassVar[str] = "Internal error"

    def __init__(self, detail: str, *, field: str | None = None, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.field = field
        self.extra = extra


class InvalidInput(DomainError):
    status = 422
    code = "invalid-input"
    title = "Invalid input"


class NotAuthenticated(DomainError):
    status = 401
    code = "not-authenticated"
    title = "Not authenticated"


class PermissionDenied(DomainError):
    status = 403
    code = "permission-denied"
    title = "Permission denied"


class NotFound(DomainError):
    status = 404
    code = "not-found"
    title = "Not found"


class Conflict(DomainError):
    status = 409
    code = "conflict"
    title = "Conflict"


class IllegalTransition(Conflict):
    code = "illegal-transition"
    title = "Illegal state transition"


class PayloadTooLarge(DomainError):
    status = 413
    code = "payload-too-large"
    title = "Payload too large"


class RateLimited(DomainError):
    status = 429
    code = "rate-limited"
    title = "Too many requests"

    def __init__(self, detail: str, *, retry_after: int, **extra: Any) -> None:
        super().__init__(detail, **extra)
        self.retry_after = retry_after
