"""In a real browser: a seller lists a product, reprices it, stocks it and sees it on sale.

The same server and skip rule as `test_browser.py` (Debian's Chromium at /usr/bin/chromium;
skipped with a message without it, a failure under `CI`); a failing step leaves a
screenshot in `test-artifacts/`.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import httpx

from tests.api import test_checkout_support as shop_support
from tests.support import PASSWORD, Actors
from tests.web.test_browser import ARTIFACTS, CHROMIUM, Server
from tests.web.test_browser import api as api
from tests.web.test_browser import server as server

if TYPE_CHECKING:
    from playwright.async_api import ViewportSize

DESKTOP: ViewportSize = {"width": 1280, "height": 900}


async def test_a_seller_lists_reprices_stocks_and_sees_the_offer_on_sale(
    server: Server,
    api: tuple[httpx.AsyncClient, Actors],
) -> None:
    """New offer (fulfilled by the marketplace) → new price → stock +7 → on the shop."""
    from playwright.async_api import async_playwright, expect

    client, actors = api
    shop = await shop_support.shop(client, actors, "Toko Katalog")
    seller = shop.seller

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
            await page.goto(f"{server.url}/seller/offers")
            await expect(page).to_have_url(f"{server.url}/signin?next=/seller/offers")
            await page.get_by_label("Email", exact=True).fill(seller.email)
            await page.get_by_label("Password", exact=True).fill(PASSWORD)
            await page.get_by_role("button", name="Sign in").click()
            await expect(page.get_by_role("heading", name="Offers", exact=True)).to_be_visible()

            await page.get_by_role("link", name="New offer").click()
            await page.get_by_label("Product SKU").fill("KERIPIK-200")
            await page.get_by_label("New product title").fill("Keripik Singkong 200 g")
            await page.get_by_label("Price").fill("18")
            await page.get_by_label("The marketplace").check()
            await page.get_by_role("button", name="Save the offer").click()
            await expect(page.get_by_text("The offer is created.")).to_be_visible()
            await expect(page.get_by_label("The marketplace")).to_be_checked()

            await page.get_by_label("Price").fill("21.5")
            await page.get_by_role("button", name="Save the offer").click()
            await expect(page.get_by_text("The offer is saved.")).to_be_visible()
            await expect(page.get_by_label("Price")).to_have_value(re.compile(r"^21\.50*$"))

            portal = page.get_by_role("navigation", name="Seller portal")
            await portal.get_by_role("link", name="Stock").click()
            change = page.locator("section", has=page.get_by_role("heading", name="Change stock"))
            await change.get_by_label("Offer").select_option(
                label="Keripik Singkong 200 g · KERIPIK-200"
            )
            await change.get_by_label("Quantity change").fill("7")
            await change.get_by_label("Reason").fill("First delivery")
            await change.get_by_role("button", name="Apply").click()
            await expect(page.get_by_text("Stock updated.")).to_be_visible()

            await portal.get_by_role("link", name="Offers").click()
            row = page.locator("tr", has=page.get_by_role("link", name="Keripik Singkong 200 g"))
            await expect(row.get_by_text("Marketplace", exact=True)).to_be_visible()
            await expect(row.get_by_text("On sale", exact=True)).to_be_visible()
            await expect(row.get_by_role("link", name="7", exact=True)).to_be_visible()

            await row.get_by_role("link", name="Keripik Singkong 200 g").click()
            await page.get_by_role("link", name="Product details").click()
            await page.get_by_role("link", name="See it on the shop").click()
            await expect(
                page.get_by_role("heading", name="Keripik Singkong 200 g", level=1)
            ).to_be_visible()
            main = page.locator("main")
            await expect(main.get_by_text("21.5").first).to_be_visible()
            await expect(main.get_by_text("Fulfilled by Pasar").first).to_be_visible()
            await expect(main.get_by_role("button", name="Add to cart").first).to_be_visible()
            assert violations == []
        except BaseException:
            ARTIFACTS.mkdir(exist_ok=True)
            await page.screenshot(
                path=str(ARTIFACTS / "browser-seller-catalog.png"), full_page=True
            )
            raise
        finally:
            await context.close()
            await chromium.close()
