"""Reads: payment views for any number of orders in two queries, and the ledger."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import BigInteger, ColumnElement, any_, bindparam, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession

from pasar.payments.errors import PaymentNotFound
from pasar.payments.models import Payment, PaymentAllocation, PaymentLedgerEntry
from pasar.payments.schemas import AllocationView, LedgerEntryView, PaymentDetailRead, PaymentView

PAYMENT_FIELDS = tuple(f for f in PaymentView.model_fields if f != "allocations")
ALLOCATION_FIELDS = tuple(AllocationView.model_fields)


def view_of(payment: Mapping[str, Any], shares: Sequence[Mapping[str, Any]]) -> PaymentView:
    return PaymentView(
        **{f: payment[f] for f in PAYMENT_FIELDS},
        allocations=[AllocationView(**{f: s[f] for f in ALLOCATION_FIELDS}) for s in shares],
    )


def _ids_in(session: AsyncSession, column: Any, ids: Sequence[int]) -> ColumnElement[bool]:
    """`column IN ids`, as one array parameter on PostgreSQL (one plan for any length)."""
    clause: ColumnElement[bool]
    if session.get_bind().dialect.name == "postgresql":
        clause = column == any_(bindparam(f"ids_{column.key}", list(ids), type_=ARRAY(BigInteger)))
    else:
        clause = column.in_(list(ids))
    return clause


async def payment_views(session: AsyncSession, order_ids: Sequence[int]) -> dict[int, PaymentView]:
    """order id -> payment view, for the orders that have a payment."""
    found = await _views(session, order_ids, extra=())
    return {order_id: view_of(row, shares) for order_id, (row, shares) in found.items()}


async def _views(
    session: AsyncSession, order_ids: Sequence[int], *, extra: Sequence[str]
) -> dict[int, tuple[dict[str, Any], list[dict[str, Any]]]]:
    ids = sorted(set(order_ids))
    if not ids:
        return {}
    p, a = Payment, PaymentAllocation
    columns = [getattr(p, f) for f in (*PAYMENT_FIELDS, *extra)]
    payments = [
        dict(row._mapping)
        for row in await session.execute(select(*columns).where(_ids_in(session, p.order_id, ids)))
    ]
    if not payments:
        return {}
    shares: dict[int, list[dict[str, Any]]] = {row["id"]: [] for row in payments}
    allocation_rows = await session.execute(
        select(a.payment_id, *(getattr(a, f) for f in ALLOCATION_FIELDS))
        .where(_ids_in(session, a.payment_id, list(shares)))
        .order_by(a.payment_id, a.seller_order_id)
    )
    for row in allocation_rows:
        shares[row.payment_id].append(dict(row._mapping))
    return {row["order_id"]: (row, shares[row["id"]]) for row in payments}


async def ledger(session: AsyncSession, order_id: int) -> list[LedgerEntryView]:
    """Every movement of the order's money, oldest first."""
    e = PaymentLedgerEntry
    rows = await session.scalars(select(e).where(e.order_id == order_id).order_by(e.id))
    return [LedgerEntryView.model_validate(r) for r in rows]


async def payment_detail(session: AsyncSession, order_id: int) -> PaymentDetailRead:
    found = await _views(session, [order_id], extra=("order_number",))
    if order_id not in found:
        raise PaymentNotFound(f"No payment for order {order_id}.")
    row, shares = found[order_id]
    view = view_of(row, shares)
    return PaymentDetailRead(
        **view.model_dump(exclude={"allocations"}),
        allocations=view.allocations,
        order_number=row["order_number"],
        ledger=await ledger(session, order_id),
    )
