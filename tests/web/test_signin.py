"""Signing in to the front ends: per role, wrong passwords, CSRF, the cookie, signing out."""

from __future__ import annotations

from urllib.parse import quote

import httpx

from pasar.identity import Role
from tests.support import PASSWORD, Actors
from tests.web.support import post_form, token


async def sign_in(
    browser: httpx.AsyncClient, email: str, password: str = PASSWORD, *, next_url: str = ""
) -> httpx.Response:
    """Fill the sign-in form as a browser does (the form's own CSRF token)."""
    csrf = await token(browser, "/signin")
    data = {"email": email, "password": password}
    if next_url:
        data["next"] = next_url
    return await post_form(browser, "/signin", data, csrf=csrf)


async def test_seller_staff_land_on_the_seller_portal(
    browser: httpx.AsyncClient, actors: Actors
) -> None:
    """The owner a seller application created signs in with its password."""
    owner = await actors.seller("Toko Kopi")
    signed = await sign_in(browser, owner.email)
    assert signed.status_code == 303, signed.text
    assert signed.headers["location"] == "/seller"
    portal = await browser.get("/seller")
    assert portal.status_code == 200, portal.text
    assert "You are signed in." in portal.text
    assert "Seller dashboard" in portal.text


async def test_operators_land_on_the_console_and_buyers_on_the_home_page(
    browser: httpx.AsyncClient, actors: Actors
) -> None:
    operator = await actors.operator()
    signed = await sign_in(browser, operator.email)
    assert signed.headers["location"] == "/console"
    console = await browser.get("/console")
    assert console.status_code == 200
    assert "Operator console" in console.text
    assert (await browser.get("/seller")).status_code == 403  # not a seller's account

    await post_form(browser, "/signout", {}, csrf=await token(browser, "/console"))
    buyer = await actors.buyer()
    signed = await sign_in(browser, buyer.email.upper())  # emails are not case-sensitive
    assert signed.status_code == 303
    assert signed.headers["location"] == "/"
    assert (await browser.get("/console")).status_code == 403


async def test_a_wrong_password_shows_the_form_again_without_saying_which_part_was_wrong(
    browser: httpx.AsyncClient, actors: Actors
) -> None:
    """An unknown email and a wrong password get the very same answer."""
    buyer = await actors.buyer()
    wrong = await sign_in(browser, buyer.email, "not-the-password")
    unknown = await sign_in(browser, "nobody@example.com", "not-the-password")
    for answer in (wrong, unknown):
        assert answer.status_code == 401
        assert "That email and password do not match an account." in answer.text
        assert 'aria-invalid="true"' in answer.text
    assert f'value="{buyer.email}"' in wrong.text  # the email is kept, never the password
    assert "not-the-password" not in wrong.text
    assert (await browser.get("/seller")).status_code == 303  # still signed out
    empty = await sign_in(browser, "", "")
    assert empty.status_code == 422
    assert "Enter your email and password." in empty.text


async def test_signing_in_is_rate_limited_like_the_api(
    browser: httpx.AsyncClient, actors: Actors
) -> None:
    """The tests allow 5 attempts a minute per email and address; the 6th waits."""
    buyer = await actors.buyer()
    for _ in range(5):
        assert (await sign_in(browser, buyer.email, "wrong-password")).status_code == 401
    limited = await sign_in(browser, buyer.email, PASSWORD)
    assert limited.status_code == 429
    assert "Too many attempts" in limited.text
    assert int(limited.headers["retry-after"]) > 0


async def test_a_sign_in_without_the_forms_csrf_token_is_refused(
    browser: httpx.AsyncClient, actors: Actors
) -> None:
    buyer = await actors.buyer()
    await browser.get("/signin")
    refused = await browser.post("/signin", data={"email": buyer.email, "password": PASSWORD})
    assert refused.status_code == 403
    assert "csrf-failed" in refused.text
    forged = await post_form(
        browser, "/signin", {"email": buyer.email, "password": PASSWORD}, csrf="x" * 43
    )
    assert forged.status_code == 403


async def test_the_session_cookie_is_http_only_same_site_and_renewed_at_sign_in(
    browser: httpx.AsyncClient, actors: Actors
) -> None:
    """The token sits in a signed, HttpOnly, SameSite cookie; the CSRF token changes."""
    operator = await actors.operator()
    before = await token(browser, "/signin")
    signed = await sign_in(browser, operator.email)
    cookie = signed.headers["set-cookie"]
    assert cookie.startswith("pasar_session=")
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    assert "Path=/" in cookie
    assert "Secure" not in cookie  # http://localhost only; see the test below
    after = await token(browser, "/console")
    assert after != before


async def test_the_session_cookie_is_secure_away_from_localhost(
    app: object, actors: Actors
) -> None:
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="https://shop.example") as web:
        operator = await actors.operator()
        csrf = await token(web, "/signin")
        signed = await post_form(
            web, "/signin", {"email": operator.email, "password": PASSWORD}, csrf=csrf
        )
        assert signed.status_code == 303
        assert "Secure" in signed.headers["set-cookie"]


async def test_a_page_behind_sign_in_comes_back_after_signing_in(
    browser: httpx.AsyncClient, actors: Actors
) -> None:
    owner = await actors.seller("Toko Teh")
    away = await browser.get("/seller/orders?tab=shipped")
    assert away.status_code == 303
    assert away.headers["location"] == "/signin?next=" + quote("/seller/orders?tab=shipped")
    form = await browser.get(away.headers["location"])
    assert 'name="next" value="/seller/orders?tab=shipped"' in form.text
    signed = await sign_in(browser, owner.email, next_url="/seller/orders?tab=shipped")
    assert signed.headers["location"] == "/seller/orders?tab=shipped"
    # Already signed in: the form goes straight on.
    assert (await browser.get("/signin")).headers["location"] == "/seller"


async def test_next_never_leaves_the_site(browser: httpx.AsyncClient, actors: Actors) -> None:
    buyer = await actors.buyer()
    signed = await sign_in(browser, buyer.email, next_url="//evil.example/phish")
    assert signed.headers["location"] == "/"


async def test_signing_out_revokes_the_token(browser: httpx.AsyncClient, actors: Actors) -> None:
    """After signing out, the same cookie replayed opens nothing."""
    owner = await actors.seller("Toko Gula")
    await sign_in(browser, owner.email)
    stolen = {"Cookie": f"pasar_session={browser.cookies['pasar_session']}"}
    assert (await browser.get("/seller", headers=stolen)).status_code == 200
    out = await post_form(browser, "/signout", {}, csrf=await token(browser, "/seller"))
    assert out.status_code == 303
    assert out.headers["location"] == "/"
    assert (await browser.get("/seller")).status_code == 303
    browser.cookies.clear()
    replayed = await browser.get("/seller", headers=stolen)
    assert replayed.status_code == 303
    assert replayed.headers["location"] == "/signin?next=/seller"


async def test_a_deactivated_account_is_signed_out_at_once(
    browser: httpx.AsyncClient, actors: Actors, client: httpx.AsyncClient
) -> None:
    owner = await actors.seller("Toko Garam")
    staff = await actors.user(Role.SELLER_STAFF, seller_id=owner.seller_id)
    await sign_in(browser, staff.email)
    assert (await browser.get("/seller")).status_code == 200
    removed = await client.delete(
        f"/api/v1/sellers/{owner.seller_id}/staff/{staff.user_id}", headers=owner.headers
    )
    assert removed.status_code == 204, removed.text
    assert (await browser.get("/seller")).status_code == 303
