"""Helpers for the web tests (no tests here): forms as a browser fills them, seeded shops."""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import unescape
from typing import Any

import httpx

from tests.api import test_checkout_support as shop_support
from tests.support import Actors

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
IDEMPOTENCY = re.compile(r'name="idempotency_key" value="([^"]+)"')
TOTAL = re.compile(r'name="expected_total" value="(\d+)"')

CONTACT = {
    "email": "siti@example.com",
    "phone": "+62 812-3456-7890",
    "name": "Siti Rahma",
    "line1": "Jl. Kemang Raya 5",
    "city": "Jakarta",
    "region": "DKI Jakarta",
    "postal_code": "12730",
    "country": "ID",
    "language": "en",
}
CARD = {
    "payment": "card",
    "card_number": "4242 4242 4242 4242",
    "card_exp_month": "12",
    "card_exp_year": "2031",
    "card_cvc": "123",
}


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found, "the page has no form with a CSRF token"
    return unescape(found.group(1))


async def token(browser: httpx.AsyncClient, path: str = "/") -> str:
    """Open a page, as a browser would before posting one of its forms."""
    response = await browser.get(path)
    assert response.status_code == 200, response.text
    return csrf_of(response.text)


async def post_form(
    browser: httpx.AsyncClient, path: str, data: dict[str, Any], *, csrf: str | None = None
) -> httpx.Response:
    fields = dict(data)
    fields["csrf_token"] = csrf if csrf is not None else await token(browser)
    return await browser.post(path, data=fields)


@dataclass
class Listed:
    seller_id: int
    seller_name: str
    offer_id: int
    product_id: int
    shop: shop_support.Shop


async def listed(
    client: httpx.AsyncClient,
    actors: Actors,
    *,
    seller: str = "Toko Kopi",
    title: str = "Kopi Gayo 250 g",
    price: int = 2_500,
    stock: int = 10,
) -> Listed:
    """An approved seller with a warehouse, one product, its offer and stock."""
    shop = await shop_support.shop(client, actors, seller)
    offer_id = await shop_support.listed(client, shop, price=price, stock=stock, title=title)
    offer = (await client.get(f"/api/v1/offers/{offer_id}")).json()
    assert shop.seller.seller_id is not None
    return Listed(shop.seller.seller_id, seller, offer_id, int(offer["product_id"]), shop)


async def also_offer(
    client: httpx.AsyncClient,
    actors: Actors,
    product_id: int,
    *,
    seller: str,
    price: int,
    stock: int = 10,
) -> Listed:
    """Another seller offers an existing product's first variant, with stock."""
    shop = await shop_support.shop(client, actors, seller)
    product = (await client.get(f"/api/v1/products/{product_id}")).json()
    made = await client.post(
        f"/api/v1/sellers/{shop.seller.seller_id}/offers",
        json={"variant_id": product["variants"][0]["id"], "price_amount": price},
        headers=shop.seller.headers,
    )
    assert made.status_code == 201, made.text
    offer_id = int(made.json()["id"])
    if stock:
        await shop_support.restock(client, shop, offer_id, stock)
    assert shop.seller.seller_id is not None
    return Listed(shop.seller.seller_id, seller, offer_id, product_id, shop)


async def add_to_cart(browser: httpx.AsyncClient, offer_id: int, quantity: int = 1) -> None:
    added = await post_form(
        browser, "/cart/lines", {"offer_id": str(offer_id), "quantity": str(quantity)}
    )
    assert added.status_code == 303, added.text
    assert added.headers["location"] == "/cart"


async def checkout_form(browser: httpx.AsyncClient) -> dict[str, str]:
    """The hidden fields of the checkout page as rendered now."""
    page = await browser.get("/checkout")
    assert page.status_code == 200, page.text
    key, total = IDEMPOTENCY.search(page.text), TOTAL.search(page.text)
    assert key
    assert total
    return {
        "csrf_token": csrf_of(page.text),
        "idempotency_key": key.group(1),
        "expected_total": total.group(1),
    }


async def submit_checkout(
    browser: httpx.AsyncClient, fields: dict[str, Any], *, action: str = "place"
) -> httpx.Response:
    hidden = await checkout_form(browser)
    return await browser.post("/checkout", data={**hidden, **fields, "action": action})


async def buy(
    browser: httpx.AsyncClient,
    seller_ids: list[int],
    *,
    payment: dict[str, str] | None = None,
    service: str = "standard",
) -> str:
    """Address, delivery per seller and payment, as a guest fills the page; the order URL."""
    shown = await submit_checkout(browser, CONTACT, action="update")
    assert shown.status_code == 200, shown.text
    choices = {f"delivery_{s}": service for s in seller_ids}
    placed = await submit_checkout(browser, {**CONTACT, **choices, **(payment or CARD)})
    assert placed.status_code == 303, placed.text
    return str(placed.headers["location"])
