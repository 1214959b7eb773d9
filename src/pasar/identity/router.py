"""identity's HTTP layer: sign-up, tokens, seller staff and seller API keys."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import Depends, Request, status
from fastapi.security import HTTPAuthorizationCredentials

from pasar.identity import service
from pasar.identity.deps import (
    CurrentPrincipal,
    OperatorPrincipal,
    SellerScoped,
    bearer,
)
from pasar.identity.domain import Role
from pasar.identity.schemas import (
    ApiKeyCreate,
    ApiKeyIssued,
    ApiKeyRead,
    MeRead,
    RegisterRequest,
    StaffCreate,
    TokenRequest,
    TokenResponse,
    UserCreate,
    UserRead,
)
from pasar.platform.db import Session
from pasar.platform.ratelimit import RateLimiter
from pasar.platform.routing import GuardedRouter
from pasar.platform.types import Id

router = GuardedRouter(prefix="/api/v1", tags=["identity"])


@router.post("/auth/register", status_code=status.HTTP_201_CREATED, response_model=UserRead)
async def register(body: RegisterRequest, session: Session) -> object:
    """Sign up as a buyer. Public."""
    return await service.register_user(
        session, email=body.email, password=body.password, name=body.name, phone=body.phone
    )


@router.post("/auth/token", response_model=TokenResponse)
async def token(body: TokenRequest, request: Request, session: Session) -> TokenResponse:
    """Exchange email and password for a bearer token. Public; rate-limited per email and IP."""
    limiter: RateLimiter = request.app.state.login_limiter
    client = request.client.host if request.client else "unknown"
    await limiter.hit("login", body.email.lower(), client)
    ttl = timedelta(seconds=request.app.state.settings.token_ttl_seconds)
    issued = await service.login(session, email=body.email, password=body.password, ttl=ttl)
    return TokenResponse(access_token=issued.token, expires_at=issued.expires_at)


@router.post("/auth/logout", status_code=status.HTTP_204_NO_CONTENT)
async def logout(
    principal: CurrentPrincipal,
    session: Session,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> None:
    """Revoke the token used for this call. Any signed-in user."""
    if credentials is not None and not principal.is_api_key:
        await service.revoke_token(session, token=credentials.credentials)


@router.get("/auth/me", response_model=MeRead)
async def me(principal: CurrentPrincipal, session: Session) -> MeRead:
    """Who am I? Any authenticated caller."""
    user = await service.get_user(session, principal.user_id) if principal.user_id else None
    return MeRead(
        role=principal.role,
        user_id=principal.user_id,
        seller_id=principal.seller_id,
        is_owner=principal.is_owner,
        api_key_id=principal.api_key_id,
        user=UserRead.model_validate(user) if user else None,
    )


@router.post("/users", status_code=status.HTTP_201_CREATED, response_model=UserRead)
async def create_user(body: UserCreate, _: OperatorPrincipal, session: Session) -> object:
    """Create an operator, support agent or buyer account. Operators only."""
    return await service.register_user(
        session,
        email=body.email,
        password=body.password,
        role=Role(body.role),
        name=body.name,
        phone=body.phone,
    )


@router.get("/sellers/{seller_id}/staff", response_model=list[UserRead])
async def list_staff(seller_id: Id, principal: SellerScoped, session: Session) -> object:
    """The seller's staff. The seller's own staff and keys, or operators."""
    return await service.list_staff(session, seller_id=seller_id)


@router.post(
    "/sellers/{seller_id}/staff", status_code=status.HTTP_201_CREATED, response_model=UserRead
)
async def add_staff(
    seller_id: Id, body: StaffCreate, principal: SellerScoped, session: Session
) -> object:
    """Add a staff member. The seller's owners, or operators."""
    return await service.add_staff(
        session,
        principal=principal,
        seller_id=seller_id,
        email=body.email,
        password=body.password,
        name=body.name,
        is_owner=body.is_owner,
    )


@router.delete("/sellers/{seller_id}/staff/{user_id}", status_code=status.HTTP_204_NO_CONTENT)
async def remove_staff(
    seller_id: Id, user_id: Id, principal: SellerScoped, session: Session
) -> None:
    """Deactivate a staff member and revoke their tokens. The seller's owners, or operators."""
    await service.remove_staff(session, principal=principal, seller_id=seller_id, user_id=user_id)


@router.get("/sellers/{seller_id}/api-keys", response_model=list[ApiKeyRead])
async def list_api_keys(seller_id: Id, principal: SellerScoped, session: Session) -> object:
    """The seller's API keys (never the secrets). The seller's own staff, or operators."""
    return await service.list_api_keys(session, seller_id=seller_id)


@router.post(
    "/sellers/{seller_id}/api-keys",
    status_code=status.HTTP_201_CREATED,
    response_model=ApiKeyIssued,
)
async def create_api_key(
    seller_id: Id, body: ApiKeyCreate, principal: SellerScoped, session: Session
) -> ApiKeyIssued:
    """Create an API key; the secret is in this response only. Owners, or operators."""
    issued = await service.create_api_key(
        session, principal=principal, seller_id=seller_id, name=body.name
    )
    return ApiKeyIssued.model_validate(
        {**ApiKeyRead.model_validate(issued.record).model_dump(), "key": issued.key}
    )


@router.delete("/sellers/{seller_id}/api-keys/{key_id}", status_code=status.HTTP_204_NO_CONTENT)
async def revoke_api_key(
    seller_id: Id, key_id: Id, principal: SellerScoped, session: Session
) -> None:
    """Revoke an API key at once. Owners, or operators."""
    await service.revoke_api_key(session, principal=principal, seller_id=seller_id, key_id=key_id)
