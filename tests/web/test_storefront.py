"""The storefront's core path as a guest walks it: browse, search, product, cart, checkout,
order page, cancel and confirm receipt. Forms are posted as a browser without JavaScript
posts them (htmx only makes the same requests snappier)."""

from __future__ import annotations

import re
from html import unescape

import httpx

from tests.api import test_catalog_support as cat
from tests.api import test_checkout_support as shop_support
from tests.api import test_fulfillment_support as ful
from tests.support import Actors
from tests.web.support import (
    CARD,
    CONTACT,
    add_to_cart,
    also_offer,
    buy,
    checkout_form,
    listed,
    post_form,
    submit_checkout,
    token,
)

HOSTILE = '<script>alert("pwned")</script> & "Kopi"'


async def test_home_shows_categories_search_and_products_in_stock(
    client: httpx.AsyncClient, browser: httpx.AsyncClient, actors: Actors
) -> None:
    """The front door: top-level categories, a search box and what is on sale."""
    operator = await actors.operator()
    await cat.category(client, operator, "Kopi & Teh")
    await listed(client, actors, title="Kopi Gayo 250 g")
    page = await browser.get("/")
    assert page.status_code == 200
    assert "Kopi &amp; Teh" in page.text
    assert "Kopi Gayo 250 g" in page.text
    assert 'role="search"' in page.text


async def test_search_finds_products_by_word_filters_by_price_and_sorts(
    client: httpx.AsyncClient, browser: httpx.AsyncClient, actors: Actors
) -> None:
    """Filters are typed in major units ("30") and sent to the catalog in minor units."""
    await listed(client, actors, title="Kopi Gayo", price=2_500)
    await listed(client, actors, seller="Toko Dua", title="Kopi Toraja", price=4_000)
    await listed(client, actors, seller="Toko Tiga", title="Teh Melati", price=1_000)
    found = await browser.get("/search", params={"q": "kopi"})
    assert "Kopi Gayo" in found.text
    assert "Kopi Toraja" in found.text
    assert "Teh Melati" not in found.text
    cheap = await browser.get("/search", params={"q": "kopi", "max_price": "30"})
    assert "Kopi Gayo" in cheap.text
    assert "Kopi Toraja" not in cheap.text
    ordered = await browser.get("/search", params={"sort": "price_desc"})
    text = ordered.text
    assert text.index("Kopi Toraja") < text.index("Kopi Gayo") < text.index("Teh Melati")


async def test_a_mistyped_price_filter_is_explained_next_to_the_field(
    browser: httpx.AsyncClient,
) -> None:
    """Bad input is a 422 page with the field marked, never a crash."""
    page = await browser.get("/search", params={"min_price": "cheap"})
    assert page.status_code == 422
    assert 'aria-invalid="true"' in page.text
    assert "Type a price such as 25 or 12.50." in page.text


async def test_the_product_page_shows_the_best_offer_and_the_other_sellers(
    client: httpx.AsyncClient, browser: httpx.AsyncClient, actors: Actors
) -> None:
    """Sold by, fulfilled by, price: the cheapest seller in the buy box, others below."""
    first = await listed(client, actors, seller="Toko Mahal", price=3_000)
    cheaper = await also_offer(client, actors, first.product_id, seller="Toko Murah", price=2_000)
    page = await browser.get(f"/products/{first.product_id}")
    assert page.status_code == 200
    text = page.text
    buybox, others = text.split('id="offers-title"')
    assert "$20.00" in buybox
    assert "Toko Murah" in buybox
    assert "Fulfilled by Toko Murah" in buybox
    assert f'name="offer_id" value="{cheaper.offer_id}"' in buybox
    assert "Sold by Toko Mahal" in others
    assert "$30.00" in others
    assert f'name="offer_id" value="{first.offer_id}"' in others


