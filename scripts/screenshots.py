"""Screenshots of the web front ends, at a phone and a desktop size, for docs/web.md.

Against a running Pasar seeded with `pasar demo` (`make run` does both):

    make run &
    .venv/bin/python scripts/screenshots.py http://127.0.0.1:8000

Playwright drives Debian's Chromium (`/usr/bin/chromium`). For each size it saves
`docs/images/web/<page>-<phone|desktop>.png`: the home page, a product page with several
sellers' offers, the checkout page with a cart of two sellers' items (added through the
product page's forms, contact and address filled in, delivery options shown), the seller
order queue (signed in as a demo seller) and the operator console's home (signed in as
the demo operator). Product images point at hosts that do not resolve; requests to other
hosts are aborted so the page does not wait for them.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import sys
from pathlib import Path
from typing import Any

import httpx
from playwright.async_api import Browser, BrowserContext, Page, async_playwright, expect

CHROMIUM = "/usr/bin/chromium"
OUT = Path(__file__).resolve().parents[1] / "docs" / "images" / "web"
PASSWORD = "pasar-demo-2026"
SELLER = "seller1@pasar.example.com"
OPERATOR = "operator@pasar.example.com"
MOBILE_UA = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36"
)
SIZES: dict[str, dict[str, Any]] = {
    "phone": {
        "viewport": {"width": 390, "height": 844},
        "device_scale_factor": 2,
        "is_mobile": True,
        "has_touch": True,
        "user_agent": MOBILE_UA,
    },
    "desktop": {"viewport": {"width": 1366, "height": 900}},
}
OFFER = re.compile(r'class="card offer"')


def pick_product(base_url: str, wanted: int = 3, scan: int = 60) -> int:
    """The first product whose page lists at least `wanted` other sellers' offers."""
    best, best_count = 1, -1
    with httpx.Client(base_url=base_url, timeout=10) as client:
        for product_id in range(1, scan + 1):
            answer = client.get(f"/products/{product_id}")
            if answer.status_code != 200:
                continue
            count = len(OFFER.findall(answer.text))
            if count >= wanted:
                return product_id
            if count > best_count:
                best, best_count = product_id, count
    return best


async def new_context(browser: Browser, base_url: str, size: str) -> BrowserContext:
    context = await browser.new_context(
        **SIZES[size], locale="en-US", service_workers="block", base_url=base_url
    )
    await context.route(
        "**/*",
        lambda route: (
            route.continue_() if route.request.url.startswith(base_url) else route.abort()
        ),
    )
    return context


async def shoot(page: Page, name: str, size: str, *, full: bool = False) -> Path:
    """The viewport, or the whole page when asked or on a phone if it is not too long."""
    await page.wait_for_load_state("networkidle")
    await page.evaluate("window.scrollTo(0, 0)")
    height = await page.evaluate("document.documentElement.scrollHeight")
    full_page = full or (size == "phone" and height <= 2400)
    path = OUT / f"{name}-{size}.png"
    await page.screenshot(path=str(path), full_page=full_page, animations="disabled")
    print(f"{path.relative_to(OUT.parents[2])}: {path.stat().st_size // 1024} KB")
    return path


async def sign_in(page: Page, email: str) -> None:
    await page.goto("/signin")
    await page.get_by_label("Email", exact=True).fill(email)
    await page.get_by_label("Password", exact=True).fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await page.wait_for_load_state("networkidle")
    if "/signin" in page.url:
        raise RuntimeError(f"could not sign in as {email}")


async def fill_checkout(page: Page, base_url: str, product_id: int) -> bool:
    """Two sellers' offers of a product in the cart, checkout filled in; all deliverable?"""
    await page.goto(f"/products/{product_id}")
    if await page.get_by_role("button", name="Add to cart").count() < 2:
        return False
    for index in (0, 1):
        await page.goto(f"/products/{product_id}")
        await page.get_by_role("button", name="Add to cart").nth(index).click()
        await expect(page).to_have_url(f"{base_url}/cart")
    await page.get_by_role("link", name="Go to checkout").click()
    await expect(page).to_have_url(re.compile(r"/checkout"))
    await page.get_by_label("Email", exact=True).fill("siti@example.com")
    await page.get_by_label("Mobile phone", exact=True).fill("+62 812 3456 7890")
    await page.get_by_label("Full name", exact=True).fill("Siti Rahma")
    await page.get_by_label("Address", exact=True).fill("Jl. Kemang Raya 5")
    await page.get_by_label("City", exact=True).fill("Jakarta")
    await page.get_by_label("Postal code", exact=True).fill("12730")
    await page.get_by_label("Province or region", exact=True).fill("DKI Jakarta")
    await page.get_by_role("button", name="Show delivery options").click()
    await page.wait_for_load_state("networkidle")
    if await page.get_by_text("does not ship to").count():
        return False
    return await page.locator("input[name^=delivery_]").count() > 0


async def storefront(browser: Browser, base_url: str, size: str, product_id: int) -> None:
    context = await new_context(browser, base_url, size)
    page = await context.new_page()
    try:
        await page.goto("/")
        await shoot(page, "home", size)

        await page.goto(f"/products/{product_id}")
        await expect(page.locator("h1")).to_be_visible()
        await shoot(page, "product", size)

        # The best offer and the next seller's: a cart from two sellers who both ship to
        # the address (some demo sellers do not ship to Indonesia: try the next product).
        for candidate in range(product_id, product_id + 40):
            await context.clear_cookies()
            if await fill_checkout(page, base_url, candidate):
                break
        await shoot(page, "checkout", size, full=True)  # down to the delivery options
    finally:
        await context.close()


async def portal(browser: Browser, base_url: str, size: str, email: str, path: str) -> None:
    context = await new_context(browser, base_url, size)
    page = await context.new_page()
    try:
        await sign_in(page, email)
        await page.goto(path)
        await expect(page.locator("h1")).to_be_visible()
        name = "seller-orders" if path.startswith("/seller") else "console"
        await shoot(page, name, size)
    finally:
        await context.close()


async def main(base_url: str) -> None:
    base_url = base_url.rstrip("/")
    OUT.mkdir(parents=True, exist_ok=True)
    product_id = pick_product(base_url)
    print(f"product page: /products/{product_id}")
    expect.set_options(timeout=15_000)
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-dev-shm-usage"]
        )
        try:
            for size in SIZES:
                await storefront(browser, base_url, size, product_id)
                await portal(browser, base_url, size, SELLER, "/seller/orders")
                await portal(browser, base_url, size, OPERATOR, "/console")
        finally:
            await browser.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("base_url", nargs="?", default="http://127.0.0.1:8000")
    arguments = parser.parse_args()
    try:
        asyncio.run(main(arguments.base_url))
    except httpx.ConnectError:
        sys.exit(f"no Pasar at {arguments.base_url}: start one with `pasar serve`")
