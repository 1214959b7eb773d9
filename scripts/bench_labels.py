"""How long printing labels takes: CPU seconds to render N 4x6 labels into one PDF.

    .venv/bin/python scripts/bench_labels.py [N]

Best of three runs, process time (what the server's worker thread spends per print run).
The labels are `render_label_png.SAMPLE` with N different tracking numbers.
"""

from __future__ import annotations

import dataclasses
import sys
import time

from render_label_png import SAMPLE

from pasar.fulfillment.documents import render_labels


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    labels = [
        dataclasses.replace(
            SAMPLE,
            tracking_number=f"PP{n:014d}",
            tracking_url=f"https://pasar.example/track/PP{n:014d}",
            package_index=1,
            package_count=1,
        )
        for n in range(count)
    ]
    runs = []
    for _ in range(3):
        started = time.process_time()
        pdf = render_labels(labels)
        runs.append(time.process_time() - started)
    print(f"{count} labels, one PDF of {len(pdf) // 1024} KiB: {min(runs):.2f} s CPU (best of 3)")


if __name__ == "__main__":
    main()
