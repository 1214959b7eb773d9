"""What every Playwright test shares: the live server, Debian's Chromium and one page.

Playwright drives Debian's Chromium (`/usr/bin/chromium`) against a real uvicorn server on
127.0.0.1 and a temporary SQLite database. Without Chromium the tests are skipped with a
message, unless `CI` is set: there a missing browser is a failure. A failing step leaves a
screenshot in `test-artifacts/`.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import httpx
import pytest

from pasar.platform.db import Database
from pasar.platform.migrate import upgrade
from tests.support import PASSWORD, Actors

if TYPE_CHECKING:
    from playwright.async_api import Page, ViewportSize

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
SECRET = "browser-test-secret-not-for-production"
UVICORN: tuple[str, ...] = (sys.executable, "-m", "uvicorn", "pasar.app:create_app")
UVICORN += ("--factory", "--host", "127.0.0.1", "--log-level", "warning")
PHONE: ViewportSize = {"width": 390, "height": 844}
DESKTOP: ViewportSize = {"width": 1280, "height": 900}


def require_chromium() -> None:
    """Skip without Chromium, except under `CI`, where a missing browser must fail."""
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
    require_chromium()
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


@contextlib.asynccontextmanager
async def browser_page(
    server: Server,
    screenshot: str,
    *,
    viewport: ViewportSize,
    locale: str = "en-US",
    service_workers: Literal["allow", "block"] = "block",
    accept_downloads: bool | None = None,
    only_the_server: bool = True,
) -> AsyncIterator[tuple[Page, list[str]]]:
    """A fresh Chromium page on the live server, and the Content Security Policy violations
    its console reports (the test asserts none). A failing block leaves `screenshot` in
    `test-artifacts/`. `only_the_server` aborts every request to another host: product
    images live elsewhere and the test machine does not wait for them."""
    from playwright.async_api import async_playwright, expect

    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-dev-shm-usage"]
        )
        context = await chromium.new_context(
            viewport=viewport,
            locale=locale,
            service_workers=service_workers,
            accept_downloads=accept_downloads,
        )
        if only_the_server:
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
            yield page, violations
        except BaseException:
            ARTIFACTS.mkdir(exist_ok=True)
            await page.screenshot(path=str(ARTIFACTS / screenshot), full_page=True)
            raise
        finally:
            await context.close()
            await chromium.close()


async def pay_at_checkout(page: Page, card: str, *, contact: bool = True, parcels: int = 1) -> None:
    """Fill the one-page checkout the way a buyer does (standard delivery for each of the
    `parcels` sellers), pay by `card` and place the order. `contact=False` keeps the address
    the checkout remembered from an earlier attempt."""
    from playwright.async_api import expect

    if contact:
        await page.get_by_label("Email", exact=True).fill("siti@example.com")
        await page.get_by_label("Mobile phone", exact=True).fill("+62 812 3456 7890")
        await page.get_by_label("Full name", exact=True).fill("Siti Rahma")
        await page.get_by_label("Address", exact=True).fill("Jl. Kemang Raya 5")
        await page.get_by_label("City", exact=True).fill("Jakarta")
        await page.get_by_label("Postal code", exact=True).fill("12730")
        await page.get_by_label("Province or region", exact=True).fill("DKI Jakarta")
    # The options may already be on the page (a remembered address): wait for the answer
    # and for htmx to swap it in, or a choice made now is lost with the old form.
    async with page.expect_response(lambda r: r.request.method == "POST"):
        await page.get_by_role("button", name="Show delivery options").click()
    await expect(page.locator(".htmx-request")).to_have_count(0)
    standard = page.locator("input[name^=delivery_][value=standard]")
    await expect(standard).to_have_count(parcels)
    for index in range(parcels):
        await standard.nth(index).check()
    await page.get_by_label("Card number", exact=True).fill(card)
    await page.get_by_label("Expiry year", exact=True).select_option("2031")
    await page.get_by_label("Security code", exact=True).fill("123")
    await page.get_by_role("button", name="Place order").click()


async def sign_in_at(page: Page, server: Server, path: str, email: str) -> None:
    """Open `path` signed out, land on the sign-in page that comes back to it, sign in."""
    from playwright.async_api import expect

    await page.goto(f"{server.url}{path}")
    await expect(page).to_have_url(f"{server.url}/signin?next={path}")
    await page.get_by_label("Email", exact=True).fill(email)
    await page.get_by_label("Password", exact=True).fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
