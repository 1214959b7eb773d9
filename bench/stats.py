"""Latency samples and their summary: a benchmark reports percentiles, not averages."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field


def percentile(sorted_ms: list[float], p: float) -> float:
    """Nearest-rank percentile of an already sorted list (0 when there is nothing)."""
    if not sorted_ms:
        return 0.0
    rank = max(1, math.ceil(p / 100 * len(sorted_ms)))
    return sorted_ms[rank - 1]


@dataclass
class Summary:
    name: str
    count: int
    errors: int
    rate: float
    p50: float
    p95: float
    p99: float

    def row(self) -> list[str]:
        return [
            self.name,
            f"{self.count:,}",
            f"{self.errors:,}",
            f"{self.rate:,.0f}",
            f"{self.p50:.1f}",
            f"{self.p95:.1f}",
            f"{self.p99:.1f}",
        ]


@dataclass
class Recorder:
    """Per-step latencies (ms) and error counts, kept by one event loop."""

    samples: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    expected: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    error_examples: list[str] = field(default_factory=list)

    def ok(self, step: str, ms: float) -> None:
        self.samples[step].append(ms)

    def fail(self, step: str, detail: str) -> None:
        self.errors[step] += 1
        if len(self.error_examples) < 10:
            self.error_examples.append(f"{step}: {detail[:300]}")

    def refused(self, step: str) -> None:
        """A deliberate refusal the benchmark provokes (out of stock): counted, not an error."""
        self.expected[step] += 1

    def summaries(self, seconds: float) -> list[Summary]:
        names = list(dict.fromkeys([*self.samples, *self.errors]))
        result = []
        for name in names:
            values = sorted(self.samples.get(name, []))
            result.append(
                Summary(
                    name=name,
                    count=len(values),
                    errors=self.errors.get(name, 0),
                    rate=len(values) / seconds if seconds else 0.0,
                    p50=percentile(values, 50),
                    p95=percentile(values, 95),
                    p99=percentile(values, 99),
                )
            )
        return result


def table(headers: list[str], rows: list[list[str]]) -> str:
    """A GitHub-flavoured Markdown table (readable in a terminal too)."""
    widths = [max([len(h), *(len(r[i]) for r in rows)]) for i, h in enumerate(headers)]

    def line(cells: list[str]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([line(headers), rule, *(line(r) for r in rows)])
