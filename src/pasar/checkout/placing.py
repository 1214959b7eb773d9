"""Placing the order: one transaction from a priced cart to an Order with its payment.

The hot path of the marketplace, so it is built to be short: price the cart (a fixed
handful of reads), authorise the payment with the provider before taking any stock lock,
then reserve stock, write the Order, its SellerOrders and the payment, close the cart and
store the idempotency record — and commit once. If anything after the authorisation fails
(stock ran out, an identical request won the race) the authorisation is voided, so the
buyer is never charged for an order that does not exist, nor charged twice.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy.ext.asyncio import AsyncSession

from pasar import inventory, orders, payments
from pasar.checkout.config import CheckoutConfig
from pasar.checkout.errors import CartClosed, CartNotReady, TotalChanged
from pasar.checkout.pricing import mark_ordered, price_cart
from pasar.checkout.views import PricedCart
from pasar.identity import Principal
from pasar.platform.events import DomainEvent
from pasar.platform.idempotency import run_idempotent
from pasar.platform.outbox import emit


class PlaceOrder(BaseModel):
    """How the buyer pays, and (optionally) the total they agreed to."""

    payment: payments.PaymentDetails
    expected_total: int | None = Field(
        default=None,
        ge=0,
        le=2**63 - 1,
        description="The grand total the buyer saw. If the cart now costs something else "
        "the order is refused (409 total-changed) so nobody pays a price they did not see.",
    )


def _draft(
    cart: PricedCart, principal: Principal | None, method: str, config: CheckoutConfig
) -> orders.OrderDraft:
    contact = cart.contact
    assert contact is not None  # a ready cart has one
    groups = []
    for group in cart.groups:
        chosen = group.chosen
        assert chosen is not None  # a ready cart has chosen every group's delivery
        groups.append(
            orders.SellerOrderDraft(
                seller_id=group.seller_id,
                seller_name=group.seller_name,
                lines=[
                    orders.LineDraft(
                        offer_id=line.offer_id,
                        product_id=line.product_id,
                        variant_id=line.variant_id,
                        title=line.title,
                        sku=line.sku,
                        fulfilled_by=line.fulfilled_by,
                        quantity=line.quantity,
                        unit_amount=line.unit_price,
                    )
                    for line in group.lines
                ],
                delivery_service=chosen.service,
                delivery_name=chosen.name,
                carrier=chosen.carrier,
                shipping_amount=chosen.price,
                ship_by=chosen.ship_by,
                promised_date=chosen.promised_date,
                commission_amount=payments.commission_for(group.items_total, config.commission_bps),
            )
        )
    return orders.OrderDraft(
        buyer_user_id=principal.user_id if principal is not None else None,
        email=contact.email,
        phone=contact.phone,
        address=contact.shipping_address(),
        currency=cart.currency,
        payment_method=method,
        seller_orders=groups,
        language=contact.language or config.default_locale,
        sms_updates=contact.sms_updates,
    )


def _refuse_short_stock(cart: PricedCart) -> None:
    """Out of stock is one answer (409 insufficient-stock), whether the cart was priced
    after the last unit went or lost the race for it at the stock row."""
    for line in cart.lines:
        for issue in line.issues:
            if issue.code == "insufficient_stock":
                raise inventory.InsufficientStock(
                    f"Offer {line.offer_id}: {issue.detail}",
                    offer_id=line.offer_id,
                    requested=line.quantity,
                    available=issue.available or 0,
                )


async def place_order(
    session: AsyncSession,
    token: str,
    body: PlaceOrder,
    *,
    principal: Principal | None,
    config: CheckoutConfig,
    payment_config: payments.PaymentConfig,
    secret: str,
    idempotency_key: str | None,
    now: datetime,
) -> dict[str, Any]:
    """Turn the cart into an Order, or change nothing and say why (per line, per group)."""
    held: list[payments.Authorisation] = []

    async def void_held() -> None:
        while held:
            await payments.void_authorisation(held.pop(), config=payment_config)

    async def work() -> dict[str, Any]:
        cart = await price_cart(session, token, principal=principal, config=config, now=now)
        if cart.status != "open":
            raise CartClosed(
                "This cart was already ordered; start a new cart to order again.",
                cart_status=cart.status,
                order_id=cart.order_id,
            )
        if not cart.ready:
            _refuse_short_stock(cart)
            raise CartNotReady(
                "The cart cannot be ordered yet: " + "; ".join(cart.blockers) + ".",
                blockers=list(cart.blockers),
            )
        if body.expected_total is not None and body.expected_total != cart.grand_total:
            raise TotalChanged(
                f"The cart now costs {cart.grand_total}, not {body.expected_total}; "
                "review it and place the order again.",
                field="expected_total",
                expected=body.expected_total,
                actual=cart.grand_total,
            )
        draft = _draft(cart, principal, body.payment.method.value, config)
        auth = await payments.authorise(
            body.payment,
            amount=cart.grand_total,
            currency=cart.currency,
            reference=f"cart-{cart.cart_id}",
            config=payment_config,
            now=now,
        )
        held.append(auth)
        # Every event of the order (stock, order, payment) goes to the outbox in one INSERT.
        events: list[DomainEvent] = []
        placed = await orders.place(
            session,
            draft,
            verified=auth.validated,
            payment_due_at=auth.due_at,
            actor_ref=f"user:{principal.user_id}" if principal else "guest",
            now=now,
            events=events,
        )
        view = await payments.record_payment(
            session,
            auth,
            order_id=placed.id,
            order_number=placed.number,
            allocations=[
                payments.Allocation(
                    seller_order_id=so.id,
                    seller_id=so.seller_id,
                    amount=so.total_amount,
                    commission=so.commission_amount,
                )
                for so in placed.seller_orders
            ],
            actor="checkout",
            events=events,
        )
        await emit(session, *events)
        await mark_ordered(session, cart.cart_id, order_id=placed.id, now=now)
        access = orders.access_for(secret, placed.number)
        return {
            "order_id": placed.id,
            "number": placed.number,
            "status": placed.status.value,
            "currency": cart.currency,
            "items_amount": cart.items_total,
            "shipping_amount": cart.shipping_total,
            "total_amount": cart.grand_total,
            "seller_orders": [
                {
                    "id": so.id,
                    "number": so.number,
                    "seller_id": so.seller_id,
                    "total_amount": so.total_amount,
                }
                for so in placed.seller_orders
            ],
            "payment": {
                "method": auth.method.value,
                "status": view.status,
                "due_at": auth.due_at.isoformat() if auth.due_at else None,
                "next_action": auth.next_action,
                "instructions": auth.instructions,
            },
            "access_token": access.access_token,
            "order_url": access.url,
        }

    try:
        result = await run_idempotent(
            session,
            scope=f"checkout.order:{token}",
            key=idempotency_key,
            request=body.model_dump(mode="json"),
            work=work,
            on_lost_race=void_held,
        )
    except BaseException:
        await session.rollback()
        await void_held()
        raise
    held.clear()  # committed: the authorisation now belongs to the order
    return result
