"""In a real browser: the storefront installs its service worker, and once the network is
gone a page it never cached answers with the offline page, not the browser's error.

Same server, skip rule and screenshots as `test_browser.py`.
"""

from __future__ import annotations

from tests.web.test_browser import ARTIFACTS, CHROMIUM, PHONE, Server, server

__all__ = ["server"]  # the fixture, shared with the purchase test


async def test_the_service_worker_serves_the_offline_page_without_a_network(
    server: Server,
) -> None:
    from playwright.async_api import async_playwright, expect

    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-dev-shm-usage"]
        )
        context = await chromium.new_context(viewport=PHONE, locale="en-US")
        page = await context.new_page()
        expect.set_options(timeout=10_000)
        try:
            await page.goto(f"{server.url}/")
            scope = await page.evaluate("navigator.serviceWorker.ready.then(r => r.scope)")
            assert scope == f"{server.url}/"
            manifest = await page.evaluate(
                "fetch(document.querySelector('link[rel=manifest]').href).then(r => r.json())"
            )
            assert manifest["display"] == "standalone"
            assert {"192x192", "512x512"} <= {icon["sizes"] for icon in manifest["icons"]}
            await page.reload()  # now the worker controls the page
            assert await page.evaluate("navigator.serviceWorker.controller !== null")

            await context.set_offline(True)
            await page.goto(f"{server.url}/search?q=never-visited")
            await expect(page.get_by_text("You are offline")).to_be_visible()
        except Exception:
            ARTIFACTS.mkdir(exist_ok=True)
            await page.screenshot(path=str(ARTIFACTS / "pwa-offline.png"), full_page=True)
            raise
        finally:
            await context.close()
            await chromium.close()
