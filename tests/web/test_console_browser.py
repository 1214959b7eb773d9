"""In a real browser: an operator signs in, reviews a seller application and approves it.

The same server and skip rule as every browser test (`browser_support.py`: Debian's
Chromium at /usr/bin/chromium; skipped with a message without it, a failure under `CI`); a
failing step leaves a screenshot in `test-artifacts/`.
"""

from __future__ import annotations

import httpx

from pasar.identity import Role
from tests.support import Actors, application
from tests.web.browser_support import DESKTOP, Server, browser_page, sign_in_at
from tests.web.browser_support import api as api
from tests.web.browser_support import server as server


async def test_an_operator_approves_a_seller_application(
    server: Server,
    api: tuple[httpx.AsyncClient, Actors],
) -> None:
    """Sign in → console → applications → approve → the seller is approved."""
    from playwright.async_api import expect

    client, actors = api
    sent = await client.post(
        "/api/v1/seller-applications",
        json=application("Toko Lampu", owner_email="lampu@example.com"),
    )
    assert sent.status_code == 201, sent.text
    seller_id = sent.json()["id"]
    operator = await actors.user(Role.OPERATOR)

    async with browser_page(server, "browser-console.png", viewport=DESKTOP) as (page, violations):
        await sign_in_at(page, server, "/console", operator.email)
        await expect(page.get_by_role("heading", name="Operator console")).to_be_visible()
        await expect(page.locator("svg[role=img]")).to_be_visible()  # the orders chart

        console = page.get_by_role("navigation", name="Operator console")
        await console.get_by_role("link", name="Applications").click()
        await expect(page.get_by_role("heading", name="Seller applications")).to_be_visible()
        card = page.locator("section", has=page.get_by_role("heading", name="Toko Lampu"))
        await expect(card.get_by_role("link", name="Business registration")).to_be_visible()
        await card.get_by_role("button", name="Approve").click()
        await expect(page.get_by_text("Toko Lampu: Approve done.")).to_be_visible()
        await expect(page.get_by_text("No application is waiting.")).to_be_visible()

        await console.get_by_role("link", name="Sellers").click()
        row = page.locator("li", has=page.get_by_role("heading", name="Toko Lampu"))
        await expect(row.get_by_text("Approved", exact=True)).to_be_visible()
        assert violations == []

    found = await client.get(f"/api/v1/sellers/{seller_id}")
    assert found.status_code == 200  # public again: only sellable sellers are
