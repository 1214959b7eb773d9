"""Signing in to the front ends: seller staff, operators and buyers, with the API's login.

`/signin` is `POST /api/v1/auth/token` as a form: the same rate limit (per email and IP,
shared with the API), the same `identity.login`, the same answer for an unknown email and
a wrong password. The token it issues is kept in the signed session cookie (HttpOnly), and
each page turns it back into a `Principal` with `identity.resolve`, so an expired, revoked
or deactivated account is signed out at once. Signing out revokes the token.

Pages that need someone use `require_web_roles(...)`; a stranger is sent to
`/signin?next=<this page>` by `PortalRoute` (a `WebRoute` that turns `SignInRequired`
into that redirect), someone signed in with another role gets the 403 page.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine
from datetime import timedelta
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import RedirectResponse, Response

from pasar import identity
from pasar.identity import Principal, Role
from pasar.platform.db import Session
from pasar.platform.errors import PermissionDenied, RateLimited
from pasar.web.forms import safe_next, text
from pasar.web.i18n import N_
from pasar.web.routing import WebRoute
from pasar.web.security import WebSession
from pasar.web.templating import AUTH_KEY, VIEWER_KEY, page, translate

#: The session key holding the signed-in user's bearer token (`pat_…`).
SESSION_KEY = AUTH_KEY
SEE_OTHER = 303
#: Where each role lands after signing in (unless it came from a page).
HOMES = {
    Role.SELLER_STAFF: "/seller",
    Role.OPERATOR: "/console",
    Role.SUPPORT: "/console",
    Role.BUYER: "/",
}
WRONG = N_("That email and password do not match an account. Check them and try again.")
MISSING = N_("Enter your email and password.")
NOT_FOR_YOU = N_("This page is for another kind of account.")


class SignInRequired(Exception):
    """A page needs a signed-in user and there is none: go to the sign-in form."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.url = url


class PortalRoute(WebRoute):
    """`WebRoute` for pages behind sign-in: `SignInRequired` becomes a redirect."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def portal_handler(request: Request) -> Response:
            try:
                return await handler(request)
            except SignInRequired as exc:
                response = RedirectResponse(exc.url, status_code=SEE_OTHER)
                response.headers["Cache-Control"] = "no-store"
                return response

        return portal_handler


router = APIRouter(include_in_schema=False, route_class=PortalRoute)


def _web(request: Request) -> WebSession:
    session: WebSession = request.state.web_session
    return session


def _redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=SEE_OTHER)


async def web_principal(request: Request, session: Session) -> Principal | None:
    """Who is signed in to this browser, or None (a stale token is forgotten)."""
    if hasattr(request.state, "web_principal"):
        cached: Principal | None = request.state.web_principal
        return cached
    web = _web(request)
    token = web.get(SESSION_KEY)
    principal = None
    if isinstance(token, str):
        principal = await identity.resolve(session, token)
        if principal is None or principal.is_api_key:
            principal = None
            web.set(SESSION_KEY, None)
            web.set(VIEWER_KEY, None)
    request.state.web_principal = principal
    return principal


WebPrincipal = Annotated[Principal | None, Depends(web_principal)]


def signin_url(request: Request) -> str:
    """`/signin?next=<this page>` (for a GET; a form post goes back to its role's home)."""
    if request.method != "GET":
        return "/signin"
    here = request.url.path + (("?" + request.url.query) if request.url.query else "")
    return "/signin?next=" + quote(here, safe="/")


def require_web_roles(*roles: Role) -> Callable[..., Awaitable[Principal]]:
    """A dependency: the signed-in principal if it has one of `roles`; a stranger is sent
    to sign in, anyone else gets the 403 page."""
    allowed = frozenset(roles)

    async def dependency(request: Request, principal: WebPrincipal) -> Principal:
        if principal is None:
            raise SignInRequired(signin_url(request))
        if principal.role not in allowed:
            raise PermissionDenied(translate(request, NOT_FOR_YOU))
        return principal

    return dependency


def home_of(principal: Principal) -> str:
    return HOMES.get(principal.role, "/")


def _form(
    request: Request,
    *,
    email: str = "",
    next_url: str = "",
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    response = page(
        request,
        "auth/signin.html",
        status_code=status_code,
        email=email,
        next_url=next_url,
        error=error,
    )
    response.headers["Cache-Control"] = "no-store"
    return response


Next = Annotated[str | None, Query(alias="next", max_length=500)]


@router.get("/signin")
async def signin_form(request: Request, principal: WebPrincipal, next_url: Next = None) -> Response:
    wanted = safe_next(next_url) if next_url else ""
    if principal is not None:
        return _redirect(wanted or home_of(principal))
    return _form(request, next_url=wanted)


@router.post("/signin")
async def signin(request: Request, session: Session) -> Response:
    form = await request.form()
    email = text(form, "email")[:320]
    password = form.get("password")
    password = password[:1000] if isinstance(password, str) else ""
    wanted = safe_next(text(form, "next")) if text(form, "next") else ""
    if not email or not password:
        return _form(
            request,
            email=email,
            next_url=wanted,
            error=translate(request, MISSING),
            status_code=422,
        )
    limiter = request.app.state.login_limiter
    client = request.client.host if request.client else "unknown"
    try:
        await limiter.hit("login", email.lower(), client)
    except RateLimited as exc:
        response = _form(
            request, email=email, next_url=wanted, error=exc.detail, status_code=exc.status
        )
        response.headers["Retry-After"] = str(exc.extra.get("retry_after", 60))
        return response
    ttl = timedelta(seconds=request.app.state.settings.token_ttl_seconds)
    try:
        issued = await identity.login(session, email=email, password=password, ttl=ttl)
    except identity.InvalidCredentials:
        return _form(
            request,
            email=email,
            next_url=wanted,
            error=translate(request, WRONG),
            status_code=401,
        )
    principal = await identity.resolve(session, issued.token)
    if principal is None:  # pragma: no cover - a token just issued always resolves
        return _form(request, email=email, next_url=wanted, error=translate(request, WRONG))
    web = _web(request)
    web.set(SESSION_KEY, issued.token)
    # What the layout shows on every page without a query (see `templating.viewer`).
    web.set(
        VIEWER_KEY,
        {
            "name": issued.user.name or issued.user.email,
            "role": str(principal.role),
            "until": issued.expires_at.isoformat(),
        },
    )
    web.set("csrf", None)  # a new CSRF token for the signed-in session
    web.flash(translate(request, N_("You are signed in.")))
    return _redirect(wanted or home_of(principal))


@router.post("/signout")
async def signout(request: Request, session: Session) -> Response:
    web = _web(request)
    token = web.get(SESSION_KEY)
    if isinstance(token, str):
        await identity.revoke_token(session, token=token)
    web.set(SESSION_KEY, None)
    web.set(VIEWER_KEY, None)
    web.set("csrf", None)
    web.flash(translate(request, N_("You are signed out.")))
    return _redirect("/")
