"""Catalog reads under a closed-loop load: search, category listing, product page.

Each scenario runs on its own for a fixed time with N clients, each sending one request
after another over keep-alive connections, so the rate is what the server sustains at that
concurrency. The inputs come from the catalog itself (a random sample of listed products):
search words from their titles, categories and price ranges around their prices, their
ids for the product page. Worker memory is each `pasar serve` worker's resident set, read
from /proc before and after.

The load comes from `wrk` (C, one thread) replaying a pre-generated list of request paths
through bench/paths.lua: a Python generator on the same 2-core machine takes a core from
the server it measures. Without wrk the Python httpx generator still runs, and says so.
"""

from __future__ import annotations

import asyncio
import json
import random
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import asyncpg  # type: ignore[import-untyped]
import httpx

from bench.stats import Recorder, Summary

SEARCH = "search"
LISTING = "category listing"
PRODUCT = "product page"
#: The same loop on /healthz (one trivial statement): what the stack itself sustains here.
CEILING = "ceiling: GET /healthz"
SAMPLE = 5_000
#: Request paths generated per scenario for wrk, replayed in a loop.
PATHS = 20_000
LUA = Path(__file__).with_name("paths.lua")
MISSING_WRK = (
    "wrk is not installed (apt-get install wrk): using the Python httpx generator, "
    "which shares this machine's CPU with the server and understates its rate"
)


@dataclass(frozen=True)
class Sampled:
    """A listed product as the load generator sees it."""

    id: int
    title: str
    leaf_id: int
    root_id: int
    price: int


async def load_sample(dsn: str, size: int = SAMPLE, seed: int = 3) -> list[Sampled]:
    """A random sample of listed products with their leaf and top-level category."""
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(f"SELECT setseed({1 / (seed + 1)})")
        rows = await conn.fetch(
            """
            SELECT p.id, p.title, p.category_id, p.best_price,
                   split_part(c.path, '/', 2)::bigint AS root_id
            FROM products p TABLESAMPLE BERNOULLI (5) REPEATABLE ($2)
            JOIN categories c ON c.id = p.category_id
            WHERE p.status = 'active' AND p.best_price IS NOT NULL
            LIMIT $1
            """,
            size,
            seed,
        )
        if len(rows) < 100:  # small catalogs: a 5% sample is too thin, take them all
            rows = await conn.fetch(
                """
                SELECT p.id, p.title, p.category_id, p.best_price,
                       split_part(c.path, '/', 2)::bigint AS root_id
                FROM products p JOIN categories c ON c.id = p.category_id
                WHERE p.status = 'active' AND p.best_price IS NOT NULL
                ORDER BY random() LIMIT $1
                """,
                size,
            )
    finally:
        await conn.close()
    if not rows:
        raise SystemExit("no listed products: seed the catalog first (pasar demo --scale large)")
    return [
        Sampled(r["id"], r["title"], r["category_id"], r["root_id"], r["best_price"]) for r in rows
    ]


def search_query(rng: random.Random, product: Sampled) -> dict[str, str]:
    """One or two words of a real title; sometimes the last one cut short (typing)."""
    words = [w for w in product.title.split() if not w.isdigit()]
    picked = rng.sample(words, k=min(len(words), rng.choice((1, 2, 2, 3))))
    if rng.random() < 0.3 and len(picked[-1]) > 3:
        picked[-1] = picked[-1][: rng.randint(3, len(picked[-1]) - 1)]
    params = {"q": " ".join(picked)}
    if rng.random() < 0.2:
        params["sort"] = rng.choice(("price_asc", "price_desc"))
    return params


def listing_query(rng: random.Random, product: Sampled) -> dict[str, str]:
    """A category (the leaf or its top level), a price range around a real price, stock
    and sort: what a shopper's filter panel sends."""
    params = {
        "category": str(rng.choice((product.leaf_id, product.root_id))),
        "sort": rng.choice(("price_asc", "price_asc", "price_desc", "newest")),
    }
    if rng.random() < 0.7:
        params["min_price"] = str(int(product.price * rng.uniform(0.3, 1.0)))
    if rng.random() < 0.5:
        params["max_price"] = str(int(product.price * rng.uniform(1.0, 3.0)))
    if rng.random() < 0.5:
        params["in_stock"] = "true"
    return params


