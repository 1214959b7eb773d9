"""The web's foundation: static files, PWA, session cookie, CSRF, headers, languages."""

from __future__ import annotations

import gzip
import re

import httpx
import orjson

from pasar.web import assets
from tests.web.support import csrf_of, post_form, token

STATIC_URL = re.compile(r'(?:href|src)="(/static/[^"]+)"')


async def test_pages_link_static_files_by_version_and_they_are_cached_for_a_year(
    browser: httpx.AsyncClient,
) -> None:
    """A fingerprinted URL never changes meaning, so browsers may keep it for good."""
    home = await browser.get("/")
    urls = STATIC_URL.findall(home.text)
    assert any(u.startswith("/static/css/site.css?v=") for u in urls)
    assert any(u.startswith("/static/vendor/htmx.min.js?v=") for u in urls)
    for url in urls:
        response = await browser.get(url)
        assert response.status_code == 200, url
        assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert response.headers["x-content-type-options"] == "nosniff"


async def test_static_files_are_gzipped_and_revalidate_with_their_etag(
    browser: httpx.AsyncClient,
) -> None:
    """CSS and JavaScript travel compressed; an unchanged file answers 304."""
    url = assets.url("vendor/htmx.min.js")
    raw = await browser.get(url, headers={"Accept-Encoding": "gzip"})
    assert raw.headers["content-encoding"] == "gzip"
    assert int(raw.headers["content-length"]) < 20_000  # htmx is ~52 KB unzipped
    again = await browser.get(url, headers={"If-None-Match": raw.headers["etag"]})
    assert again.status_code == 304


async def test_an_old_or_missing_version_is_not_cached_for_long(
    browser: httpx.AsyncClient,
) -> None:
    """A page cached before a deploy still gets the stylesheet, just not for a year."""
    stale = await browser.get("/static/css/site.css?v=0ld")
    assert stale.status_code == 200
    assert stale.headers["cache-control"] == "public, max-age=300"
    assert (await browser.get("/static/nothing/here.css")).status_code == 404
    assert (await browser.get("/static/../__init__.py")).status_code == 404


async def test_the_vendored_htmx_ships_with_its_licence() -> None:
    """Vendored code keeps its licence beside it."""
    files = assets.assets()
    assert "vendor/htmx.min.js" in files
    assert b"Zero-Clause BSD" in files["vendor/htmx.LICENSE"].body


async def test_the_manifest_makes_the_storefront_installable(browser: httpx.AsyncClient) -> None:
    """Chromium installs a PWA with a name, a start URL, standalone display and big icons."""
    response = await browser.get("/manifest.webmanifest")
    assert response.headers["content-type"].startswith("application/manifest+json")
    manifest = orjson.loads(response.content)
    assert manifest["start_url"].startswith("/")
    assert manifest["display"] == "standalone"
    sizes = {icon["sizes"] for icon in manifest["icons"]}
    assert {"192x192", "512x512"} <= sizes
    for icon in manifest["icons"]:
        fetched = await browser.get(icon["src"])
        assert fetched.status_code == 200, icon
        if icon["type"] == "image/png":
            assert fetched.content.startswith(b"\x89PNG")
    home = await browser.get("/")
    assert '<link rel="manifest" href="/manifest.webmanifest">' in home.text


async def test_the_service_worker_precaches_the_shell_and_an_offline_page(
    browser: httpx.AsyncClient,
) -> None:
    """Served from the root (scope /), never cached long itself, listing versioned files."""
    response = await browser.get("/sw.js")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/javascript")
    assert response.headers["cache-control"] == "no-cache"
    script = response.text
    assert assets.url("css/site.css") in script
    assert '"/offline"' in script
    assert "__VERSION__" not in script
    offline = await browser.get("/offline")
    assert offline.status_code == 200
    assert "You are offline" in offline.text


async def test_every_page_has_a_strict_content_security_policy(
    browser: httpx.AsyncClient,
) -> None:
    """No inline script may run: scripts and styles come only from Pasar itself."""
    for path in ("/", "/search?q=kopi", "/cart", "/offline", "/products/999999"):
        response = await browser.get(path)
        policy = response.headers["content-security-policy"]
        assert "script-src 'self'" in policy, path
        assert "unsafe-inline" not in policy, path
        assert "frame-ancestors 'none'" in policy
        assert response.headers["x-content-type-options"] == "nosniff"
        assert "<script>" not in response.text, path
        assert " style=" not in response.text, path


async def test_the_session_cookie_is_signed_http_only_and_lax(browser: httpx.AsyncClient) -> None:
    """On localhost it may travel over plain http; JavaScript never sees it."""
    response = await browser.get("/")
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("pasar_session=")
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    assert "Secure" not in cookie


async def test_the_session_cookie_is_secure_on_a_real_host(client: httpx.AsyncClient) -> None:
    """Anywhere but the developer's machine, the cookie only travels over https."""
    response = await client.get("/", headers={"Host": "shop.example.com"})
    assert "Secure" in response.headers["set-cookie"]


async def test_a_tampered_session_cookie_starts_a_new_session(
    browser: httpx.AsyncClient,
) -> None:
    """A forged cookie is ignored, not trusted and not an error."""
    first = await token(browser)
    browser.cookies.set("pasar_session", "eyJjYXJ0IjoiZm9yZ2VkIn0.forged.signature")
    response = await browser.get("/cart")
    assert response.status_code == 200
    assert csrf_of(response.text) != first


