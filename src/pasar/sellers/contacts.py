"""Seller contacts: whom other modules write to about a seller's account, in one query.

Notifications tells sellers about things that need their attention (a webhook endpoint
switched off): it asks for the name and contact address of all the sellers of a batch at
once, never reading the sellers table itself.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pasar.sellers.models import Seller


@dataclass(frozen=True, slots=True)
class SellerContact:
    seller_id: int
    name: str
    #: The account's contact address (`contact_email`), as the seller gave it.
    email: str


async def seller_contacts(
    session: AsyncSession, seller_ids: Iterable[int]
) -> dict[int, SellerContact]:
    """Contacts of these sellers, whatever their status; unknown ids are absent."""
    ids = sorted(set(seller_ids))
    if not ids:
        return {}
    rows = await session.execute(
        select(Seller.id, Seller.name, Seller.contact_email).where(Seller.id.in_(ids))
    )
    return {r.id: SellerContact(seller_id=r.id, name=r.name, email=r.contact_email) for r in rows}
