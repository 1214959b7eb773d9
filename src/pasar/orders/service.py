"""orders' use cases for the API and the sweeps. Each commits its own transaction.

Access rules live here, not in the router: a buyer reaches an Order through their account
or the signed guest link; a seller only its own SellerOrders; the operator everything.
Anything out of reach is "not found", so order numbers and ids leak nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pasar import payments
from pasar.identity import Principal, Role, guest_access_token, verify_guest_access
from pasar.orders.domain import Action, Status
from pasar.orders.errors import OrderNotFound, SellerOrderNotFound
from pasar.orders.models import Order, SellerOrder
from pasar.orders.schemas import OrderAccess
from pasar.orders.transitions import GUEST, SYSTEM, Caller, Shipping, transition
from pasar.orders.views import order_ref
from pasar.platform.time import utcnow


def access_subject(number: str) -> str:
    return f"order:{number}"


def access_for(secret: str, number: str) -> OrderAccess:
    token = guest_access_token(secret, access_subject(number))
    return OrderAccess(number=number, access_token=token, url=f"/orders/{number}?access={token}")


async def buyer_order(
    session: AsyncSession,
    number: str,
    *,
    principal: Principal | None,
    access: str | None,
    secret: str,
) -> tuple[Order, Caller]:
    """The Order a caller may see as its buyer, and who they are in the lifecycle."""
    order = await order_ref(session, number.strip().upper())
    if order is not None:
        if principal is not None and principal.user_id is not None:
            if order.buyer_user_id == principal.user_id:
                return order, Caller.of(principal, as_buyer=True)
            if principal.role in (Role.OPERATOR, Role.SUPPORT) and access is None:
                return order, Caller.of(principal)
        if verify_guest_access(secret, access_subject(order.number), access):
            return order, GUEST
    raise OrderNotFound(f"Order {number} does not exist, or this link does not open it.")


async def lookup(session: AsyncSession, number: str, email: str, *, secret: str) -> OrderAccess:
    """Order number + email → the signed link (rate-limited by the router)."""
    order = await order_ref(session, number.strip().upper())
    if order is None or order.email != email.strip().lower():
        raise OrderNotFound("No order has this number and email.")
    return access_for(secret, order.number)


async def act(
    session: AsyncSession,
    seller_order_ids: Sequence[int],
    action: Action,
    caller: Caller,
    *,
    now: datetime,
    reason: str | None = None,
    seller_id: int | None = None,
    order_id: int | None = None,
    shipping: Shipping | None = None,
    proof: dict[str, Any] | None = None,
) -> list[int]:
    """One transition, committed."""
    moved = await transition(
        session,
        seller_order_ids,
        action,
        caller,
        now=now,
        reason=reason,
        seller_id=seller_id,
        order_id=order_id,
        shipping=shipping,
        proof=proof,
    )
    await session.commit()
    return moved


async def report_delivery(
    session: AsyncSession,
    *,
    tracking_number: str,
    delivered: bool,
    reason: str | None,
    proof: dict[str, Any] | None,
    now: datetime,
) -> bool:
    """A carrier's report; repeating one (or reporting a finished parcel) changes nothing."""
    row = (
        await session.execute(
            select(SellerOrder.id, SellerOrder.status).where(
                SellerOrder.tracking_number == tracking_number
            )
        )
    ).first()
    if row is None:
        raise SellerOrderNotFound(f"No shipment has tracking number {tracking_number}.")
    if row.status != Status.SHIPPED.value:
        await session.rollback()
        return False
    action = Action.DELIVER if delivered else Action.FAIL_DELIVERY
    await act(
        session,
        [row.id],
        action,
        Caller(SYSTEM.actor, "carrier"),
        now=now,
        reason=reason or ("delivered" if delivered else "delivery failed"),
        proof=proof,
    )
    return True


# --- sweeps: safe to run from any number of processes at once ------------------------------


def _skip_locked(session: AsyncSession) -> dict[str, Any]:
    return {"skip_locked": True} if session.get_bind().dialect.name == "postgresql" else {}


async def expire_unpaid(session: AsyncSession, *, now: datetime, batch: int = 200) -> int:
    """Cancel SellerOrders whose payment missed its deadline; their stock goes back on sale."""
    rows = (
        await session.execute(
            select(SellerOrder.id, SellerOrder.order_id)
            .join(Order, Order.id == SellerOrder.order_id)
            .where(SellerOrder.status == Status.RECEIVED.value, Order.payment_due_at < now)
            .order_by(SellerOrder.id)
            .limit(batch)
            .with_for_update(of=SellerOrder, **_skip_locked(session))
        )
    ).all()
    if not rows:
        await session.rollback()
        return 0
    await transition(
        session,
        [r.id for r in rows],
        Action.CANCEL,
        SYSTEM,
        now=now,
        reason="payment not received by its deadline",
    )
    for order_id in sorted({r.order_id for r in rows}):
        await payments.expire(session, order_id=order_id, actor=SYSTEM.ref)
    await session.commit()
    return len(rows)


async def complete_delivered(
    session: AsyncSession, *, now: datetime, after: timedelta, batch: int = 500
) -> int:
    """Auto-confirm receipt once the window after delivery has passed."""
    rows = (
        await session.execute(
            select(SellerOrder.id)
            .where(
                SellerOrder.status == Status.DELIVERED.value,
                SellerOrder.delivered_at < now - after,
            )
            .order_by(SellerOrder.id)
            .limit(batch)
            .with_for_update(of=SellerOrder, **_skip_locked(session))
        )
    ).all()
    if not rows:
        await session.rollback()
        return 0
    await transition(
        session,
        [r.id for r in rows],
        Action.COMPLETE,
        SYSTEM,
        now=now,
        reason=f"receipt auto-confirmed {after.days} days after delivery",
    )
    await session.commit()
    return len(rows)


# --- reacting to payments (in the payment's transaction) -----------------------------------


async def _received_parts(session: AsyncSession, order_ids: list[int]) -> list[int]:
    return list(
        await session.scalars(
            select(SellerOrder.id).where(
                SellerOrder.order_id.in_(order_ids), SellerOrder.status == Status.RECEIVED.value
            )
        )
    )


async def on_payment_validated(
    session: AsyncSession, payloads: Sequence[Mapping[str, Any]]
) -> None:
    ids = await _received_parts(session, [int(p["order_id"]) for p in payloads])
    await transition(session, ids, Action.VERIFY, SYSTEM, now=utcnow(), reason="payment validated")


async def on_payment_failed(session: AsyncSession, payloads: Sequence[Mapping[str, Any]]) -> None:
    reasons = {str(p.get("reason") or "failed") for p in payloads}
    ids = await _received_parts(session, [int(p["order_id"]) for p in payloads])
    await transition(
        session,
        ids,
        Action.CANCEL,
        SYSTEM,
        now=utcnow(),
        reason="payment failed: " + ", ".join(sorted(reasons)),
    )
