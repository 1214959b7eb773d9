"""Static files and the Progressive Web App: manifest, service worker, offline page.

The service worker (`/sw.js`, scope `/`) precaches the shell (stylesheet, scripts, icons,
the offline page) under a cache named after the shell's version, serves static files
cache-first, and pages network-first with the offline page as fallback. It never caches
pages themselves: they carry a buyer's cart, orders and CSRF token.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path as FilePath
from typing import Annotated

import orjson
from fastapi import APIRouter, Path, Request
from starlette.responses import HTMLResponse, Response

from pasar.web import assets
from pasar.web.i18n import N_
from pasar.web.routing import WebRoute, _accepts_gzip
from pasar.web.templating import page, translate

router = APIRouter(include_in_schema=False, route_class=WebRoute)

YEAR = "public, max-age=31536000, immutable"
THEME = "#1f4fb8"
BACKGROUND = "#f6f7f9"


@router.get("/static/{path:path}")
async def static_file(
    path: Annotated[str, Path(max_length=200)], request: Request, v: str | None = None
) -> Response:
    asset = assets.assets().get(path)
    if asset is None:
        return Response("Not found", status_code=404, media_type="text/plain")
    etag = f'"{asset.version}"'
    headers = {
        "Cache-Control": YEAR if v == asset.version else "public, max-age=300",
        "ETag": etag,
        "X-Content-Type-Options": "nosniff",
        "Vary": "Accept-Encoding",
    }
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    body = asset.body
    if asset.gzipped is not None and _accepts_gzip(request):
        body = asset.gzipped
        headers["Content-Encoding"] = "gzip"
    return Response(body, media_type=asset.media_type, headers=headers)


@router.get("/manifest.webmanifest")
async def manifest(request: Request) -> Response:
    body = {
        "name": "Pasar",
        "short_name": "Pasar",
        "description": translate(request, N_("Shop from many sellers in one basket.")),
        "lang": request.state.locale,
        "start_url": "/?source=pwa",
        "scope": "/",
        "display": "standalone",
        "background_color": BACKGROUND,
        "theme_color": THEME,
        "icons": [
            {"src": assets.url("icons/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": assets.url("icons/icon-512.png"), "sizes": "512x512", "type": "image/png"},
            {
                "src": assets.url("icons/icon-maskable-512.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
            {"src": assets.url("icons/icon.svg"), "sizes": "any", "type": "image/svg+xml"},
        ],
    }
    return Response(
        orjson.dumps(body),
        media_type="application/manifest+json",
        headers={"Cache-Control": "public, max-age=3600"},
    )


SERVICE_WORKER = FilePath(__file__).resolve().parent / "templates" / "sw.js"


@cache
def _worker_source() -> str:
    return SERVICE_WORKER.read_text()


@router.get("/sw.js")
async def service_worker() -> Response:
    shell = [assets.url(path) for path in assets.SHELL]
    script = (
        _worker_source()
        .replace("__VERSION__", assets.shell_version())
        .replace("__SHELL__", orjson.dumps(shell).decode())
    )
    return Response(
        script,
        media_type="application/javascript; charset=utf-8",
        headers={"Cache-Control": "no-cache", "Service-Worker-Allowed": "/"},
    )


@router.get("/offline")
async def offline(request: Request) -> HTMLResponse:
    return page(request, "offline.html")
