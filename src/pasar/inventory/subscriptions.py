"""What inventory does when the catalog reports an offer fact (in the emitter's transaction).

The catalog owns each offer's low-stock threshold; inventory keeps a copy so "which offers
run low" is one grouped query. The copy is written whenever a seller syncs or adjusts the
offer's stock (`set_levels`), and refreshed here when the catalog reports a changed
threshold. `offer.created` is deliberately not followed: a 5,000-offer import would pay two
statements per offer, and an offer nobody has stocked yet is not "running low".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from pasar import catalog
from pasar.inventory.service import refresh_thresholds


async def on_offer_changed(session: AsyncSession, payloads: Sequence[Mapping[str, Any]]) -> None:
    offer_ids = [
        int(p["offer_id"]) for p in payloads if "low_stock_threshold" in p.get("fields", ())
    ]
    if not offer_ids:
        return
    refs = await catalog.offer_refs(session, offer_ids)
    await refresh_thresholds(session, list(refs.values()))


SUBSCRIPTIONS = {"offer.updated": on_offer_changed}
