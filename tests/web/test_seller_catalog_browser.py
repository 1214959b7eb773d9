"""In a real browser: a seller lists a product, reprices it, stocks it and sees it on sale.

The same server and skip rule as every browser test (`browser_support.py`: Debian's
Chromium at /usr/bin/chromium; skipped with a message without it, a failure under `CI`); a
failing step leaves a screenshot in `test-artifacts/`.
"""

from __future__ import annotations

import re

import httpx

from tests.api import test_checkout_support as shop_support
from tests.support import Actors
from tests.web.browser_support import DESKTOP, Server, browser_page, sign_in_at
from tests.web.browser_support import api as api
from tests.web.browser_support import server as server


async def test_a_seller_lists_reprices_stocks_and_sees_the_offer_on_sale(
    server: Server,
    api: tuple[httpx.AsyncClient, Actors],
) -> None:
    """New offer (fulfilled by the marketplace) → new price → stock +7 → on the shop."""
    from playwright.async_api import expect

    client, actors = api
    shop = await shop_support.shop(client, actors, "Toko Katalog")
    seller = shop.seller

    async with browser_page(server, "browser-seller-catalog.png", viewport=DESKTOP) as (
        page,
        violations,
    ):
        await sign_in_at(page, server, "/seller/offers", seller.email)
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
