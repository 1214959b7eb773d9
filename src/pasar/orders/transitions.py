"""Moving SellerOrders through the lifecycle: check, act, record, announce — one transaction.

`transition` takes many SellerOrders at once (bulk actions, sweeps, a payment that
verifies a whole Order) and costs the same handful of statements for one or a hundred:
one locking SELECT, the side effects (stock batched; money still one call per SellerOrder),
one guarded UPDATE (per-SellerOrder shipping details ride in it as a CASE on id), one
history INSERT and one outbox INSERT. It is all or nothing: if any SellerOrder may not
make the move, none does and the caller gets the reason. It flushes; callers commit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import case, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from pasar import inventory, payments
from pasar.identity import Principal
from pasar.orders.domain import MOVES, Action, Actor, Status, plan
from pasar.orders.errors import SellerOrderNotFound, ShippingDetailsMissing
from pasar.orders.events import CHANGED
from pasar.orders.models import Order, OrderHistory, SellerOrder
from pasar.platform.outbox import emit

#: The timestamp column each target status sets.
STAMPS: dict[Status, str] = {
    Status.VERIFIED: "verified_at",
    Status.PROCESSING: "processing_at",
    Status.SHIPPED: "shipped_at",
    Status.DELIVERED: "delivered_at",
    Status.COMPLETED: "completed_at",
    Status.CANCELLED: "cancelled_at",
}


@dataclass(frozen=True, slots=True)
class Caller:
    """Who makes a move, in the lifecycle's terms, and a reference for the history."""

    actor: Actor
    ref: str

    @classmethod
    def of(cls, principal: Principal, *, as_buyer: bool = False) -> Caller:
        if as_buyer:
            return cls(Actor.BUYER, f"user:{principal.user_id}")
        ref = f"key:{principal.api_key_id}" if principal.is_api_key else f"user:{principal.user_id}"
        return cls(Actor.OPERATOR if principal.is_operator else Actor.SELLER, ref)


#: The stock ledger's `reference` and `reason` columns hold this many characters.
REFERENCE_MAX, REASON_MAX = 100, 200

GUEST = Caller(Actor.BUYER, "guest")
SYSTEM = Caller(Actor.SYSTEM, "system")


@dataclass(frozen=True, slots=True)
class Shipping:
    carrier: str
    tracking_number: str


