"""In a real browser: a guest pays with a card its bank wants to confirm (3-D Secure).

The sandbox's card 4000 0000 0000 3220 always asks for the challenge; the storefront sends
the buyer to the sandbox bank's page, where they confirm or refuse. Confirmed: the order
page says the payment went through. Refused: the order page says so plainly, and the
buyer can go back to the cart and pay again with another card. The same server and skip
rule as every browser test (`browser_support.py`: Debian's Chromium; a failure under
`CI`); a failing step leaves a screenshot in `test-artifacts/`.
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

CHALLENGE_CARD = "4000 0000 0000 3220"
GOOD_CARD = "4242 4242 4242 4242"


async def _stocked(client: httpx.AsyncClient, actors: Actors) -> int:
    shop = await shop_support.shop(client, actors, "Toko Kopi")
    offer_id = await shop_support.listed(client, shop, title="Kopi Gayo 250 g", stock=5)
    return int((await client.get(f"/api/v1/offers/{offer_id}")).json()["product_id"])


async def _check_out(page: Any, server: Server, product_id: int, card: str) -> None:
    """Product → cart → the one-page checkout, paid by `card`."""
    from playwright.async_api import expect

    await page.goto(f"{server.url}/products/{product_id}")
    await page.get_by_role("button", name="Add to cart").first.click()
    await expect(page).to_have_url(f"{server.url}/cart")
    await page.get_by_role("link", name="Go to checkout").click()
    await pay_at_checkout(page, card)


async def _payment_of(client: httpx.AsyncClient, order_url: str) -> dict[str, Any]:
    number = order_url.split("/orders/")[1].split("?")[0]
    access = order_url.split("access=")[1].split("&")[0]
    order = await client.get(f"/api/v1/orders/{number}", params={"access": access})
    assert order.status_code == 200, order.text
    body: dict[str, Any] = order.json()
    return body


async def test_a_guest_confirms_the_banks_challenge_and_the_order_is_paid(
    server: Server, api: tuple[httpx.AsyncClient, Actors]
) -> None:
    """Checkout → the bank's page (shop, amount, card) → confirm → the order, paid."""
    from playwright.async_api import expect

    client, actors = api
    product_id = await _stocked(client, actors)
    async with browser_page(server, "browser-3ds-confirmed.png", viewport=PHONE) as (page, _):
        await _check_out(page, server, product_id, CHALLENGE_CARD)

        await expect(page).to_have_url(re.compile(r"/pay/challenge/[A-Za-z0-9_-]+$"))
        await expect(page.get_by_role("heading", name="Confirm your payment")).to_be_visible()
        await expect(page.get_by_text("···· 3220")).to_be_visible()
        await page.get_by_role("button", name="Confirm the payment").click()

        await expect(page.get_by_text("Thank you! Your payment is confirmed.")).to_be_visible()
        await expect(page.get_by_role("heading", name="From Toko Kopi")).to_be_visible()
        await expect(page.get_by_text("Confirmed").first).to_be_visible()
        await expect(page.get_by_text("Your bank needs to confirm this payment")).to_have_count(0)
        order = await _payment_of(client, page.url)
        assert order["payment"]["status"] == "authorised", order["payment"]


async def test_a_refused_challenge_says_so_and_the_buyer_pays_again(
    server: Server, api: tuple[httpx.AsyncClient, Actors]
) -> None:
    """Refuse at the bank → a clear message on the order → the cart still holds the item
    and the checkout the address, and paying again with another card places the order."""
    from playwright.async_api import expect

    client, actors = api
    product_id = await _stocked(client, actors)
    async with browser_page(server, "browser-3ds-refused.png", viewport=PHONE) as (page, _):
        await _check_out(page, server, product_id, CHALLENGE_CARD)
        await expect(page.get_by_role("heading", name="Confirm your payment")).to_be_visible()
        await page.get_by_role("button", name="Refuse the payment").click()

        await expect(
            page.get_by_text("The payment was not confirmed, so the order is cancelled.")
        ).to_be_visible()
        await expect(page.get_by_text("Your items are back in your cart")).to_be_visible()
        refused = await _payment_of(client, page.url)
        assert refused["payment"]["status"] == "failed", refused["payment"]

        await page.goto(f"{server.url}/cart")
        await expect(page.get_by_text("Kopi Gayo 250 g")).to_be_visible()
        await page.get_by_role("link", name="Go to checkout").click()
        await expect(page.get_by_label("Email", exact=True)).to_have_value("siti@example.com")
        await expect(page.get_by_label("Address", exact=True)).to_have_value("Jl. Kemang Raya 5")
        await pay_at_checkout(page, GOOD_CARD, contact=False)
        await expect(page.get_by_role("heading", name="Thank you for your order")).to_be_visible()
        paid = await _payment_of(client, page.url)
        assert paid["number"] != refused["number"]
        assert paid["payment"]["status"] == "authorised", paid["payment"]
