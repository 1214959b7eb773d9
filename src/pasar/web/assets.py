"""Static files, served by Pasar itself: fingerprinted URLs, long caching, precompressed.

Every file under `static/` is read once, hashed and gzipped in memory. Templates link
`/static/<path>?v=<hash>`; such a URL never changes meaning, so it is cached for a year
(`immutable`). A request with another (or no) version gets the current file with a short
cache, so a page cached before a deploy still finds its stylesheet.
"""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
from dataclasses import dataclass
from functools import cache
from pathlib import Path

STATIC_DIR = Path(__file__).resolve().parent / "static"
#: Worth compressing: text. Images are compressed already.
COMPRESSIBLE = ("text/", "application/javascript", "application/json", "image/svg+xml")
MEDIA_TYPES = {
    ".js": "application/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".webmanifest": "application/manifest+json",
}


@dataclass(frozen=True, slots=True)
class Asset:
    path: str
    body: bytes
    gzipped: bytes | None
    media_type: str
    version: str

    @property
    def url(self) -> str:
        return f"/static/{self.path}?v={self.version}"


def compressible(media_type: str) -> bool:
    return media_type.startswith(COMPRESSIBLE)


def _load(file: Path) -> Asset:
    body = file.read_bytes()
    media_type = MEDIA_TYPES.get(file.suffix) or (
        mimetypes.guess_type(file.name)[0] or "application/octet-stream"
    )
    squeezed = gzip.compress(body, compresslevel=9, mtime=0) if compressible(media_type) else None
    return Asset(
        path=file.relative_to(STATIC_DIR).as_posix(),
        body=body,
        gzipped=squeezed if squeezed is not None and len(squeezed) < len(body) else None,
        media_type=media_type,
        version=hashlib.sha256(body).hexdigest()[:12],
    )


@cache
def assets() -> dict[str, Asset]:
    """Every static file by its path under `static/` (licence files too: they ship)."""
    return {
        asset.path: asset
        for asset in (_load(f) for f in sorted(STATIC_DIR.rglob("*")) if f.is_file())
    }


def url(path: str) -> str:
    """The fingerprinted URL of a static file; a missing file is a bug, so it raises."""
    return assets()[path].url


#: What the service worker keeps for offline use besides the offline page.
SHELL = ("css/site.css", "js/app.js", "vendor/htmx.min.js", "icons/icon.svg", "icons/icon-192.png")


def shell_version() -> str:
    """Changes whenever any shell file changes, so the worker replaces its cache."""
    digest = hashlib.sha256("".join(assets()[p].version for p in SHELL).encode())
    return digest.hexdigest()[:12]
