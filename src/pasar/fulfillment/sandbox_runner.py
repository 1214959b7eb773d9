"""The sandbox carrier's parcels move by themselves: a scheduled job plays their scripts.

The sandbox carrier knows, for each tracking number, every scan of the parcel's life and
when it happens (`SandboxCarrier.events_due`). This job asks it which scans are due by
`now` for the open sandbox shipments and records them through `tracking.record_tracking`
— the same path a carrier's webhook takes — so the demo's parcels are picked up, travel,
and deliver their SellerOrders exactly as real ones would.

Bounded: at most `batch` shipments per run, least recently polled first (each polled
shipment's `updated_at` is touched), so every open parcel gets its turn however many
there are. Idempotent: a scan already recorded is a no-op, and only scans after the
shipment's last event are offered at all (the script's own label scan, stamped with the
label's creation, duplicates the one Pasar recorded then and is skipped). On PostgreSQL
the shipments taken are locked with SKIP LOCKED, so concurrent runners share the work
(two runners holding different parcels of one split SellerOrder may deadlock on its
siblings; PostgreSQL then aborts one, which retries on its next pass).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from pasar.fulfillment.carriers import SandboxCarrier, TrackingUpdate
from pasar.fulfillment.config import FulfillmentConfig
from pasar.fulfillment.domain import FINAL
from pasar.fulfillment.models import Shipment
from pasar.fulfillment.timeline import CANCELLED
from pasar.fulfillment.tracking import record_tracking

#: Most shipments advanced per run.
BATCH = 200


def _skip_locked(session: AsyncSession) -> dict[str, Any]:
    return {"skip_locked": True} if session.get_bind().dialect.name == "postgresql" else {}


def sandbox_carriers(config: FulfillmentConfig) -> dict[str, SandboxCarrier]:
    return {
        code: carrier
        for code, carrier in config.carriers.items()
        if isinstance(carrier, SandboxCarrier)
    }


async def advance_sandbox(
    session: AsyncSession, *, now: datetime, config: FulfillmentConfig, batch: int = BATCH
) -> int:
    """Record the sandbox scans due by `now`; how many new scans were recorded. Commits."""
    carriers = sandbox_carriers(config)
    if not carriers:
        return 0
    rows = list(
        await session.scalars(
            select(Shipment)
            .where(
                Shipment.carrier.in_(sorted(carriers)),
                Shipment.status.not_in([CANCELLED, *(s.value for s in FINAL)]),
            )
            .order_by(Shipment.updated_at, Shipment.id)
            .limit(batch)
            .with_for_update(**_skip_locked(session))
        )
    )
    if not rows:
        await session.rollback()
        return 0
    due: dict[str, list[TrackingUpdate]] = {}
    for row in rows:
        scans = carriers[row.carrier].events_due(
            row.tracking_number, row.created_at, now, speedup=config.sandbox_speedup
        )
        due.setdefault(row.carrier, []).extend(
            s for s in scans if s.occurred_at > row.last_event_at
        )
    await session.execute(
        update(Shipment)
        .where(Shipment.id.in_([r.id for r in rows]))
        .values(updated_at=now)
        .execution_options(synchronize_session=False)
    )
    accepted = 0
    for code, scans in due.items():
        result = await record_tracking(
            session, scans, now=now, config=config, source=f"carrier:{code}", carrier=code
        )
        accepted += result.accepted
    await session.commit()
    return accepted