async def test_each_variant_has_its_own_offers(
    client: httpx.AsyncClient, browser: httpx.AsyncClient, actors: Actors
) -> None:
    """Choosing an option (a link, no JavaScript) shows that variant's offers."""
    shop = (await listed(client, actors)).shop
    made = await client.post(
        f"/api/v1/sellers/{shop.seller.seller_id}/products",
        json={
            "title": "Kaos Batik",
            "variants": [
                {"sku": "KB-M", "option_values": {"size": "M"}},
                {"sku": "KB-L", "option_values": {"size": "L"}},
            ],
        },
        headers=shop.seller.headers,
    )
    assert made.status_code == 201, made.text
    product = made.json()
    offers = {}
    for variant, price in zip(product["variants"], (5_000, 6_000), strict=True):
        offered = await client.post(
            f"/api/v1/sellers/{shop.seller.seller_id}/offers",
            json={"variant_id": variant["id"], "price_amount": price},
            headers=shop.seller.headers,
        )
        offers[variant["option_values"]["size"]] = offered.json()["id"]
        await shop_support.restock(client, shop, offered.json()["id"], 5)
    large = product["variants"][1]["id"]
    page = await browser.get(f"/products/{product['id']}", params={"variant": large})
    assert f'href="/products/{product["id"]}?variant={large}" aria-current="true"' in page.text
    assert f'name="offer_id" value="{offers["L"]}"' in page.text
    assert f'name="offer_id" value="{offers["M"]}"' not in page.text
    assert "$60.00" in page.text


async def test_a_hostile_product_name_is_shown_as_text_everywhere(
    client: httpx.AsyncClient, browser: httpx.AsyncClient, actors: Actors
) -> None:
    """Output is escaped: a seller cannot run script in a buyer's browser."""
    item = await listed(client, actors, title=HOSTILE)
    pages = [
        await browser.get("/"),
        await browser.get("/search", params={"q": "kopi"}),
        await browser.get(f"/products/{item.product_id}"),
    ]
    await add_to_cart(browser, item.offer_id)
    pages += [await browser.get("/cart"), await browser.get("/checkout")]
    for page in pages:
        assert "<script>alert" not in page.text, page.url
        assert "&lt;script&gt;alert(&#34;pwned&#34;)&lt;/script&gt; &amp; &#34;Kopi&#34;" in (
            page.text
        ), page.url


async def test_the_cart_groups_lines_by_seller_and_counts_in_the_header(
    client: httpx.AsyncClient, browser: httpx.AsyncClient, actors: Actors
) -> None:
    """One parcel per seller; the header shows how many items are in the cart."""
    kopi = await listed(client, actors, seller="Toko Kopi", title="Kopi Gayo")
    teh = await listed(client, actors, seller="Toko Teh", title="Teh Melati")
    await add_to_cart(browser, kopi.offer_id, 2)
    await add_to_cart(browser, teh.offer_id)
    page = await browser.get("/cart")
    assert "Sold by Toko Kopi" in page.text
    assert "Sold by Toko Teh" in page.text
    assert "ships as 2 parcels" in page.text
    assert '<span class="count" aria-label="3 items">3</span>' in page.text


async def test_quantities_change_and_lines_go(
    client: httpx.AsyncClient, browser: httpx.AsyncClient, actors: Actors
) -> None:
    """Update a quantity, then remove the line: the cart is empty again."""
    kopi = await listed(client, actors)
    await add_to_cart(browser, kopi.offer_id)
    page = await browser.get("/cart")
    line = re.search(r'action="/cart/lines/(\d+)"', page.text)
    assert line
    path = f"/cart/lines/{line.group(1)}"
    changed = await post_form(browser, path, {"quantity": "3", "action": "update"})
    assert changed.status_code == 303
    assert 'value="3"' in (await browser.get("/cart")).text
    removed = await post_form(browser, path, {"quantity": "3", "action": "remove"})
    assert removed.status_code == 303
    assert "Your cart is empty." in (await browser.get("/cart")).text


async def test_checkout_without_a_cart_goes_back_to_the_cart(browser: httpx.AsyncClient) -> None:
    """Nothing to buy: the checkout is not shown."""
    response = await browser.get("/checkout")
    assert response.status_code == 303
    assert response.headers["location"] == "/cart"


