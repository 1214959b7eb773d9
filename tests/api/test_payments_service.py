"""payments' service functions on the real database: record, capture, collect, cancel, expire."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import event, select

from pasar.payments import (
    Allocation,
    PaymentNotFound,
    PaymentStateConflict,
    cancel_allocation,
    capture,
    collect_cash,
    expire,
    ledger,
    payment_views,
    record_payment,
)
from pasar.payments.models import Payment, PaymentAllocation
from pasar.platform.db import Database
from pasar.platform.settings import Settings
from tests.api.test_payments_support import books_balance, entries, events, place


@pytest.fixture
async def db(app: FastAPI, database: Database) -> Database:
    """The shared test database, emptied after the test (through the `app` fixture)."""
    return database


async def shares(db: Database, payment_id: int) -> list[tuple[str, int, int, int]]:
    async with db.sessionmaker() as session:
        rows = await session.execute(
            select(
                PaymentAllocation.status,
                PaymentAllocation.captured,
                PaymentAllocation.refunded,
                PaymentAllocation.voided,
            )
            .where(PaymentAllocation.payment_id == payment_id)
            .order_by(PaymentAllocation.seller_order_id)
        )
        return [tuple(r) for r in rows]  # type: ignore[misc]


async def test_record_payment_stores_shares_with_commission_and_net(
    db: Database, settings: Settings
) -> None:
    """A card payment: authorised, one share per seller order, net = amount - commission."""
    _, view = await place(db, settings, shares=(3000, 7000))
    assert (view.status, view.amount, view.captured, view.card_brand, view.card_last4) == (
        "authorised",
        10_000,
        0,
        "visa",
        "4242",
    )
    assert [(a.amount, a.commission, a.net, a.status) for a in view.allocations] == [
        (3000, 300, 2700, "authorised"),
        (7000, 700, 6300, "authorised"),
    ]
    async with db.sessionmaker() as session:
        stored = (await payment_views(session, [view.order_id]))[view.order_id]
    assert stored == view
    async with db.sessionmaker() as session:
        empty = select(Payment.id).where(
            Payment.next_action.is_(None), Payment.instructions.is_(None)
        )
        assert await session.scalar(empty) == view.id  # SQL NULL, not JSON null
    assert await entries(db, view.order_id) == [("authorised", 10_000, None)]
    assert [e["order_id"] for e in await events(db, "payment.started")] == [view.order_id]
    assert await events(db, "payment.validated") == []


async def test_record_payment_is_four_statements_for_any_number_of_shares(
    db: Database, settings: Settings
) -> None:
    """The hot checkout path: payment, allocations, ledger and outbox, one statement each."""
    _, small = await place(db, settings, shares=(100,))
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(args[2])

    event.listen(db.engine.sync_engine, "before_cursor_execute", count)
    try:
        await place(db, settings, shares=tuple(range(100, 2100, 100)))
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", count)
    writes = [s for s in statements if s.lstrip().upper().startswith("INSERT")]
    assert len(writes) == 4, statements
    assert small.id > 0


async def test_record_payment_refuses_allocations_that_do_not_add_up(
    db: Database, settings: Settings
) -> None:
    """A programming error, not a user error: the shares must sum to the authorised amount."""
    auth, _ = await place(db, settings, shares=(500,))
    async with db.sessionmaker() as session:
        with pytest.raises(ValueError, match="add up"):
            await record_payment(
                session,
                auth,
                order_id=1,
                order_number="PSR-1",
                allocations=[Allocation(seller_order_id=1, seller_id=1, amount=499, commission=0)],
                actor="user:1",
            )


async def test_capture_takes_exactly_the_share_and_only_once(
    db: Database, settings: Settings
) -> None:
    """Shipping one seller order captures its share (a partial capture); again is a no-op."""
    _, view = await place(db, settings, shares=(3000, 7000))
    first = view.allocations[0].seller_order_id
    for _ in range(2):
        async with db.sessionmaker() as session:
            await capture(session, seller_order_id=first, actor="user:7")
            await session.commit()
    assert await shares(db, view.id) == [("captured", 3000, 0, 0), ("authorised", 0, 0, 0)]
    assert (await entries(db, view.order_id))[1:] == [("captured", 3000, first)]
    captured = await events(db, "payment.captured")
    assert [(e["seller_order_id"], e["amount"]) for e in captured] == [(first, 3000)]
    assert await books_balance(db) == []


async def test_cancel_voids_an_uncaptured_card_share_exactly(
    db: Database, settings: Settings
) -> None:
    """Cancelling one seller order voids its share only; a second cancel returns 0."""
    _, view = await place(db, settings, shares=(3000, 7000))
    second = view.allocations[1].seller_order_id
    async with db.sessionmaker() as session:
        assert (
            await cancel_allocation(
                session, seller_order_id=second, actor="user:2", reason="buyer asked"
            )
            == 7000
        )
        assert (
            await cancel_allocation(session, seller_order_id=second, actor="user:2", reason="again")
            == 0
        )
        await session.commit()
    assert await shares(db, view.id) == [("authorised", 0, 0, 0), ("cancelled", 0, 0, 7000)]
    assert (await entries(db, view.order_id))[-1] == ("voided", 7000, second)
    assert [e["amount"] for e in await events(db, "payment.voided")] == [7000]
    async with db.sessionmaker() as session:
        assert (await payment_views(session, [view.order_id]))[view.order_id].status == (
            "authorised"
        )


async def test_cancel_after_capture_refunds_and_closes_the_payment(
    db: Database, settings: Settings
) -> None:
    """A captured share is refunded in full; once every share is cancelled, so is the payment."""
    _, view = await place(db, settings, shares=(2500,))
    only = view.allocations[0].seller_order_id
    async with db.sessionmaker() as session:
        await capture(session, seller_order_id=only, actor="user:1")
        refunded = await cancel_allocation(
            session, seller_order_id=only, actor="user:1", reason="returned"
        )
        await session.commit()
    assert refunded == 2500
    async with db.sessionmaker() as session:
        payment = (await payment_views(session, [view.order_id]))[view.order_id]
        history = await ledger(session, view.order_id)
    assert (payment.status, payment.captured, payment.refunded) == ("cancelled", 2500, 2500)
    assert [(e.kind, e.amount, e.note) for e in history] == [
        ("authorised", 2500, None),
        ("captured", 2500, None),
        ("refunded", 2500, "returned"),
    ]
    assert history[-1].provider_ref is not None
    assert history[-1].provider_ref.startswith("sbx_re_")
    assert await books_balance(db) == []


async def test_cash_on_delivery_is_collected_on_delivery_and_refunded_on_return(
    db: Database, settings: Settings
) -> None:
    """COD: shipping takes nothing, delivery collects the share, a return refunds it."""
    _, view = await place(db, settings, "cod", shares=(4000, 1000))
    first, second = (a.seller_order_id for a in view.allocations)
    async with db.sessionmaker() as session:
        await capture(session, seller_order_id=first, actor="user:1")
        await collect_cash(session, seller_order_id=first, actor="system:carrier")
        await collect_cash(session, seller_order_id=first, actor="system:carrier")
        assert (
            await cancel_allocation(
                session, seller_order_id=second, actor="user:1", reason="out of stock"
            )
            == 0
        )
        assert (
            await cancel_allocation(
                session, seller_order_id=first, actor="user:1", reason="returned"
            )
            == 4000
        )
        await session.commit()
    assert await shares(db, view.id) == [("cancelled", 4000, 4000, 0), ("cancelled", 0, 0, 0)]
    assert await entries(db, view.order_id) == [
        ("accepted", 5000, None),
        ("collected", 4000, first),
        ("refunded", 4000, first),
    ]
    assert await books_balance(db) == []


async def test_collect_cash_does_nothing_for_cards(db: Database, settings: Settings) -> None:
    """Only cash on delivery is collected by the carrier."""
    _, view = await place(db, settings, shares=(900,))
    async with db.sessionmaker() as session:
        await collect_cash(session, seller_order_id=view.allocations[0].seller_order_id, actor="x")
        await session.commit()
    assert await shares(db, view.id) == [("authorised", 0, 0, 0)]


async def test_a_pending_transfer_cannot_be_captured(db: Database, settings: Settings) -> None:
    """Shipping before the money arrived is refused: orders never ship an unpaid order."""
    _, view = await place(db, settings, "bank_transfer", shares=(900,))
    async with db.sessionmaker() as session:
        with pytest.raises(PaymentStateConflict):
            await capture(session, seller_order_id=view.allocations[0].seller_order_id, actor="x")


async def test_cancelling_every_pending_share_moves_nothing_and_cancels_the_payment(
    db: Database, settings: Settings
) -> None:
    """A bank transfer not yet paid: cancelling moves no money; the last share closes it."""
    _, view = await place(db, settings, "bank_transfer", shares=(100, 200))
    async with db.sessionmaker() as session:
        for share in view.allocations:
            assert (
                await cancel_allocation(
                    session, seller_order_id=share.seller_order_id, actor="x", reason="r"
                )
                == 0
            )
        await session.commit()
        status = await session.scalar(select(Payment.status).where(Payment.id == view.id))
    assert status == "cancelled"
    assert await entries(db, view.order_id) == []


async def test_expire_closes_an_unpaid_payment_once(db: Database, settings: Settings) -> None:
    """The deadline passed: the payment expires, its shares are cancelled; twice is a no-op."""
    _, view = await place(db, settings, "bank_transfer", shares=(100, 200))
    for _ in range(2):
        async with db.sessionmaker() as session:
            await expire(session, order_id=view.order_id, actor="system")
            await session.commit()
    assert await shares(db, view.id) == [("cancelled", 0, 0, 0)] * 2
    assert await entries(db, view.order_id) == [("expired", 0, None)]
    async with db.sessionmaker() as session:
        stored = (await payment_views(session, [view.order_id]))[view.order_id]
        assert stored.status == "expired"
        for share in view.allocations:
            assert (
                await cancel_allocation(
                    session, seller_order_id=share.seller_order_id, actor="x", reason="r"
                )
                == 0
            )


async def test_a_validated_payment_does_not_expire(db: Database, settings: Settings) -> None:
    """Expiring an authorised card payment is a bug in the caller, refused loudly."""
    _, view = await place(db, settings, shares=(100,))
    async with db.sessionmaker() as session:
        with pytest.raises(PaymentStateConflict):
            await expire(session, order_id=view.order_id, actor="system")


async def test_unknown_seller_orders_and_orders_are_not_found(db: Database) -> None:
    """Operations on ids payments never saw are PaymentNotFound; views simply omit them."""
    async with db.sessionmaker() as session:
        with pytest.raises(PaymentNotFound):
            await capture(session, seller_order_id=424242, actor="x")
        with pytest.raises(PaymentNotFound):
            await expire(session, order_id=424242, actor="x")
        assert await payment_views(session, [424242]) == {}
        assert await payment_views(session, []) == {}


async def test_payment_views_reads_many_orders_in_two_queries(
    db: Database, settings: Settings
) -> None:
    """Order lists show payments without a query per order."""
    placed = [await place(db, settings, shares=(100, 200)) for _ in range(5)]
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(args[2])

    event.listen(db.engine.sync_engine, "before_cursor_execute", count)
    try:
        async with db.sessionmaker() as session:
            views = await payment_views(session, [v.order_id for _, v in placed])
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", count)
    assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) == 2
    assert {v.order_id: v for _, v in placed} == views
