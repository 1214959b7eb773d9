"""In a real browser: a guest buys from two sellers and follows the order's parcels.

Playwright drives Debian's Chromium (`/usr/bin/chromium`) against a real uvicorn server on
127.0.0.1 and a temporary SQLite database, seeded through the API like a marketplace's
sellers would. Without Chromium the test is skipped with a message, unless `CI` is set:
there a missing browser is a failure. A failing step leaves a screenshot in
`test-artifacts/`.
"""

from __future__ import annotations

import re
from typing import Any

import httpx

from tests.api import test_checkout_support as shop_support
from tests.support import Actors
from tests.web.browser_support import PHONE, Server, browser_page, pay_at_checkout
from tests.web.browser_support import api as api
from tests.web.browser_support import server as server


async def _stocked(client: httpx.AsyncClient, actors: Actors, seller: str, title: str) -> int:
    shop = await shop_support.shop(client, actors, seller)
    offer_id = await shop_support.listed(client, shop, title=title, stock=5)
    return int((await client.get(f"/api/v1/offers/{offer_id}")).json()["product_id"])


async def _ship_everything(
    client: httpx.AsyncClient, actors: Actors, order: dict[str, Any]
) -> None:
    """Each seller packs its part, buys a label and hands the parcel to the carrier."""
    for part in order["seller_orders"]:
        seller_id = part["seller"]["id"]
        staff = await actors.seller_staff(seller_id)
        made = await client.post(
            f"/api/v1/sellers/{seller_id}/orders/{part['id']}/shipments",
            json={
                "packages": [
                    {"weight_grams": 800, "length_mm": 200, "width_mm": 150, "height_mm": 100}
                ]
            },
            headers=staff.headers,
        )
        assert made.status_code == 201, made.text
        handed = await client.post(
            f"/api/v1/sellers/{seller_id}/shipments/hand-over",
            json={"shipment_ids": [made.json()["id"]]},
            headers=staff.headers,
        )
        assert handed.status_code == 200, handed.text


async def test_a_guest_buys_from_two_sellers_and_follows_the_parcels(
    server: Server, api: tuple[httpx.AsyncClient, Actors]
) -> None:
    """Phone-sized window, no account: product → cart → one-page checkout → order page."""
    from playwright.async_api import expect

    client, actors = api
    kopi = await _stocked(client, actors, "Toko Kopi", "Kopi Gayo 250 g")
    teh = await _stocked(client, actors, "Toko Teh", "Teh Melati 100 g")

    async with browser_page(server, "browser-guest-checkout.png", viewport=PHONE) as (
        page,
        violations,
    ):
        for product_id in (kopi, teh):
            await page.goto(f"{server.url}/products/{product_id}")
            await page.get_by_role("button", name="Add to cart").first.click()
            await expect(page).to_have_url(f"{server.url}/cart")
        await expect(page.get_by_role("heading", name="Sold by Toko Kopi")).to_be_visible()
        await expect(page.get_by_role("heading", name="Sold by Toko Teh")).to_be_visible()
        await page.get_by_role("link", name="Go to checkout").click()

        await pay_at_checkout(page, "4242 4242 4242 4242", parcels=2)

        await expect(page.get_by_role("heading", name="Thank you for your order")).to_be_visible()
        await expect(page.get_by_role("heading", name="From Toko Kopi")).to_be_visible()
        await expect(page.get_by_role("heading", name="From Toko Teh")).to_be_visible()
        order_url = page.url
        number = order_url.split("/orders/")[1].split("?")[0]
        access = order_url.split("access=")[1].split("&")[0]

        order = await client.get(f"/api/v1/orders/{number}", params={"access": access})
        await _ship_everything(client, actors, order.json())
        await page.goto(order_url.replace("&placed=1", ""))
        parcels = page.get_by_role("heading", name="Parcel")
        await expect(parcels).to_have_count(2)
        await expect(page.get_by_text("On its way").first).to_be_visible()
        await page.get_by_role("link", name="Tracking page").first.click()
        await expect(page).to_have_url(re.compile(r"/track/[A-Z0-9-]+$"))
        await expect(page.get_by_role("heading", name="Tracking history")).to_be_visible()
        assert violations == []