async def test_checkout_explains_bad_contact_details_next_to_each_field(
    client: httpx.AsyncClient, browser: httpx.AsyncClient, actors: Actors
) -> None:
    """The services' validation, said kindly, with the fields marked for screen readers."""
    kopi = await listed(client, actors)
    await add_to_cart(browser, kopi.offer_id)
    bad = {**CONTACT, "email": "not-an-email", "phone": "12", "city": ""}
    page = await submit_checkout(browser, bad, action="update")
    assert page.status_code == 422
    assert "Enter an email address such as name@example.com." in page.text
    assert "Enter a mobile number with 7 to 15 digits" in page.text
    assert 'id="f-email" name="email" type="email" value="not-an-email"' in page.text
    assert 'aria-describedby="e-phone"' in page.text
    assert 'id="e-city"' in page.text


async def test_checkout_shows_delivery_options_with_promised_dates_per_seller(
    client: httpx.AsyncClient, browser: httpx.AsyncClient, actors: Actors
) -> None:
    """After the address, each seller's options come with a price and an arrival date."""
    kopi = await listed(client, actors, seller="Toko Kopi")
    teh = await listed(client, actors, seller="Toko Teh")
    await add_to_cart(browser, kopi.offer_id)
    await add_to_cart(browser, teh.offer_id)
    before = await browser.get("/checkout")
    assert "Enter your address to see delivery options and dates." in before.text
    page = await submit_checkout(browser, CONTACT, action="update")
    assert page.status_code == 200
    for seller in (kopi, teh):
        assert f'name="delivery_{seller.seller_id}" value="standard"' in page.text
    assert "Arrives by" in page.text


async def test_placing_the_order_without_choosing_delivery_asks_for_it(
    client: httpx.AsyncClient, browser: httpx.AsyncClient, actors: Actors
) -> None:
    """Pressing "Place order" at once shows the options instead of guessing one."""
    kopi = await listed(client, actors, seller="Toko Kopi")
    await add_to_cart(browser, kopi.offer_id)
    page = await submit_checkout(browser, {**CONTACT, **CARD})
    assert page.status_code in (409, 422)
    assert f'name="delivery_{kopi.seller_id}"' in page.text


async def test_a_guest_buys_from_two_sellers_and_sees_the_order_page(
    client: httpx.AsyncClient, browser: httpx.AsyncClient, actors: Actors
) -> None:
    """The whole core path: one order, one part per seller, a thank-you, an empty cart."""
    kopi = await listed(client, actors, seller="Toko Kopi", title="Kopi Gayo")
    teh = await listed(client, actors, seller="Toko Teh", title="Teh Melati")
    await add_to_cart(browser, kopi.offer_id)
    await add_to_cart(browser, teh.offer_id, 2)
    url = await buy(browser, [kopi.seller_id, teh.seller_id])
    assert re.match(r"^/orders/[A-Z0-9-]+\?access=[\w-]+&placed=1$", url)
    page = await browser.get(url)
    assert page.status_code == 200
    assert "Thank you for your order" in page.text
    assert "From Toko Kopi" in page.text
    assert "From Toko Teh" in page.text
    assert "2 \N{MULTIPLICATION SIGN} Teh Melati" in page.text
    assert page.headers["cache-control"] == "no-store"
    assert '<span class="count" aria-label="0 items">0</span>' in page.text
    assert "Your cart is empty." in (await browser.get("/cart")).text


async def test_pressing_place_order_twice_makes_one_order(
    client: httpx.AsyncClient, browser: httpx.AsyncClient, actors: Actors
) -> None:
    """The form's Idempotency-Key makes a double submit land on the same order."""
    kopi = await listed(client, actors)
    await add_to_cart(browser, kopi.offer_id)
    await submit_checkout(browser, CONTACT, action="update")
    hidden = await checkout_form(browser)
    form = {**hidden, **CONTACT, **CARD, f"delivery_{kopi.seller_id}": "standard"}
    first = await browser.post("/checkout", data={**form, "action": "place"})
    assert first.status_code == 303, first.text
    # The browser still holds the old session's cart token in the resubmitted form's page;
    # the cart itself is now ordered, so a replay finds no open cart and no second order.
    browser.cookies.clear()
    csrf = await token(browser)
    second = await browser.post("/checkout", data={**form, "csrf_token": csrf, "action": "place"})
    assert second.status_code == 303
    assert second.headers["location"] == "/cart"
    admin = await actors.operator()
    listing = await client.get("/api/v1/admin/orders", headers=admin.headers)
    assert len(listing.json()["items"]) == 1


