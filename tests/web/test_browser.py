"""In a real browser: a guest buys from two sellers and follows the order's parcels.

Playwright drives Debian's Chromium (`/usr/bin/chromium`) against a real uvicorn server on
127.0.0.1 and a temporary SQLite database, seeded through the API like a marketplace's
sellers would. Without Chromium the test is skipped with a message, unless `CI` is set:
there a missing browser is a failure. A failing step leaves a screenshot in
`test-artifacts/`.
"""

from __future__ import annotations

import contextlib
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from pasar.platform.db import Database
from pasar.platform.migrate import upgrade
from tests.api import test_checkout_support as shop_support
from tests.support import Actors

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
SECRET = "browser-test-secret-not-for-production"
UVICORN = (sys.executable, "-m", "uvicorn", "pasar.app:create_app", "--factory")
UVICORN += ("--host", "127.0.0.1", "--log-level", "warning")
PHONE = {"width": 390, "height": 844}


def _require_chromium() -> None:
    if CHROMIUM.exists():
        return
    message = f"browser tests need Chromium at {CHROMIUM} (apt-get install chromium)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Server:
    url: str
    database_url: str


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    """`uvicorn pasar.app:create_app` on a free port, its own migrated SQLite database."""
    _require_chromium()
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'browser.db'}"
    upgrade(database_url)
    port = _free_port()
    log = tmp_path / "server.log"
    env = {
        **os.environ,
        "PASAR_DATABASE_URL": database_url,
        "PASAR_SECRET_KEY": SECRET,
        "PASAR_JOBS_INTERVAL_SECONDS": "0",
        "PASAR_EMBEDDED_WORKER": "false",
        "PASAR_LOG_LEVEL": "WARNING",
        "PASAR_LOGIN_RATE_LIMIT": "1000/minute",
    }
    url = f"http://127.0.0.1:{port}"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [*UVICORN, "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=output,
        )
    try:
        deadline = time.monotonic() + 20
        while True:
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the server did not start:\n{log.read_text()}")
            time.sleep(0.1)
        yield Server(url, database_url)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture
async def api(server: Server) -> AsyncIterator[tuple[httpx.AsyncClient, Actors]]:
    """The live server's API, and test actors written into its database."""
    database = Database(server.database_url, pool_size=2)
    async with httpx.AsyncClient(base_url=server.url, timeout=10) as client:
        yield client, Actors(client, database)
    await database.dispose()


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
    from playwright.async_api import async_playwright, expect

    client, actors = api
    kopi = await _stocked(client, actors, "Toko Kopi", "Kopi Gayo 250 g")
    teh = await _stocked(client, actors, "Toko Teh", "Teh Melati 100 g")

    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-dev-shm-usage"]
        )
        context = await chromium.new_context(
            viewport=PHONE, locale="en-US", service_workers="block"
        )
        # Product images live on other hosts; the test machine does not wait for them.
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
            for product_id in (kopi, teh):
                await page.goto(f"{server.url}/products/{product_id}")
                await page.get_by_role("button", name="Add to cart").first.click()
                await expect(page).to_have_url(f"{server.url}/cart")
            await expect(page.get_by_role("heading", name="Sold by Toko Kopi")).to_be_visible()
            await expect(page.get_by_role("heading", name="Sold by Toko Teh")).to_be_visible()
            await page.get_by_role("link", name="Go to checkout").click()

            await page.get_by_label("Email", exact=True).fill("siti@example.com")
            await page.get_by_label("Mobile phone", exact=True).fill("+62 812 3456 7890")
            await page.get_by_label("Full name", exact=True).fill("Siti Rahma")
            await page.get_by_label("Address", exact=True).fill("Jl. Kemang Raya 5")
            await page.get_by_label("City", exact=True).fill("Jakarta")
            await page.get_by_label("Postal code", exact=True).fill("12730")
            await page.get_by_label("Province or region", exact=True).fill("DKI Jakarta")
            await page.get_by_role("button", name="Show delivery options").click()
            standard = page.locator("input[name^=delivery_][value=standard]")
            await expect(standard).to_have_count(2)
            for index in range(2):
                await standard.nth(index).check()
            await page.get_by_label("Card number", exact=True).fill("4242 4242 4242 4242")
            await page.get_by_label("Expiry year", exact=True).select_option("2031")
            await page.get_by_label("Security code", exact=True).fill("123")
            await page.get_by_role("button", name="Place order").click()

            await expect(
                page.get_by_role("heading", name="Thank you for your order")
            ).to_be_visible()
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
        except BaseException:
            ARTIFACTS.mkdir(exist_ok=True)
            await page.screenshot(
                path=str(ARTIFACTS / "browser-guest-checkout.png"), full_page=True
            )
            raise
        finally:
            await context.close()
            await chromium.close()
