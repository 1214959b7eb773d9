"""Helpers shared by the payments tests (this file holds no tests of its own).

Orders do not exist here: payments are placed with made-up order and seller-order ids, the
way checkout will place them (authorise, then record_payment inside a transaction).
"""

from __future__ import annotations

import itertools
import json
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from pasar.payments import (
    Allocation,
    Authorisation,
    PaymentConfig,
    PaymentDetails,
    PaymentView,
    authorise,
    record_payment,
)
from pasar.payments.models import Payment, PaymentAllocation, PaymentLedgerEntry
from pasar.payments.signing import sandbox_webhook_key, sign
from pasar.platform.db import Database
from pasar.platform.outbox import OutboxEvent
from pasar.platform.settings import Settings
from pasar.platform.time import utcnow

SUCCESS = "4242 4242 4242 4242"
DECLINED = "4000 0000 0000 0002"
INSUFFICIENT = "4000 0000 0000 9995"
THREE_DS = "4000 0000 0000 3220"
_orders = itertools.count(1000)


def card(number: str = SUCCESS, **overrides: Any) -> dict[str, Any]:
    return {"number": number, "exp_month": 12, "exp_year": utcnow().year + 2, "cvc": "123"} | (
        overrides
    )


def details(method: str, number: str = SUCCESS) -> PaymentDetails:
    body: dict[str, Any] = {"method": method}
    if method == "card":
        body["card"] = card(number)
    return PaymentDetails.model_validate(body)


def config_of(settings: Settings) -> PaymentConfig:
    return PaymentConfig.from_settings(settings)


async def place(
    database: Database,
    settings: Settings,
    method: str = "card",
    *,
    shares: Sequence[int] = (3000, 7000),
    number: str = SUCCESS,
) -> tuple[Authorisation, PaymentView]:
    """Authorise and record a payment for a new order with one seller order per share."""
    order_id = next(_orders)
    allocations = [
        Allocation(
            seller_order_id=order_id * 10 + i, seller_id=100 + i, amount=a, commission=a // 10
        )
        for i, a in enumerate(shares)
    ]
    auth = await authorise(
        details(method, number),
        amount=sum(shares),
        currency=settings.currency,
        reference=f"PSR-{order_id}",
        config=config_of(settings),
        now=utcnow(),
    )
    async with database.sessionmaker() as session:
        view = await record_payment(
            session,
            auth,
            order_id=order_id,
            order_number=f"PSR-{order_id}",
            allocations=allocations,
            actor="user:1",
        )
        await session.commit()
    return auth, view


async def events(database: Database, name: str) -> list[dict[str, Any]]:
    async with database.sessionmaker() as session:
        rows = await session.scalars(
            select(OutboxEvent.payload).where(OutboxEvent.name == name).order_by(OutboxEvent.id)
        )
        return [dict(p) for p in rows]


async def entries(database: Database, order_id: int) -> list[tuple[str, int, int | None]]:
    """(kind, amount, seller_order_id) of the order's ledger, in order."""
    async with database.sessionmaker() as session:
        rows = await session.execute(
            select(
                PaymentLedgerEntry.kind,
                PaymentLedgerEntry.amount,
                PaymentLedgerEntry.seller_order_id,
            )
            .where(PaymentLedgerEntry.order_id == order_id)
            .order_by(PaymentLedgerEntry.id)
        )
        return [(k, a, s) for k, a, s in rows]


async def books_balance(database: Database) -> list[str]:
    """Every payment's invariants; returns what is broken (empty when all hold).

    Per allocation: captured + voided <= amount, refunded <= captured. Per payment: the
    allocations add up to the amount, the totals equal the allocations' sums, the ledger
    explains every total, and unapplied money was always returned.
    """
    broken: list[str] = []
    async with database.sessionmaker() as session:
        payments = (await session.scalars(select(Payment))).all()
        shares = defaultdict(list)
        for a in (await session.scalars(select(PaymentAllocation))).all():
            shares[a.payment_id].append(a)
            if not (a.captured + a.voided <= a.amount and a.refunded <= a.captured):
                broken.append(f"allocation {a.id} out of bounds")
        ledger: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for e in (await session.scalars(select(PaymentLedgerEntry))).all():
            ledger[e.payment_id][e.kind] += e.amount
    for p in payments:
        mine, book = shares[p.id], ledger[p.id]
        if sum(a.amount for a in mine) != p.amount:
            broken.append(f"payment {p.id}: allocations do not add up")
        for total in ("captured", "refunded", "voided"):
            if sum(getattr(a, total) for a in mine) != getattr(p, total):
                broken.append(f"payment {p.id}: {total} differs from its allocations")
        taken = book["captured"] + book["collected"] + book["received"]
        if (taken, book["refunded"], book["voided"]) != (p.captured, p.refunded, p.voided):
            broken.append(f"payment {p.id}: ledger {dict(book)} != totals")
        if book["unapplied"] != book["returned"]:
            broken.append(f"payment {p.id}: unapplied money not returned")
    return broken


def signed(
    settings: Settings, event: dict[str, Any], *, at: float | None = None
) -> tuple[bytes, dict[str, str]]:
    """A sandbox webhook body and its headers, signed now (or at the unix time `at`)."""
    body = json.dumps(event).encode()
    now = utcnow() if at is None else datetime.fromtimestamp(at, UTC)
    signature = sign(sandbox_webhook_key(settings.secret), body, now)
    return body, {"Pasar-Signature": signature, "Content-Type": "application/json"}