async def test_a_declined_card_is_explained_and_the_cart_is_kept(
    client: httpx.AsyncClient, browser: httpx.AsyncClient, actors: Actors
) -> None:
    """402 from payments becomes an inline message at the payment; nothing is ordered."""
    kopi = await listed(client, actors)
    await add_to_cart(browser, kopi.offer_id)
    await submit_checkout(browser, CONTACT, action="update")
    declined = {**CARD, "card_number": "4000 0000 0000 0002"}
    page = await submit_checkout(
        browser, {**CONTACT, **declined, f"delivery_{kopi.seller_id}": "standard"}
    )
    assert page.status_code == 402
    assert "declined" in page.text.lower()
    assert "4000 0000 0000 0002" not in page.text  # card numbers are never echoed
    assert '<span class="count" aria-label="1 item">1</span>' in page.text


async def test_a_mistyped_card_number_is_marked_at_the_card_field(
    client: httpx.AsyncClient, browser: httpx.AsyncClient, actors: Actors
) -> None:
    """The payment's own validation (Luhn) lands on the card number field."""
    kopi = await listed(client, actors)
    await add_to_cart(browser, kopi.offer_id)
    await submit_checkout(browser, CONTACT, action="update")
    wrong = {**CARD, "card_number": "4242 4242 4242 4241"}
    page = await submit_checkout(
        browser, {**CONTACT, **wrong, f"delivery_{kopi.seller_id}": "standard"}
    )
    assert page.status_code == 422
    assert 'aria-describedby="e-card_number"' in page.text


async def test_bank_transfer_orders_show_how_to_pay(
    client: httpx.AsyncClient, browser: httpx.AsyncClient, actors: Actors
) -> None:
    """The virtual account and the deadline are on the confirmation."""
    kopi = await listed(client, actors)
    await add_to_cart(browser, kopi.offer_id)
    url = await buy(browser, [kopi.seller_id], payment={"payment": "bank_transfer"})
    page = await browser.get(url)
    assert "How to pay" in page.text
    assert "Virtual account" in page.text
    assert "Waiting for payment" in page.text


async def test_the_buyer_cancels_a_part_before_the_seller_starts(
    client: httpx.AsyncClient, browser: httpx.AsyncClient, actors: Actors
) -> None:
    """Cash on delivery, not yet processed: the buyer may still cancel."""
    kopi = await listed(client, actors)
    await add_to_cart(browser, kopi.offer_id)
    url = await buy(browser, [kopi.seller_id], payment={"payment": "cod"})
    page = await browser.get(url)
    action = re.search(r'action="(/orders/[^"]+/cancel)"', page.text)
    assert action, page.text
    access = unescape(re.search(r'name="access" value="([^"]+)"', page.text).group(1))  # type: ignore[union-attr]
    cancelled = await post_form(
        browser, unescape(action.group(1)), {"access": access, "reason": "changed my mind"}
    )
    assert cancelled.status_code == 303
    after = await browser.get(cancelled.headers["location"])
    assert "Cancelled: changed my mind" in after.text
    assert "/cancel" not in after.text


async def test_the_order_page_shows_each_parcel_with_its_tracking_and_receipt_is_confirmed(
    client: httpx.AsyncClient, browser: httpx.AsyncClient, actors: Actors
) -> None:
    """Shipped: the parcel's timeline and a link to its tracking page; delivered: confirm."""
    placed, shipment = await ful.shipped(client, actors)
    url = f"/orders/{placed.number}?access={placed.access_token}"
    page = await browser.get(url)
    assert page.status_code == 200
    number = shipment["tracking_number"]
    assert f'href="/track/{number}"' in page.text
    assert "On its way" in page.text
    operator = await actors.operator()
    delivered = await client.post(
        f"/api/v1/admin/seller-orders/{placed.seller_order_id}/deliver",
        json={},
        headers=operator.headers,
    )
    assert delivered.status_code == 200, delivered.text
    page = await browser.get(url)
    action = re.search(r'action="(/orders/[^"]+/confirm-receipt)"', page.text)
    assert action
    confirmed = await post_form(browser, unescape(action.group(1)), {"access": placed.access_token})
    assert confirmed.status_code == 303
    after = await browser.get(confirmed.headers["location"])
    assert "Completed" in after.text
    assert "Thank you for confirming that your parcel arrived." in after.text


