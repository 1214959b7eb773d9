"""How long printing labels takes: CPU seconds to render N 4x6 labels into one PDF.

    .venv/bin/python scripts/bench_labels.py [N]

Best of three runs, process time (what the server's worker thread spends per print run).
"""

from __future__ import annotations

import sys
import time
from datetime import date

from pasar.fulfillment.documents import DocAddress, LabelData, render_labels


def sample(count: int) -> list[LabelData]:
    sender = DocAddress(
        name="Gudang Batik Sekar Jagad",
        line1="Jl. Malioboro No. 52",
        city="Yogyakarta",
        region="DI Yogyakarta",
        postal_code="55271",
        country="ID",
    )
    recipient = DocAddress(
        name="Siti Nurhaliza Rahayu",
        line1="Jl. Jend. Sudirman Kav. 52-53",
        line2="Kel. Senayan, Kec. Kebayoran Baru",
        city="Jakarta Selatan",
        region="DKI Jakarta",
        postal_code="12190",
        country="ID",
        phone="+62 812 3456 7890",
    )
    return [
        LabelData(
            tracking_number=f"PP{n:014d}",
            tracking_url=f"https://pasar.example/track/PP{n:014d}",
            carrier_name="Pasar Post",
            service_name="Standard delivery",
            sender=sender,
            recipient=recipient,
            weight_grams=1200,
            order_reference=f"P261122-{n:08d}-1",
            ship_date=date(2026, 11, 23),
        )
        for n in range(count)
    ]


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    labels = sample(count)
    runs = []
    for _ in range(3):
        started = time.process_time()
        pdf = render_labels(labels)
        runs.append(time.process_time() - started)
    print(f"{count} labels, one PDF of {len(pdf) // 1024} KiB: {min(runs):.2f} s CPU (best of 3)")


if __name__ == "__main__":
    main()
