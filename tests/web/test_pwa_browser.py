"""In a real browser: the storefront installs its service worker, and once the network is
gone a page it never cached answers with the offline page, not the browser's error.

Same server, skip rule and screenshots as every browser test (`browser_support.py`).
"""

from __future__ import annotations

from tests.web.browser_support import PHONE, Server, browser_page, server

__all__ = ["server"]  # the fixture, shared with the purchase test


async def test_the_service_worker_serves_the_offline_page_without_a_network(
    server: Server,
) -> None:
    from playwright.async_api import expect

    # The service worker is under test: allowed to run, its requests not routed.
    async with browser_page(
        server,
        "pwa-offline.png",
        viewport=PHONE,
        service_workers="allow",
        only_the_server=False,
    ) as (page, _):
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

        await page.context.set_offline(True)
        await page.goto(f"{server.url}/search?q=never-visited")
        await expect(page.get_by_text("You are offline")).to_be_visible()