async def test_an_order_without_its_access_link_is_not_found(
    client: httpx.AsyncClient, browser: httpx.AsyncClient, actors: Actors
) -> None:
    """Guessing an order number shows nothing about it."""
    placed = await ful.placed_order(client, actors)
    page = await browser.get(f"/orders/{placed.number}")
    assert page.status_code == 404
    wrong = await browser.get(f"/orders/{placed.number}", params={"access": "x" * 32})
    assert wrong.status_code == 404
    assert "Guest.Buyer@example.com".lower() not in wrong.text.lower()


async def test_the_storefront_speaks_indonesian(
    client: httpx.AsyncClient, browser: httpx.AsyncClient, actors: Actors
) -> None:
    """Words, money and dates follow the language."""
    kopi = await listed(client, actors, price=2_500)
    headers = {"Accept-Language": "id"}
    product = await browser.get(f"/products/{kopi.product_id}", headers=headers)
    assert "Tambah ke keranjang" in product.text
    assert "Dijual oleh" in product.text
    assert "US$25,00" in product.text
    await add_to_cart(browser, kopi.offer_id)
    checkout = await browser.get("/checkout", headers=headers)
    assert "Alamat pengiriman" in checkout.text
    assert "Buat pesanan" in checkout.text


async def test_a_product_page_transfers_well_under_100_kb_compressed(
    client: httpx.AsyncClient, browser: httpx.AsyncClient, actors: Actors
) -> None:
    """HTML, stylesheet and scripts, gzipped, as a phone downloads them the first time."""
    kopi = await listed(client, actors)
    for seller in range(8):
        await also_offer(client, actors, kopi.product_id, seller=f"Toko {seller}", price=3_000)
    gzip = {"Accept-Encoding": "gzip"}
    page = await browser.get(f"/products/{kopi.product_id}", headers=gzip)
    total = int(page.headers["content-length"])
    linked = re.findall(r'(?:href|src)="(/static/[^"]+|/manifest.webmanifest)"', page.text)
    for url in set(linked):
        asset = await browser.get(unescape(url), headers=gzip)
        total += int(asset.headers["content-length"])  # as sent; httpx hands back unzipped
    assert total < 100_000
    assert total < 40_000  # today: about 30 KB; a jump means something heavy slipped in


async def test_adding_to_the_cart_says_so_on_the_next_page(
    client: httpx.AsyncClient, browser: httpx.AsyncClient, actors: Actors
) -> None:
    """A flash message survives the redirect once, then is gone."""
    kopi = await listed(client, actors)
    await add_to_cart(browser, kopi.offer_id)
    assert "Added to your cart." in (await browser.get("/cart")).text
    assert "Added to your cart." not in (await browser.get("/cart")).text


async def test_a_guest_who_lost_the_link_finds_the_order_by_number_and_email(
    client: httpx.AsyncClient, browser: httpx.AsyncClient, actors: Actors
) -> None:
    """Number + checkout email open the order; a wrong pair says so without telling which."""
    placed = await ful.placed_order(client, actors)
    csrf = await token(browser, "/find-order")
    wrong = await browser.post(
        "/find-order",
        data={"number": placed.number, "email": "someone@example.com", "csrf_token": csrf},
    )
    assert wrong.status_code == 404
    assert "No order has this number and email." in wrong.text
    found = await browser.post(
        "/find-order",
        data={"number": placed.number, "email": "guest.buyer@example.com", "csrf_token": csrf},
    )
    assert found.status_code == 303
    assert found.headers["location"] == f"/orders/{placed.number}?access={placed.access_token}"
