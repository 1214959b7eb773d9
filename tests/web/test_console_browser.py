"""In a real browser: an operator signs in, reviews a seller application and approves it.

The same server and skip rule as `test_browser.py` (Debian's Chromium at /usr/bin/chromium;
skipped with a message without it, a failure under `CI`); a failing step leaves a
screenshot in `test-artifacts/`.
"""

from __future__ import annotations

import httpx

from pasar.identity import Role
from tests.support import PASSWORD, Actors, application
from tests.web.test_browser import ARTIFACTS, CHROMIUM, Server
from tests.web.test_browser import api as api
from tests.web.test_browser import server as server

DESKTOP = {"width": 1280, "height": 900}


async def test_an_operator_approves_a_seller_application(
    server: Server,
    api: tuple[httpx.AsyncClient, Actors],
) -> None:
    """Sign in → console → applications → approve → the seller is approved."""
    from playwright.async_api import async_playwright, expect

    client, actors = api
    sent = await client.post(
        "/api/v1/seller-applications",
        json=application("Toko Lampu", owner_email="lampu@example.com"),
    )
    assert sent.status_code == 201, sent.text
    seller_id = sent.json()["id"]
    operator = await actors.user(Role.OPERATOR)

    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-dev-shm-usage"]
        )
        context = await chromium.new_context(
            viewport=DESKTOP, locale="en-US", service_workers="block"
        )
        await context.route(
            "**/*",
            lambda route: (
                route.continue_() if route.request.url.startswith(server.url) else route.abort()
            ),
        )
        page = await context.new_page()
        violations: list[str] = []
        page.on(
            "console",
            lambda message: (
                violations.append(message.text)
                if "Content Security Policy" in message.text
                else None
            ),
        )
        expect.set_options(timeout=10_000)
        try:
            await page.goto(f"{server.url}/console")
            await expect(page).to_have_url(f"{server.url}/signin?next=/console")
            await page.get_by_label("Email", exact=True).fill(operator.email)
            await page.get_by_label("Password", exact=True).fill(PASSWORD)
            await page.get_by_role("button", name="Sign in").click()
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
        except BaseException:
            ARTIFACTS.mkdir(exist_ok=True)
            await page.screenshot(path=str(ARTIFACTS / "browser-console.png"), full_page=True)
            raise
        finally:
            await context.close()
            await chromium.close()

    found = await client.get(f"/api/v1/sellers/{seller_id}")
    assert found.status_code == 200  # public again: only sellable sellers are