async def _get(
    http: httpx.AsyncClient, rec: Recorder, step: str, url: str, params: dict[str, str]
) -> None:
    started = time.perf_counter()
    try:
        response = await http.get(url, params=params)
    except httpx.HTTPError as exc:
        rec.fail(step, repr(exc))
        return
    if response.status_code == 200:
        rec.ok(step, (time.perf_counter() - started) * 1000)
    else:
        rec.fail(step, f"{response.status_code} {url} {params} {response.text}")


def scenario_paths(name: str, sample: list[Sampled], seed: int, count: int = PATHS) -> list[str]:
    """The scenario's requests as paths with query strings, from the same sample and
    query generators as the Python clients (the product page: product, then its offers)."""
    if name == CEILING:
        return ["/healthz"]
    rng = random.Random(seed * 1000)
    paths: list[str] = []
    while len(paths) < count:
        product = rng.choice(sample)
        if name == SEARCH:
            paths.append("/api/v1/products?" + urlencode(search_query(rng, product)))
        elif name == LISTING:
            paths.append("/api/v1/products?" + urlencode(listing_query(rng, product)))
        else:
            paths.append(f"/api/v1/products/{product.id}")
            paths.append(f"/api/v1/products/{product.id}/offers")
    return paths


def parse_wrk(name: str, output: str) -> Summary:
    """The Summary of one wrk run from the `WRK_JSON {...}` line paths.lua prints."""
    for line in output.splitlines():
        if line.startswith("WRK_JSON "):
            found = json.loads(line.removeprefix("WRK_JSON "))
            break
    else:
        raise RuntimeError(f"wrk printed no WRK_JSON line:\n{output}")
    errors = int(found["non2xx"]) + int(found["socket_errors"])
    count = max(0, int(found["requests"]) - int(found["non2xx"]))
    seconds = int(found["duration_us"]) / 1e6
    return Summary(
        name=name,
        count=count,
        errors=errors,
        rate=count / seconds if seconds else 0.0,
        p50=found["p50_us"] / 1000,
        p95=found["p95_us"] / 1000,
        p99=found["p99_us"] / 1000,
    )


