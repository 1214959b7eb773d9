"""The demo marketplace is real data: seeded through the services, visible through the API."""

from __future__ import annotations

import asyncio
import random
from collections import Counter, defaultdict
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from pasar.app import build_database, create_app
from pasar.cli import app as cli
from pasar.demo.orders import StockedOffer, _Planner
from pasar.demo.seed import DemoSummary, seed
from pasar.inventory.models import StockLevel
from pasar.orders import Status, read_order
from pasar.orders.models import Order, OrderHistory, SellerOrder
from pasar.payments.models import Payment, PaymentAllocation
from pasar.platform.db import Database
from pasar.platform.migrate import upgrade
from pasar.platform.settings import Settings

SECRET = "x" * 32
HOLDS_STOCK = {Status.RECEIVED, Status.VERIFIED, Status.PROCESSING}


Demo = tuple[Database, Settings, DemoSummary]


@pytest.fixture(scope="module")
async def demo(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Demo]:
    """One small demo for the module: 60 products, 5 sellers, 20 orders."""
    url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('demo') / 'demo.db'}"
    await asyncio.to_thread(upgrade, url)
    database = build_database(url)
    settings = Settings(database_url=url, secret_key=SECRET)  # type: ignore[arg-type]
    summary = await seed(
        database, seed=7, products=60, approved_sellers=4, orders=20, settings=settings
    )
    yield database, settings, summary
    await database.dispose()


async def test_small_demo_is_browsable(demo: Demo) -> None:
    """Seeded products list with best offers; suspended sellers' offers never show."""
    database, settings, summary = demo
    assert summary.products == 60
    assert summary.offers > 60
    app = create_app(settings, database=database)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://demo") as http:
        listed = (await http.get("/api/v1/products", params={"limit": 100})).json()["items"]
        sellers = (await http.get("/api/v1/sellers", params={"limit": 100})).json()["items"]
    assert len(listed) >= 50
    assert all(p["best_offer"] is not None for p in listed)
    public_ids = {s["id"] for s in sellers}
    assert len(public_ids) == summary.sellers_approved
    assert {p["best_offer"]["seller"]["id"] for p in listed} <= public_ids


async def test_demo_orders_cover_every_stage_and_payment_way(
    demo: Demo,
) -> None:
    database, _, summary = demo
    report = summary.orders
    async with database.sessionmaker() as session:
        orders = (await session.scalars(select(Order))).all()
        parts = (await session.scalars(select(SellerOrder))).all()
        payments = {p.order_id: p for p in await session.scalars(select(Payment))}
        today = datetime.now(UTC).date()
        read = Counter([(await read_order(session, o.id, today=today)).status for o in orders])
    assert report.orders == len(orders) == 20
    assert report.seller_orders == len(parts)
    # Every stage, at the order level (what the summary counts) and per seller order.
    assert set(report.by_status) == {s.value for s in Status}
    assert read == report.by_status
    assert {p.status for p in parts} == {s.value for s in Status}
    # Every way to pay: card (some with 3-D Secure), bank transfer, cash on delivery.
    assert set(report.by_method) == {"card", "card_3ds", "bank_transfer", "cod"}
    methods = Counter(o.payment_method for o in orders)
    assert methods == {
        "card": report.by_method["card"] + report.by_method["card_3ds"],
        "bank_transfer": report.by_method["bank_transfer"],
        "cod": report.by_method["cod"],
    }
    assert any(p.card_last4 == "3220" for p in payments.values())
    assert set(report.cancelled) >= {
        "cancelled by the buyer",
        "cancelled by the seller",
        "cancelled by the operator",
        "expired unpaid",
    }
    # Guests with plausible details; shipped parcels are tracked, delivered ones proven.
    assert all(o.email.endswith("example.com") and o.phone.startswith("+") for o in orders)
    for part in parts:
        if part.status in ("shipped", "delivered", "completed", "delivery_failed"):
            assert part.carrier
            assert part.tracking_number
        if part.status in ("delivered", "completed"):
            assert part.delivery_proof
            assert part.delivery_proof["left_at"]
        if part.status == "cancelled":
            assert part.cancelled_by in {"buyer", "seller", "operator", "system"}