async def transition(
    session: AsyncSession,
    seller_order_ids: Sequence[int],
    action: Action,
    caller: Caller,
    *,
    now: datetime,
    reason: str | None = None,
    seller_id: int | None = None,
    order_id: int | None = None,
    shipping: Shipping | Mapping[int, Shipping] | None = None,
    proof: dict[str, Any] | None = None,
) -> list[int]:
    """Apply `action` to every listed SellerOrder or to none; returns the ids moved.

    `seller_id` / `order_id` scope the lookup: a SellerOrder outside them is "not found",
    so a seller never learns that another seller's id exists. `shipping` is one carrier
    and tracking number for all, or one per SellerOrder id (a bulk hand-over).
    """
    ids = sorted(set(seller_order_ids))
    if not ids:
        return []
    so = SellerOrder
    query = (
        select(so.id, so.order_id, so.seller_id, so.number, so.status, so.reservations)
        .where(so.id.in_(ids))
        .order_by(so.id)
    )
    if seller_id is not None:
        query = query.where(SellerOrder.seller_id == seller_id)
    if order_id is not None:
        query = query.where(SellerOrder.order_id == order_id)
    rows = list((await session.execute(query.with_for_update(of=SellerOrder))).all())
    if len(rows) != len(ids):
        missing = sorted(set(ids) - {r.id for r in rows})
        raise SellerOrderNotFound(f"Seller order {missing[0]} does not exist.")
    befores = {r.id: Status(r.status) for r in rows}
    target = MOVES[action].target
    for row in rows:
        plan(action, befores[row.id], caller.actor, reason=reason)
    values: dict[str, Any] = {"status": target.value, "updated_at": now}
    if target in STAMPS:
        values[STAMPS[target]] = now
    await _side_effects(session, rows, action, caller, reason, shipping, proof, values)
    await session.execute(
        update(SellerOrder)
        .where(
            SellerOrder.id.in_(ids),
            SellerOrder.status.in_([s.value for s in MOVES[action].sources]),
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    await session.execute(
        insert(OrderHistory),
        [
            {
                "seller_order_id": r.id,
                "from_status": befores[r.id].value,
                "to_status": target.value,
                "actor": caller.actor.value,
                "actor_ref": caller.ref,
                "reason": reason,
                "at": now,
            }
            for r in rows
        ],
    )
    if action is Action.VERIFY:
        await session.execute(
            update(Order)
            .where(Order.id.in_({r.order_id for r in rows}))
            .values(payment_due_at=None)
            .execution_options(synchronize_session=False)
        )
    await emit(
        session,
        *(
            CHANGED[target](
                seller_order_id=r.id,
                order_id=r.order_id,
                seller_id=r.seller_id,
                number=r.number,
                from_status=befores[r.id].value,
                to_status=target.value,
                actor=caller.actor.value,
                reason=reason,
            )
            for r in rows
        ),
    )
    return ids


async def _side_effects(
    session: AsyncSession,
    rows: Sequence[Any],
    action: Action,
    caller: Caller,
    reason: str | None,
    shipping: Shipping | Mapping[int, Shipping] | None,
    proof: dict[str, Any] | None,
    values: dict[str, Any],
) -> None:
    """Stock and money follow the move; extra columns join the UPDATE in `values`."""
    reference = _stock_reference([r.number for r in rows])
    if action in (Action.SHIP, Action.RESHIP):
        values.update(_shipping_values([r.id for r in rows], shipping))
    if action is Action.SHIP:
        await inventory.commit_sale(
            session, reservations=_held(rows), reference=reference, actor=caller.ref
        )
        # One locking read (and, for a card, a capture) per SellerOrder: the N+1 left here.
        for row in rows:
            await payments.capture(session, seller_order_id=row.id, actor=caller.ref)
    elif action is Action.CANCEL:
        await inventory.release(
            session,
            reservations=_held(rows),
            reference=reference,
            actor=caller.ref,
            reason=(f"order cancelled: {reason}" if reason else "order cancelled")[:REASON_MAX],
        )
        for row in rows:
            await payments.cancel_allocation(
                session, seller_order_id=row.id, actor=caller.ref, reason=reason or "cancelled"
            )
        values.update(cancel_reason=reason, cancelled_by=caller.actor.value)
    elif action is Action.RETURN_TO_SELLER:
        for row in rows:
            await payments.cancel_allocation(
                session,
                seller_order_id=row.id,
                actor=caller.ref,
                reason=reason or "returned to seller",
            )
    elif action is Action.DELIVER:
        for row in rows:
            await payments.collect_cash(session, seller_order_id=row.id, actor=caller.ref)
        if proof:
            values["delivery_proof"] = proof


def _shipping_values(
    ids: Sequence[int], shipping: Shipping | Mapping[int, Shipping] | None
) -> dict[str, Any]:
    """The carrier and tracking columns for the one UPDATE: plain values when every
    SellerOrder ships alike, else a CASE on id (one statement however many there are)."""
    given = shipping if isinstance(shipping, Mapping) else dict.fromkeys(ids, shipping)
    per_id: dict[int, tuple[str, str]] = {}
    for id_ in ids:
        one = given.get(id_)
        if one is None or not one.carrier.strip() or not one.tracking_number.strip():
            raise ShippingDetailsMissing(
                "Give the carrier and the tracking number to ship.", field="tracking_number"
            )
        per_id[id_] = (one.carrier.strip(), one.tracking_number)
    if len(set(per_id.values())) == 1:
        carrier, tracking_number = next(iter(per_id.values()))
        return {"carrier": carrier, "tracking_number": tracking_number}
    return {
        "carrier": case({i: c for i, (c, _) in per_id.items()}, value=SellerOrder.id),
        "tracking_number": case({i: t for i, (_, t) in per_id.items()}, value=SellerOrder.id),
    }


def _stock_reference(numbers: list[str]) -> str:
    """The stock ledger's reference for a move: the SellerOrders' numbers, or as many as fit
    its column and how many more (a sweep may move hundreds of SellerOrders at once)."""
    reference = ",".join(numbers)
    if len(reference) <= REFERENCE_MAX:
        return reference
    kept: list[str] = []
    for number in numbers:
        more = f",+{len(numbers) - len(kept) - 1} more"
        if len(",".join([*kept, number])) + len(more) > REFERENCE_MAX:
            break
        kept.append(number)
    return ",".join(kept) + f",+{len(numbers) - len(kept)} more"


def _held(rows: Sequence[Any]) -> list[inventory.Reservation]:
    return [
        inventory.Reservation(h["offer_id"], h["warehouse_id"], h["quantity"])
        for row in rows
        for h in row.reservations
    ]
