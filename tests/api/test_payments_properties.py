"""Hypothesis drives random capture / collect / cancel / pay sequences on the real database.

After every sequence: each share equals the pure model (`domain.plan_*` applied in memory),
every share keeps captured + voided <= amount and refunded <= captured, the shares add up
to the payment, and the ledger explains every total.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from pasar.payments import (
    AllocationStatus,
    PaymentConfig,
    PaymentMethod,
    PaymentStateConflict,
    cancel_allocation,
    capture,
    collect_cash,
)
from pasar.payments.domain import Share, plan_cancel, plan_capture, plan_collect
from pasar.payments.inbound import handle_webhook
from pasar.payments.models import PaymentAllocation
from pasar.payments.sandbox import SandboxProvider
from pasar.platform.db import Database
from pasar.platform.settings import Settings
from pasar.platform.time import utcnow
from tests.api.test_payments_support import books_balance, config_of, place

S = AllocationStatus
SERVICE = {"capture": capture, "collect": collect_cash}
PLAN = {"capture": plan_capture, "collect": plan_collect, "cancel": plan_cancel}
START = {"card": S.AUTHORISED, "bank_transfer": S.PENDING, "cod": S.ACCEPTED}


@pytest.fixture
async def db(app: FastAPI, database: Database) -> Database:
    return database


async def pay(db: Database, config: PaymentConfig, account: str, amount: int) -> None:
    event = {
        "id": f"evt_{utcnow().timestamp()}_{account}",
        "type": "transfer.received",
        "virtual_account": account,
        "amount": amount,
        "currency": config.currency,
    }
    now = utcnow()
    body, signature = SandboxProvider().signed_event(event, app_secret=config.secret, now=now)
    async with db.sessionmaker() as session:
        await handle_webhook(
            session, provider="sandbox", body=body, signature=signature, config=config, now=now
        )


def paid(model: list[Share]) -> list[Share]:
    """What a transfer of the full amount does to the shares of a pending payment."""
    if all(s.status is S.CANCELLED for s in model):
        return model  # the payment is closed: the money is returned, shares unchanged
    return [
        replace(s, status=S.PAID, captured=s.amount)
        if s.status is S.PENDING
        else replace(s, captured=s.amount, refunded=s.amount)
        for s in model
    ]


async def operate(db: Database, name: str, seller_order_id: int) -> int | None:
    """Run one service operation in its own transaction; None if it was refused."""
    async with db.sessionmaker() as session:
        try:
            if name == "cancel":
                moved: int | None = await cancel_allocation(
                    session, seller_order_id=seller_order_id, actor="prop", reason="random"
                )
            else:
                await SERVICE[name](session, seller_order_id=seller_order_id, actor="prop")
                moved = None
        except PaymentStateConflict:
            return None
        await session.commit()
        return moved


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    method=st.sampled_from(sorted(START)),
    amounts=st.lists(st.integers(0, 40_000), min_size=1, max_size=4),
    steps=st.lists(
        st.tuples(st.sampled_from(["capture", "collect", "cancel", "pay"]), st.integers(0, 3)),
        max_size=10,
    ),
)
async def test_random_operations_keep_every_cent_accounted_for(
    db: Database,
    settings: Settings,
    method: str,
    amounts: list[int],
    steps: list[tuple[str, int]],
) -> None:
    """Whatever order shipping, delivery, cancellation and payment arrive in, the books hold."""
    auth, view = await place(db, settings, method, shares=tuple(amounts))
    config = config_of(settings)
    model = [Share(PaymentMethod(method), START[method], a) for a in amounts]
    ids = [a.seller_order_id for a in view.allocations]
    pending = method == "bank_transfer"
    for name, index in steps:
        i = index % len(ids)
        if name == "pay":
            if method == "bank_transfer":
                assert auth.instructions is not None
                await pay(db, config, auth.instructions["virtual_account"], sum(amounts))
                model = paid(model) if pending else model
                pending = False
            continue
        try:
            move: Any = PLAN[name](model[i])
        except PaymentStateConflict:
            move = "refused"
        moved = await operate(db, name, ids[i])
        if move == "refused":
            assert moved is None
            continue
        if move is not None:
            model[i] = move.apply(model[i])
        if name == "cancel":
            assert moved == (move.amount if move is not None else 0)
        if pending and all(s.status is S.CANCELLED for s in model):
            pending = False  # the payment closed; a later transfer is returned
    async with db.sessionmaker() as session:
        rows = await session.execute(
            select(
                PaymentAllocation.status,
                PaymentAllocation.captured,
                PaymentAllocation.refunded,
                PaymentAllocation.voided,
            )
            .where(PaymentAllocation.payment_id == view.id)
            .order_by(PaymentAllocation.seller_order_id)
        )
        stored = [tuple(r) for r in rows]
    assert stored == [(s.status.value, s.captured, s.refunded, s.voided) for s in model]
    assert all(s.holds() for s in model)
    assert await books_balance(db) == []
