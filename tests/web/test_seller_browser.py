"""In a real browser: a seller signs in, packs an order, buys its label and ships it.

The same server and skip rule as every browser test (`browser_support.py`: Debian's
Chromium at /usr/bin/chromium; skipped with a message without it, a failure under `CI`); a
failing step leaves a screenshot in `test-artifacts/`.
"""

from __future__ import annotations

import httpx

from tests.api import test_fulfillment_support as f
from tests.support import Actors
from tests.web.browser_support import DESKTOP, Server, browser_page, sign_in_at
from tests.web.browser_support import api as api
from tests.web.browser_support import server as server


async def test_a_seller_packs_buys_a_label_and_ships_an_order(
    server: Server,
    api: tuple[httpx.AsyncClient, Actors],
) -> None:
    """Sign in → queue → order → pack and buy label → mark shipped → status shipped."""
    from playwright.async_api import expect

    client, actors = api
    placed = await f.placed_order(client, actors, name="Toko Browser")
    seller = placed.shop.seller
    number = next(p["number"] for p in placed.body["seller_orders"])

    async with browser_page(
        server, "browser-seller-ships.png", viewport=DESKTOP, accept_downloads=True
    ) as (page, violations):
        await sign_in_at(page, server, "/seller/orders", seller.email)
        await expect(page.get_by_role("heading", name="Orders", exact=True)).to_be_visible()

        await page.get_by_role("link", name=number).click()
        await expect(page.get_by_role("heading", name=f"Order {number}")).to_be_visible()
        await page.get_by_label("Weight (grams)").fill("800")
        await page.get_by_label("Length (mm)").fill("200")
        await page.get_by_role("button", name="Pack and buy label").click()
        await expect(page.get_by_text("Packed. The label is ready to print.")).to_be_visible()
        label = page.get_by_role("link", name="Download label")
        await expect(label).to_be_visible()
        async with page.expect_download() as download_info:
            await label.click()
        download = await download_info.value
        assert download.suggested_filename.endswith(".pdf")

        portal = page.get_by_role("navigation", name="Seller portal")
        await portal.get_by_role("link", name="Orders").click()
        await page.get_by_label(f"Choose {number}").check()
        await page.get_by_role("button", name="Mark shipped").click()
        await expect(page.get_by_text("Marked as shipped.")).to_be_visible()
        await page.get_by_role("link", name="Shipped", exact=True).click()
        row = page.locator("li", has=page.get_by_role("link", name=number))
        await expect(row.get_by_text("Shipped", exact=True)).to_be_visible()
        assert violations == []