async def test_demo_orders_keep_stock_money_and_time_consistent(
    demo: Demo,
) -> None:
    database, settings, _ = demo
    async with database.sessionmaker() as session:
        orders = {o.id: o for o in await session.scalars(select(Order))}
        parts = (await session.scalars(select(SellerOrder))).all()
        levels = (await session.scalars(select(StockLevel))).all()
        shares = {a.seller_order_id: a for a in await session.scalars(select(PaymentAllocation))}
        history = (await session.scalars(select(OrderHistory).order_by(OrderHistory.id))).all()

    # Reserved units are exactly the units held by live (not yet shipped) seller orders.
    held: Counter[tuple[int, int]] = Counter()
    for part in parts:
        if Status(part.status) in HOLDS_STOCK:
            for r in part.reservations:
                held[r["offer_id"], r["warehouse_id"]] += r["quantity"]
    assert {(s.offer_id, s.warehouse_id): s.reserved for s in levels if s.reserved} == held
    assert all(0 <= s.reserved <= s.on_hand for s in levels)

    # Each seller order's share of the payment matches where the order is.
    for part in parts:
        share, method = shares[part.id], orders[part.order_id].payment_method
        assert share.captured + share.voided <= share.amount
        assert share.refunded <= share.captured
        status = Status(part.status)
        if status in (Status.CANCELLED, Status.RETURNED_TO_SELLER):
            assert share.status == "cancelled"
            assert share.captured == share.refunded  # nothing kept
        elif status is Status.RECEIVED:
            assert share.status == "pending"
        elif status in (Status.DELIVERED, Status.COMPLETED) or (
            status in (Status.SHIPPED, Status.DELIVERY_FAILED) and method == "card"
        ):
            assert (share.status, share.captured) == ("captured", share.amount)
        else:
            expected = {"card": "authorised", "cod": "accepted", "bank_transfer": "paid"}
            assert share.status == expected[method], (status, method)

    # Timelines: within the last month, in order, never in the future.
    now = datetime.now(UTC)
    assert all(now - timedelta(days=31) < o.placed_at <= now for o in orders.values())
    moments: defaultdict[int, list[datetime]] = defaultdict(list)
    for entry in history:
        moments[entry.seller_order_id].append(entry.at)
    for part in parts:
        assert moments[part.id] == sorted(moments[part.id])
        assert part.placed_at <= moments[part.id][-1] <= now
        if part.status == "delivered":  # the sweep would complete it straight away
            assert part.delivered_at is not None
            assert now - part.delivered_at < timedelta(days=settings.completion_days)

    # Nothing is left for the sweeps the moment the demo is seeded.
    result = await asyncio.to_thread(
        CliRunner().invoke, cli, ["sweep"], env={"PASAR_DATABASE_URL": settings.database_url}
    )
    assert result.exit_code == 0, result.output
    assert "0 unpaid seller orders expired, 0 delivered seller orders completed" in result.output


def test_order_plans_are_deterministic_for_a_seed() -> None:
    """Same seed, same orders: buyers, sellers, offers, quantities, ways to pay and fates."""
    offers = [
        StockedOffer(offer_id=n, seller_id=n % 4 + 1, country="ID", quantity=50, price=1_000 + n)
        for n in range(1, 200)
    ]
    settings = Settings(secret_key=SECRET)  # type: ignore[arg-type]
    now = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)

    def plans(seed: int) -> list[tuple[object, ...]]:
        planner = _Planner(random.Random(seed), settings, offers, now, [(9, "Budi", "b@x.io")])
        return [
            (
                o.method,
                o.fate,
                o.placed_at,
                o.buyer.contact,
                [(p.seller_id, p.service, p.lines, p.journey) for p in o.parts],
            )
            for o in planner.plan(40)
        ]

    assert plans(3) == plans(3)
    assert plans(3) != plans(4)
