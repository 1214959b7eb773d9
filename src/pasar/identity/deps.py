"""FastAPI dependencies that declare who may call an endpoint.

Every route under /api/v1 names one of these (or is listed as public in the tests), so
"who may call it" is visible in the code and in the OpenAPI document's security section.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from pasar.identity import service
from pasar.identity.domain import Principal, Role
from pasar.platform.db import Session
from pasar.platform.errors import NotAuthenticated, PermissionDenied
from pasar.platform.types import Id

bearer = HTTPBearer(
    auto_error=False,
    scheme_name="bearer",
    description="A user token (`pat_…`, from POST /api/v1/auth/token) or a seller API key "
    "(`psk_…`).",
)


async def optional_principal(
    session: Session,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Principal | None:
    if credentials is None:
        return None
    principal = await service.resolve(session, credentials.credentials)
    if principal is None:
        raise NotAuthenticated("The token or API key is unknown, expired or revoked.")
    return principal


async def current_principal(
    principal: Annotated[Principal | None, Depends(optional_principal)],
) -> Principal:
    if principal is None:
        raise NotAuthenticated("Send `Authorization: Bearer <token or API key>`.")
    return principal


def require_roles(*roles: Role) -> Callable[[Principal], Awaitable[Principal]]:
    allowed = frozenset(roles)

    async def dependency(
        principal: Annotated[Principal, Depends(current_principal)],
    ) -> Principal:
        if principal.role not in allowed:
            names = ", ".join(sorted(r.value for r in allowed))
            raise PermissionDenied(f"This endpoint is for: {names}.")
        return principal

    return dependency


def ensure_acts_for(principal: Principal, seller_id: Id) -> None:
    """Refuse unless the caller is the seller's own staff/key or an operator."""
    if not principal.acts_for(seller_id):
        raise PermissionDenied("You may act only for your own seller account.")


async def seller_scope(
    seller_id: Id, principal: Annotated[Principal, Depends(current_principal)]
) -> Principal:
    """Guard for `/sellers/{seller_id}/...` routes; runs before the body is even read."""
    ensure_acts_for(principal, seller_id)
    return principal


OptionalPrincipal = Annotated[Principal | None, Depends(optional_principal)]
CurrentPrincipal = Annotated[Principal, Depends(current_principal)]
OperatorPrincipal = Annotated[Principal, Depends(require_roles(Role.OPERATOR))]
SellerPrincipal = Annotated[Principal, Depends(require_roles(Role.SELLER_STAFF, Role.OPERATOR))]
StaffPrincipal = Annotated[Principal, Depends(require_roles(Role.OPERATOR, Role.SUPPORT))]
#: The caller acts for the `{seller_id}` in the path: that seller's staff or key, or an operator.
SellerScoped = Annotated[Principal, Depends(seller_scope)]
