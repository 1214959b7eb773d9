"""The catalog benchmark's wrk driver: its path list and the summary of paths.lua's line."""

from __future__ import annotations

from bench.catalog import CEILING, PRODUCT, SEARCH, Sampled, parse_wrk, scenario_paths

SAMPLE = [Sampled(7, "Kopi Toraja Arabika 250 g", 12, 3, 85_000)]


def test_the_product_page_asks_for_the_product_then_its_offers() -> None:
    paths = scenario_paths(PRODUCT, SAMPLE, seed=3, count=4)
    assert paths == [
        "/api/v1/products/7",
        "/api/v1/products/7/offers",
        "/api/v1/products/7",
        "/api/v1/products/7/offers",
    ]


def test_search_paths_carry_encoded_queries_and_the_ceiling_is_healthz() -> None:
    paths = scenario_paths(SEARCH, SAMPLE, seed=1, count=50)
    assert len(paths) == 50
    assert all(p.startswith("/api/v1/products?q=") and " " not in p for p in paths)
    assert scenario_paths(CEILING, [], seed=0) == ["/healthz"]


def test_the_summary_counts_non_2xx_and_socket_errors_as_errors() -> None:
    line = (
        'WRK_JSON {"requests": 1000, "non2xx": 10, "socket_errors": 2, '
        '"duration_us": 2000000, "p50_us": 4000, "p95_us": 9000, "p99_us": 12500, '
        '"max_us": 30000}'
    )
    summary = parse_wrk(SEARCH, "Running 2s test\n" + line + "\n")
    assert (summary.count, summary.errors) == (990, 12)
    assert summary.rate == 495
    assert (summary.p50, summary.p95, summary.p99) == (4.0, 9.0, 12.5)