async def _wrk(wrk: str, base: str, paths_file: str, seconds: float, concurrency: int) -> str:
    process = await asyncio.create_subprocess_exec(
        wrk,
        "-t1",
        f"-c{concurrency}",
        f"-d{max(1, round(seconds))}s",
        "--timeout",
        "10s",
        "-s",
        str(LUA),
        base,
        "--",
        paths_file,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await process.communicate()
    text = out.decode(errors="replace")
    if process.returncode != 0:
        raise RuntimeError(f"wrk exited with {process.returncode}:\n{text}")
    return text


async def _wrk_scenario(
    wrk: str, base: str, name: str, paths: list[str], *, seconds: float, concurrency: int
) -> Summary:
    """One scenario under wrk: a 1 s warm-up (connections, the workers' first requests),
    then the measured run over the same list of paths."""
    with tempfile.NamedTemporaryFile("w", prefix="pasar-paths-", suffix=".txt") as file:
        file.write("\n".join(paths) + "\n")
        file.flush()
        await _wrk(wrk, base, file.name, 1, concurrency)
        summary = parse_wrk(name, await _wrk(wrk, base, file.name, seconds, concurrency))
    if summary.errors:
        print(f"  {name}: {summary.errors} non-2xx responses or socket errors")
    return summary


async def _scenario(
    base: str,
    name: str,
    sample: list[Sampled],
    *,
    seconds: float,
    concurrency: int,
    seed: int,
) -> Summary:
    wrk = shutil.which("wrk")
    if wrk is not None:
        paths = scenario_paths(name, sample, seed)
        return await _wrk_scenario(wrk, base, name, paths, seconds=seconds, concurrency=concurrency)
    print(f"  {MISSING_WRK}")
    rec = Recorder()
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as http:
        # Warm every connection (and the workers' first-request imports) outside the clock.
        await asyncio.gather(
            *(http.get("/healthz") for _ in range(concurrency)), return_exceptions=True
        )
        deadline = time.perf_counter() + seconds

        async def client(n: int) -> None:
            rng = random.Random(seed * 1000 + n)
            while time.perf_counter() < deadline:
                if name == CEILING:
                    await _get(http, rec, name, "/healthz", {})
                    continue
                product = rng.choice(sample)
                if name == SEARCH:
                    await _get(http, rec, name, "/api/v1/products", search_query(rng, product))
                elif name == LISTING:
                    await _get(http, rec, name, "/api/v1/products", listing_query(rng, product))
                else:  # the product page: the product, then its other offers
                    await _get(http, rec, name, f"/api/v1/products/{product.id}", {})
                    await _get(http, rec, name, f"/api/v1/products/{product.id}/offers", {})

        started = time.perf_counter()
        await asyncio.gather(*(client(n) for n in range(concurrency)))
        elapsed = time.perf_counter() - started
    for example in rec.error_examples[:3]:
        print(f"  error: {example}")
    summaries = rec.summaries(elapsed)
    if summaries:
        return summaries[0]
    return Summary(name, 0, 0, 0.0, 0.0, 0.0, 0.0)


async def run_catalog(base: str, dsn: str, seconds: float, concurrency: int = 16) -> list[Summary]:
    """Search, category listing and product page, one after another, each for `seconds`.

    `dsn` is a libpq URL (bench.server.libpq_url) of the database the server reads.
    """
    sample = await load_sample(dsn)
    return [
        await _scenario(base, name, sample, seconds=seconds, concurrency=concurrency, seed=seed)
        for seed, name in enumerate((SEARCH, LISTING, PRODUCT), start=1)
    ]


@dataclass
class CatalogRun:
    """The three scenarios' summaries and the workers' RSS (MB by pid) around them."""

    summaries: list[Summary]
    rss_before: dict[int, float]
    rss_after: dict[int, float]


async def run_catalog_with_rss(
    base: str, dsn: str, seconds: float, concurrency: int = 16
) -> CatalogRun:
    before = worker_rss(base)
    summaries = await run_catalog(base, dsn, seconds, concurrency)
    return CatalogRun(summaries, before, worker_rss(base))


async def run_ceiling(base: str, seconds: float, concurrency: int = 16) -> Summary:
    """The request rate of the server and this generator on this machine with no catalog
    work at all: the upper bound the three scenarios are read against."""
    return await _scenario(base, CEILING, [], seconds=seconds, concurrency=concurrency, seed=0)


# --- worker memory ----------------------------------------------------------------------


def _status(pid: int) -> dict[str, str]:
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        fields[key] = value.strip()
    return fields


def _cmdline(pid: int) -> list[str]:
    return Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace").split("\0")


def _server_pid(port: int) -> int | None:
    """The `pasar serve ... --port PORT` process (the master of the workers)."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            args = _cmdline(int(entry.name))
        except OSError:
            continue
        if "serve" in args and "--port" in args and str(port) in args:
            return int(entry.name)
    return None


def worker_rss(base: str) -> dict[int, float]:
    """Resident memory (MB) of each worker of the `pasar serve` listening at `base`: the
    master's children, less multiprocessing's resource tracker."""
    port = urlsplit(base).port
    master = _server_pid(port) if port else None
    if master is None:
        return {}
    found: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        pid = int(entry.name)
        try:
            status = _status(pid)
            if status.get("PPid") != str(master):
                continue
            if any("resource_tracker" in a for a in _cmdline(pid)):
                continue
            found[pid] = int(status.get("VmRSS", "0 kB").split()[0]) / 1024
        except OSError:
            continue
    return dict(sorted(found.items()))


def rss_line(label: str, rss: dict[int, float]) -> str:
    workers = ", ".join(f"pid {pid}: {mb:.0f} MB" for pid, mb in rss.items())
    return f"{label}: {workers or 'no workers found'}"
