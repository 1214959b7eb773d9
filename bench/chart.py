"""An SVG chart of a run against the issue's bars: each figure as a share of its bar.

Drawn by hand (a dozen rectangles) so the docs need no plotting library; a bar at 100 %
or more is green, below it amber.
"""

from __future__ import annotations

from html import escape
from typing import Any

#: (label, how to read the achieved figure from results, the bar)
BARS: list[tuple[str, str, float]] = [
    ("whole checkout, orders/s", "checkout: whole checkout", 300),
    ("place-order alone, orders/s", "place-order alone: place order", 1_000),
    ("tracking, events/s", "tracking_events_per_second", 5_000),
    ("ingestion, orders/s", "ingested_orders_per_second", 12_000),
    ("search, requests/s", "catalog:search", 1_000),
    ("category listing, requests/s", "catalog:category listing", 1_000),
    ("product page API, requests/s", "catalog:product page", 1_000),
]


def achieved(results: dict[str, Any], key: str) -> float:
    if key in results:
        return float(results[key] or 0)
    rows = results["rows"]
    if key.startswith("catalog:"):
        rows, key = (results.get("catalog") or {}).get("rows", []), key.removeprefix("catalog:")
    row = next((r for r in rows if r["name"] == key), None)
    return float(row["rate"]) if row else 0.0


def svg(results: dict[str, Any]) -> str:
    width, left, row_h, top = 720, 230, 34, 40
    scale = 360  # pixels for 100 % of the bar
    items = [(label, achieved(results, key), bar) for label, key, bar in BARS]
    height = top + row_h * len(items) + 30
    when = escape(str(results.get("machine", {}).get("date", "")))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="13" role="img" '
        f'aria-label="Benchmark figures as a share of their bars">',
        f'<rect width="{width}" height="{height}" fill="#fff"/>',
        f'<text x="{left}" y="22" fill="#333">Share of the bar ({when})</text>',
        f'<line x1="{left + scale}" y1="{top - 8}" x2="{left + scale}" '
        f'y2="{height - 24}" stroke="#333" stroke-dasharray="4 3"/>',
        f'<text x="{left + scale + 4}" y="{height - 10}" fill="#333">100 %</text>',
    ]
    for i, (label, value, bar) in enumerate(items):
        y = top + i * row_h
        share = value / bar if bar else 0.0
        length = max(1, min(int(share * scale), width - left - 90))
        colour = "#2e7d32" if share >= 1 else "#b26a00"
        parts += [
            f'<text x="{left - 8}" y="{y + 17}" text-anchor="end" fill="#222">'
            f"{escape(label)}</text>",
            f'<rect x="{left}" y="{y + 4}" width="{length}" height="18" fill="{colour}"/>',
            f'<text x="{left + length + 6}" y="{y + 17}" fill="#222">'
            f"{value:,.0f} / {bar:,.0f} ({share:.0%})</text>",
        ]
    parts.append("</svg>")
    return "\n".join(parts) + "\n"
