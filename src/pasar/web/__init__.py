"""web: the built-in front ends, server-rendered with Jinja2 and htmx (see docs/web.md).

A client of the other modules' public services, like the JSON API; it holds no business
rule. `router` carries every page (storefront today; seller portal and operator console
next), the static files, the web manifest and the service worker. Pages go through
`routing.WebRoute`: signed session, CSRF on every POST, security headers, gzip.
"""

from pasar.platform.routing import GuardedRouter
from pasar.web.account import router as account_router
from pasar.web.console import console_router
from pasar.web.not_found import not_found_page, wants_html
from pasar.web.pwa import router as pwa_router
from pasar.web.seller import portal_router
from pasar.web.seller_catalog import router as seller_catalog_router
from pasar.web.seller_integrations import router as integrations_router
from pasar.web.storefront import router as storefront_router

router = GuardedRouter(include_in_schema=False)
router.include_router(pwa_router)
router.include_router(storefront_router)
router.include_router(portal_router)
router.include_router(integrations_router)
router.include_router(account_router)
router.include_router(seller_catalog_router)
router.include_router(console_router)

__all__ = ["not_found_page", "router", "wants_html"]
