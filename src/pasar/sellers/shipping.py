"""Shipping profiles: how each seller ships, for delivery promises, in one query.

Checkout prices every cart read, so it asks for all the cart's sellers at once: their
status (may they sell right now?), handling time, the cut-off and time zone that decide
whether an order ships today, and the seller's own address (the fallback origin when a
line's stock location is unknown).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import time
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pasar.sellers.domain import SellerStatus, is_sellable
from pasar.sellers.models import Seller, SellerPolicy
from pasar.sellers.schemas import PolicyUpdate

_DEFAULTS = PolicyUpdate.model_fields
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class ShippingProfile:
    seller_id: int
    name: str
    sellable: bool
    handling_days: int
    ship_from_timezone: str
    cut_off_time: time
    country: str
    region: str | None


async def shipping_profiles(
    session: AsyncSession, seller_ids: Sequence[int]
) -> dict[int, ShippingProfile]:
    """Profiles of these sellers; unknown ids are absent. Missing policies use the defaults."""
    ids = sorted(set(seller_ids))
    if not ids:
        return {}
    rows = await session.execute(
        select(
            Seller.id,
            Seller.name,
            Seller.status,
            Seller.country,
            Seller.region,
            SellerPolicy.handling_days,
            SellerPolicy.ship_from_timezone,
            SellerPolicy.cut_off_time,
        )
        .outerjoin(SellerPolicy, SellerPolicy.seller_id == Seller.id)
        .where(Seller.id.in_(ids))
    )
    return {
        r.id: ShippingProfile(
            seller_id=r.id,
            name=r.name,
            sellable=is_sellable(SellerStatus(r.status)),
            handling_days=_or_default(r.handling_days, "handling_days"),
            ship_from_timezone=_or_default(r.ship_from_timezone, "ship_from_timezone"),
            cut_off_time=_or_default(r.cut_off_time, "cut_off_time"),
            country=r.country,
            region=r.region,
        )
        for r in rows
    }


def _or_default(value: T | None, field: str) -> T:
    """Every seller gets policies when created; the defaults only cover a missing row."""
    if value is None:
        default: T = _DEFAULTS[field].default
        return default
    return value