async def test_a_form_posted_without_its_csrf_token_is_refused(
    browser: httpx.AsyncClient,
) -> None:
    """403 with an HTML problem page, and nothing happens."""
    await browser.get("/")
    response = await browser.post("/cart/lines", data={"offer_id": "1", "quantity": "1"})
    assert response.status_code == 403
    assert response.headers["content-type"].startswith("text/html")
    assert "csrf-failed" in response.text
    assert "content-security-policy" in response.headers


async def test_a_wrong_csrf_token_is_refused(browser: httpx.AsyncClient) -> None:
    """Another session's token does not open this one's forms."""
    await browser.get("/")
    response = await post_form(browser, "/cart/lines", {"offer_id": "1"}, csrf="x" * 43)
    assert response.status_code == 403


async def test_a_cross_site_post_is_refused_even_with_a_token(browser: httpx.AsyncClient) -> None:
    """A foreign Origin is refused whatever the form carries."""
    csrf = await token(browser)
    response = await browser.post(
        "/language",
        data={"locale": "id", "next": "/", "csrf_token": csrf},
        headers={"Origin": "https://evil.example"},
    )
    assert response.status_code == 403


async def test_htmx_requests_may_send_the_token_as_a_header(browser: httpx.AsyncClient) -> None:
    """The layout puts the token in hx-headers, so buttons outside forms work too."""
    csrf = await token(browser)
    response = await browser.post(
        "/language", data={"locale": "id", "next": "/"}, headers={"X-CSRF-Token": csrf}
    )
    assert response.status_code == 303


async def test_html_is_compressed_when_the_browser_accepts_gzip(
    browser: httpx.AsyncClient,
) -> None:
    """Pages travel gzipped (a product page must stay under 100 KB on the wire)."""
    response = await browser.get("/", headers={"Accept-Encoding": "gzip"})
    assert response.headers["content-encoding"] == "gzip"
    assert "Accept-Encoding" in response.headers["vary"]
    raw = await browser.get("/", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in raw.headers
    assert len(gzip.compress(raw.content)) < len(raw.content)


async def test_the_language_follows_accept_language(browser: httpx.AsyncClient) -> None:
    """An Indonesian browser gets Indonesian pages without choosing anything."""
    response = await browser.get("/", headers={"Accept-Language": "id-ID,id;q=0.9,en;q=0.8"})
    assert '<html lang="id">' in response.text
    assert "Cari produk" in response.text
    english = await browser.get("/", headers={"Accept-Language": "fr-FR,en;q=0.5"})
    assert '<html lang="en">' in english.text


async def test_the_footer_switch_sets_the_language_and_goes_back(
    browser: httpx.AsyncClient,
) -> None:
    """The choice is kept in a cookie and wins over the browser's languages."""
    csrf = await token(browser, "/cart")
    switched = await browser.post(
        "/language", data={"locale": "id", "next": "/cart", "csrf_token": csrf}
    )
    assert switched.status_code == 303
    assert switched.headers["location"] == "/cart"
    assert "pasar_lang=id" in switched.headers["set-cookie"]
    page = await browser.get("/cart", headers={"Accept-Language": "en"})
    assert "Keranjang Anda kosong." in page.text


async def test_the_language_switch_never_redirects_off_site(browser: httpx.AsyncClient) -> None:
    """`next` is only ever a path on this site."""
    for target in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
        csrf = await token(browser)
        response = await browser.post(
            "/language", data={"locale": "en", "next": target, "csrf_token": csrf}
        )
        assert response.headers["location"] == "/", target


async def test_a_missing_product_is_a_friendly_404_page(browser: httpx.AsyncClient) -> None:
    """Errors from the services become pages in the buyer's language, not JSON."""
    response = await browser.get("/products/424242", headers={"Accept-Language": "id"})
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "Halaman itu tidak ditemukan" in response.text


async def test_an_unknown_address_is_the_404_page_for_a_browser(
    browser: httpx.AsyncClient,
) -> None:
    """A stale link opened in a browser is the storefront's page, in the visitor's
    language, with the pages' headers; not a JSON document."""
    html = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    response = await browser.get("/no-such-page", headers={"Accept": html, "Accept-Language": "id"})
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "Halaman itu tidak ditemukan" in response.text
    assert "Tidak ada apa pun di alamat ini" in response.text
    assert "<code>not-found</code>" in response.text
    assert "default-src 'self'" in response.headers["content-security-policy"]
    english = await browser.get("/no/such/page/either", headers={"Accept": html})
    assert "We could not find that page" in english.text
    assert 'name="csrf_token"' in english.text, "the footer's language form still works"
    head = await browser.head("/no-such-page", headers={"Accept": html})
    assert head.status_code == 404
    assert head.headers["content-type"].startswith("text/html")


async def test_the_api_and_clients_that_ask_for_json_keep_problem_json(
    browser: httpx.AsyncClient,
) -> None:
    """Under /api/ (even from a browser) and for any client not asking for HTML, an
    unknown address stays problem+json."""
    html = "text/html,application/xhtml+xml,*/*;q=0.8"
    asked = [
        ("GET", "/api/v1/nope", {"Accept": html}),
        ("GET", "/api/v1/nope", {}),
        ("GET", "/no-such-page", {"Accept": "application/json"}),
        ("GET", "/no-such-page", {"Accept": "*/*"}),
        ("HEAD", "/no-such-page", {"Accept": "application/json"}),
        ("POST", "/no-such-page", {"Accept": html}),
    ]
    for method, path, headers in asked:
        response = await browser.request(method, path, headers=headers)
        assert response.status_code == 404, (method, path, headers)
        media = response.headers["content-type"]
        assert media.startswith("application/problem+json"), (method, path, headers, media)
        if method != "HEAD":
            assert response.json()["type"] == "/problems/not-found"
