"""No sequence of lifecycle moves breaks the stock, payment or ledger invariants.

A hypothesis state machine places orders through the real API (1-3 sellers, random
quantities, card, 3-D Secure card, bank transfer, cash on delivery or a declined card; out
of stock and refusals are allowed outcomes), then pays, challenges, expires, processes,
ships, delivers, fails, reships, returns, cancels (buyer, seller, operator) and completes
them in any order. The model predicts every answer from its own copy of the lifecycle
table: legal moves succeed, illegal ones are refused (409 illegal-transition) and change
nothing at all. After every step the database itself is checked:

- every stock row keeps 0 <= reserved <= on_hand and its movement ledger sums to it;
- each stock row's reserved units are exactly what the live (received / verified /
  processing) SellerOrders hold there, and the order lines agree with those holdings;
- the model's offers: on_hand fell by exactly the units of shipped-or-later SellerOrders;
- every allocation and payment keeps captured + voided <= amount and refunded <= captured,
  a payment's counters are the sums of its allocations' and of its ledger's entries;
- money follows the goods: each SellerOrder's share is pending, authorised, paid, captured
  or given back exactly as its status and payment method say; cancelled and returned
  SellerOrders keep no captured money that was not refunded;
- every SellerOrder's and payment's status is the model's.

Hypothesis is synchronous, so (as in test_inventory_stateful) the machine runs its own app,
engine and HTTP client on a private event loop in a thread, against the test database.
Each run starts with no orders, payments, stock or carts, from the same sellers and offers.
Carts are written straight to their tables and read back priced (the cart API has its own
tests; through it they would cost most of this test's time); everything else goes through
the HTTP API, except the sweeps, which are called as the scheduler calls them.
"""

from __future__ import annotations

import itertools
import secrets
from collections import defaultdict
from collections.abc import Coroutine
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, ClassVar, TypeVar

import httpx
import hypothesis
import orjson
from fastapi import FastAPI
from hypothesis import HealthCheck
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import func, select

from pasar.app import create_app
from pasar.checkout.models import Cart, CartLine
from pasar.inventory.models import StockLevel, StockMovement
from pasar.orders import complete_delivered, expire_unpaid
from pasar.orders.models import Order, OrderHistory, OrderLine, SellerOrder
from pasar.payments.models import Payment, PaymentAllocation, PaymentLedgerEntry
from pasar.platform.db import Base, Database
from pasar.platform.outbox import OutboxEvent
from pasar.platform.settings import Settings
from pasar.platform.signing import derive_key, sign
from pasar.platform.time import utcnow
from tests.api import test_inventory_support as inv
from tests.api import test_orders_support as s
from tests.api.test_inventory_stateful import LoopThread
from tests.support import Actor, Actors

T = TypeVar("T")

#: Offers per seller (the first seller has two, so one SellerOrder can have two lines).
OFFERS = (2, 1, 1)
#: What a run leaves behind; the next one starts without it.
RUN_TABLES = frozenset(
    {
        "carts",
        "cart_lines",
        "orders",
        "seller_orders",
        "order_lines",
        "order_history",
        "payments",
        "payment_allocations",
        "payment_ledger",
        "payment_webhook_events",
        "stock_levels",
        "stock_movements",
        "outbox_events",
    }
)
#: Orders a run tries to place at most: its remaining steps move them through the lifecycle.
ORDERS_PER_RUN = 6
#: The longest reason a cancel or return accepts (ledgers keep shorter notes).
LONG_REASON = ("The warehouse miscounted and the last unit turned out to be damaged. " * 8)[:500]
COD_LIMIT = 200_000  # Settings.cod_limit's default, which the test settings keep
_serial = itertools.count(1)

# The lifecycle as this test understands it, written out independently of pasar.orders.
HOLDING = frozenset({"received", "verified", "processing"})
SOLD = frozenset({"shipped", "delivered", "completed", "delivery_failed", "returned_to_seller"})
GIVEN_BACK = frozenset({"cancelled", "returned_to_seller"})
MOVES: dict[str, tuple[frozenset[str], str]] = {
    "process": (frozenset({"verified"}), "processing"),
    "ship": (frozenset({"processing"}), "shipped"),
    "deliver": (frozenset({"shipped"}), "delivered"),
    "fail_delivery": (frozenset({"shipped"}), "delivery_failed"),
    "reship": (frozenset({"delivery_failed"}), "shipped"),
    "return_to_seller": (frozenset({"delivery_failed"}), "returned_to_seller"),
    "buyer_cancel": (frozenset({"received", "verified"}), "cancelled"),
    "seller_cancel": (HOLDING, "cancelled"),
    "operator_cancel": (HOLDING, "cancelled"),
    "confirm": (frozenset({"delivered"}), "completed"),
}
#: Payment statuses while money is awaited, and how long each method waits.
AWAITING = frozenset({"requires_action", "pending"})
CLOSED = frozenset({"failed", "expired", "cancelled"})
DEADLINE = {"3ds": timedelta(minutes=30), "bank_transfer": timedelta(hours=24)}
PAYMENTS: dict[str, dict[str, Any]] = {
    "card": s.card(),
    "3ds": s.card(s.CARD_3DS),
    "declined": s.card(s.CARD_DECLINED),
    "bank_transfer": {"method": "bank_transfer"},
    "cod": {"method": "cod"},
}
OPENING = {"card": "authorised", "3ds": "requires_action", "bank_transfer": "pending"}


@dataclass(frozen=True)
class Shop:
    """A seller of the cast: its owner, its warehouse, and its offers as the catalog has them."""

    owner: Actor
    warehouse: int
    offers: list[dict[str, Any]]


@dataclass
class Part:
    """What the model knows of one SellerOrder."""

    id: int
    order: str
    seller: int
    lines: dict[int, int]
    amount: int
    status: str
    tracking: str | None = None


@dataclass
class Purchase:
    """What the model knows of one Order and its payment."""

    id: int
    number: str
    method: str  # card, 3ds, bank_transfer, cod
    access: str
    total: int
    payment: str  # the payment's exact status
    parts: list[int] = field(default_factory=list)
    challenge: str | None = None
    account: str | None = None


def _money_method(method: str) -> str:
    return "card" if method == "3ds" else method


def allowed_shares(method: str, status: str, amount: int) -> set[tuple[str, int, int, int]]:
    """Money follows the goods: the (status, captured, refunded, voided) a SellerOrder's
    payment share may have while the SellerOrder is in `status`, paid by `method` (card,
    bank_transfer, cod). A card is captured when its part ships, a transfer is taken
    whole when it arrives, cash when the parcel is delivered."""
    held = {
        "card": ("authorised", 0, 0, 0),
        "bank_transfer": ("paid", amount, 0, 0),
        "cod": ("accepted", 0, 0, 0),
    }[method]
    if status == "received":
        return {("pending", 0, 0, 0)}
    if status in ("verified", "processing"):
        return {held}
    if status in ("shipped", "delivery_failed"):
        return {("captured", amount, 0, 0) if method == "card" else held}
    if status in ("delivered", "completed"):
        return {("paid" if method == "bank_transfer" else "captured", amount, 0, 0)}
    if status == "returned_to_seller":
        back = 0 if method == "cod" else amount
        return {("cancelled", back, back, 0)}
    assert status == "cancelled", status
    # Nothing had moved, an authorisation was voided, or money taken was refunded.
    return {("cancelled", 0, 0, 0), ("cancelled", 0, 0, amount), ("cancelled", amount, amount, 0)}


class OrderMachine(RuleBasedStateMachine):
    runner: ClassVar[LoopThread]
    database: ClassVar[Database]
    client: ClassVar[httpx.AsyncClient]
    shops: ClassVar[list[Shop]]
    operator: ClassVar[Actor]
    secret: ClassVar[str]

    def __init__(self) -> None:
        super().__init__()
        self.offers: list[int] = []
        self.seller_of: dict[int, int] = {}
        #: Units on hand per offer when the run starts.
        self.on_hand: dict[int, int] = {}
        self.parts: dict[int, Part] = {}
        self.purchases: dict[str, Purchase] = {}
        self.attempts = 0

    def _do(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return self.runner.run(coroutine)

    # --- setup -----------------------------------------------------------------------------

    @initialize(stock=st.lists(st.integers(3, 15), min_size=sum(OFFERS), max_size=sum(OFFERS)))
    def restock(self, stock: list[int]) -> None:
        """Every run starts from the same cast with no orders, payments, stock or carts left
        by earlier runs (so a failing run replays the same way while it is shrunk); then
        each offer gets `stock` units."""
        self._do(self._restock(stock))

    async def _restock(self, stock: list[int]) -> None:
        async with self.database.sessionmaker() as session:
            for table in reversed(Base.metadata.sorted_tables):
                if table.name in RUN_TABLES:
                    await session.execute(table.delete())
            await session.commit()
        units = iter(stock)
        for index, shop in enumerate(self.shops):
            items = []
            for offer in shop.offers:
                self.offers.append(offer["id"])
                self.seller_of[offer["id"]] = index
                self.on_hand[offer["id"]] = next(units)
                items.append(
                    {
                        "offer_id": offer["id"],
                        "warehouse_id": shop.warehouse,
                        "quantity": self.on_hand[offer["id"]],
                    }
                )
            synced = await inv.sync(self.client, shop.owner, items)
            assert synced.status_code == 200, synced.text

    # --- model helpers -----------------------------------------------------------------------

    def _reserved(self, offer: int) -> int:
        return sum(p.lines.get(offer, 0) for p in self.parts.values() if p.status in HOLDING)

    def _sold(self, offer: int) -> int:
        return sum(p.lines.get(offer, 0) for p in self.parts.values() if p.status in SOLD)

    def _available(self, offer: int) -> int:
        return self.on_hand[offer] - self._sold(offer) - self._reserved(offer)

    def _given_back(self, purchase: Purchase) -> None:
        """Once every share is cancelled, an open payment is cancelled too."""
        if purchase.payment not in CLOSED and all(
            self.parts[p].status in GIVEN_BACK for p in purchase.parts
        ):
            purchase.payment = "cancelled"

    def _pick(self, data: st.DataObject, action: str, legal: bool) -> Part:
        """A known SellerOrder the move is legal for (when asked and there is one), else one
        it is illegal for, its status drawn first so that every wrong state gets tried
        (not mostly the cancelled ones, of which there are many)."""
        sources, _ = MOVES[action]
        fitting = sorted(p for p, part in self.parts.items() if part.status in sources)
        if (legal and fitting) or len(fitting) == len(self.parts):
            return self.parts[data.draw(st.sampled_from(fitting), label=action)]
        wrong = sorted({part.status for part in self.parts.values()} - sources)
        status = data.draw(st.sampled_from(wrong), label=f"{action} from")
        pool = sorted(p for p, part in self.parts.items() if part.status == status)
        return self.parts[data.draw(st.sampled_from(pool), label=action)]

    async def _snapshot(self) -> tuple[Any, ...]:
        """Every row a move could touch, to prove a refused one touched none."""
        async with self.database.sessionmaker() as session:
            rows = [
                select(StockLevel.id, StockLevel.on_hand, StockLevel.reserved, StockLevel.version),
                select(
                    SellerOrder.id,
                    SellerOrder.status,
                    SellerOrder.updated_at,
                    SellerOrder.tracking_number,
                ),
                select(
                    PaymentAllocation.id,
                    PaymentAllocation.status,
                    PaymentAllocation.captured,
                    PaymentAllocation.refunded,
                    PaymentAllocation.voided,
                ),
                select(
                    Payment.id,
                    Payment.status,
                    Payment.captured,
                    Payment.refunded,
                    Payment.voided,
                    Payment.validated_at,
                ),
                select(Order.id, Order.payment_due_at),
            ]
            found: list[Any] = [sorted(tuple(r) for r in await session.execute(q)) for q in rows]
            for model in (PaymentLedgerEntry, StockMovement, OrderHistory, OutboxEvent):
                found.append(await session.scalar(select(func.count()).select_from(model)))
            return tuple(found)

    # --- placing -----------------------------------------------------------------------------

    @precondition(lambda self: self.attempts < ORDERS_PER_RUN)
    @rule(data=st.data(), method=st.sampled_from(sorted(PAYMENTS)))
    def place(self, data: st.DataObject, method: str) -> None:
        """A guest checks out from 1-3 sellers (as likely as each other: split orders are
        where partial cancels and late payments get interesting), 1-3 units a line."""
        count = data.draw(st.sampled_from([1, 2, 3]), label="sellers")
        sellers = data.draw(st.permutations(range(len(self.shops))), label="which")[:count]
        lines = []
        for seller in sorted(sellers):
            mine = [o for o in self.offers if self.seller_of[o] == seller]
            for offer in data.draw(st.lists(st.sampled_from(mine), min_size=1, unique=True)):
                lines.append((offer, data.draw(st.integers(1, 3), label=f"units of {offer}")))
        self.attempts += 1
        self._do(self._place(lines, method))

    async def _place(self, lines: list[tuple[int, int]], method: str) -> None:
        cart = await self._cart(lines)
        in_stock = all(q <= self._available(o) for o, q in lines)
        assert cart["ready"] == in_stock, cart["blockers"]
        total = cart["grand_total"]
        before = await self._snapshot()
        placed = await s.place(self.client, cart["token"], PAYMENTS[method])
        if not in_stock:
            refusal = (409, "/problems/insufficient-stock")
        elif method == "declined":
            refusal = (402, "/problems/payment-declined")
        elif method == "cod" and total > COD_LIMIT:
            refusal = (422, "/problems/cod-not-available")
        else:
            refusal = None
        if refusal is not None:
            assert (placed.status_code, placed.json().get("type")) == refusal, placed.text
            assert await self._snapshot() == before
            return
        assert placed.status_code == 201, placed.text
        body = placed.json()
        assert body["total_amount"] == total
        assert sum(p["total_amount"] for p in body["seller_orders"]) == total
        opening = OPENING.get(method, "accepted")
        assert body["payment"]["status"] == opening
        first = "received" if opening in AWAITING else "verified"
        assert body["status"] == first
        purchase = Purchase(
            id=body["order_id"],
            number=body["number"],
            method=method,
            access=body["access_token"],
            total=total,
            payment=opening,
        )
        if method == "3ds":
            purchase.challenge = body["payment"]["next_action"]["url"]
        if method == "bank_transfer":
            purchase.account = body["payment"]["instructions"]["virtual_account"]
        sellers = {self.seller_of[o] for o, _ in lines}
        assert len(body["seller_orders"]) == len(sellers)
        for placed_part in body["seller_orders"]:
            ids = [shop.owner.seller_id for shop in self.shops]
            seller = ids.index(placed_part["seller_id"])
            mine = {o: q for o, q in lines if self.seller_of[o] == seller}
            assert mine, placed_part
            part = Part(
                placed_part["id"], purchase.number, seller, mine, placed_part["total_amount"], first
            )
            self.parts[part.id] = part
            purchase.parts.append(part.id)
        self.purchases[purchase.number] = purchase

    async def _cart(self, lines: list[tuple[int, int]]) -> dict[str, Any]:
        """A guest's cart with these lines, an address and standard delivery, written straight
        to its tables (building it through five API calls would be most of this test's time;
        the cart API has its own tests), then read back priced, as the buyer's page would."""
        offers = {o["id"]: o for shop in self.shops for o in shop.offers}
        now = utcnow()
        contact = {k: v for k, v in s.ADDRESS.items() if k != "email"}
        async with self.database.sessionmaker() as session:
            cart = Cart(
                token=secrets.token_urlsafe(32),
                status="open",
                currency=offers[lines[0][0]]["currency"],
                email=s.ADDRESS["email"],
                **contact,
                delivery={
                    str(self.shops[self.seller_of[o]].owner.seller_id): "standard" for o, _ in lines
                },
                created_at=now,
                updated_at=now,
            )
            session.add(cart)
            await session.flush()
            session.add_all(
                CartLine(
                    cart_id=cart.id,
                    offer_id=o,
                    quantity=q,
                    seen_price=offers[o]["price_amount"],
                    seller_id=offers[o]["seller"]["id"],
                    product_id=offers[o]["product_id"],
                    variant_id=offers[o]["variant_id"],
                    title=offers[o]["sku"],
                    sku=offers[o]["sku"],
                    created_at=now,
                    updated_at=now,
                )
                for o, q in lines
            )
            await session.commit()
        priced = await self.client.get(f"/api/v1/carts/{cart.token}")
        assert priced.status_code == 200, priced.text
        body: dict[str, Any] = priced.json()
        return body

    # --- money arriving ---------------------------------------------------------------------

    def _paid_later(self) -> list[Purchase]:
        """Orders whose money comes after placing (bank transfer, 3-D Secure), oldest first
        (never sorted by their random numbers, or a replayed run would pick others)."""
        return [p for p in self.purchases.values() if p.method in DEADLINE]

    @precondition(lambda self: bool(self._paid_later()))
    @rule(
        data=st.data(),
        awaiting=st.integers(0, 3),
        right=st.integers(0, 4),
        drop_one=st.booleans(),
    )
    def pay(self, data: st.DataObject, awaiting: int, right: int, drop_one: bool) -> None:
        """The buyer pays a bank transfer (the exact amount, mostly) or answers the 3-D
        Secure challenge (pass, mostly); mostly for an order still waiting for it. Often the
        buyer first drops one seller's part of an unpaid split order, so the money then
        arrives for a payment with a cancelled share (which must get its part back)."""
        known = self._paid_later()
        waiting = [p for p in known if p.payment in AWAITING]
        pool = waiting if awaiting and waiting else known
        purchase = pool[data.draw(st.integers(0, len(pool) - 1), label="order")]
        unpaid = [p for p in purchase.parts if self.parts[p].status == "received"]
        if drop_one and len(unpaid) > 1:
            dropped = data.draw(st.sampled_from(unpaid), label="dropped part")
            self._move("buyer_cancel", self.parts[dropped])
            self._do(self._check())
        if purchase.method == "bank_transfer":
            self._do(self._pay_transfer(purchase, exact=right > 0))
        else:
            self._do(self._answer_challenge(purchase, passed=right > 0))

    async def _pay_transfer(self, purchase: Purchase, *, exact: bool) -> None:
        amount = purchase.total if exact else purchase.total - 1
        paid = await self.client.post(
            "/api/v1/payments/sandbox/bank-transfers",
            json={"virtual_account": purchase.account, "amount": amount},
        )
        if purchase.payment != "pending":
            assert paid.status_code == 200, paid.text
            assert paid.json()["result"] == "returned"
            return
        if not exact:
            assert paid.status_code == 422, paid.text
            assert paid.json()["type"] == "/problems/transfer-amount-mismatch"
            return
        assert paid.status_code == 200, paid.text
        assert paid.json()["result"] == "received"
        purchase.payment = "received"
        self._validated(purchase)

    def _validated(self, purchase: Purchase) -> None:
        for part_id in purchase.parts:
            if self.parts[part_id].status == "received":
                self.parts[part_id].status = "verified"

    async def _answer_challenge(self, purchase: Purchase, *, passed: bool) -> None:
        assert purchase.challenge is not None
        before = None if purchase.payment == "requires_action" else await self._snapshot()
        answered = await self.client.post(
            purchase.challenge, json={"outcome": "pass" if passed else "fail"}
        )
        if before is not None:
            assert answered.status_code == 409, answered.text
            assert answered.json()["type"] == "/problems/challenge-completed"
            assert await self._snapshot() == before
            return
        assert answered.status_code == 200, answered.text
        if passed:
            purchase.payment = "authorised"
            self._validated(purchase)
        else:
            purchase.payment = "failed"
            for part_id in purchase.parts:
                if self.parts[part_id].status == "received":
                    self.parts[part_id].status = "cancelled"

    # --- sweeps ------------------------------------------------------------------------------

    @precondition(
        lambda self: (
            any(p.payment in AWAITING for p in self.purchases.values())
            or any(p.status == "delivered" for p in self.parts.values())
        )
    )
    @rule(
        sweep=st.sampled_from(["unpaid", "delivered"]),
        later=st.sampled_from([timedelta(hours=1), timedelta(hours=25), timedelta(days=8)]),
    )
    def sweep(self, sweep: str, later: timedelta) -> None:
        """A periodic sweep, run as if `later` had passed: unpaid orders past their deadline
        (3-D Secure waits 30 minutes, transfers a day), or delivered ones past 7 days."""
        if sweep == "unpaid":
            self._do(self._expire(later))
        else:
            self._do(self._auto_complete(later))

    async def _expire(self, later: timedelta) -> None:
        expected = 0
        for purchase in self.purchases.values():
            if purchase.payment in AWAITING and DEADLINE[purchase.method] < later:
                purchase.payment = "expired"
                for part_id in purchase.parts:
                    if self.parts[part_id].status == "received":
                        self.parts[part_id].status = "cancelled"
                        expected += 1
        async with self.database.sessionmaker() as session:
            cancelled = await expire_unpaid(session, now=utcnow() + later)
        assert cancelled == expected

    async def _auto_complete(self, later: timedelta) -> None:
        expected = 0
        if later > timedelta(days=7):
            for part in self.parts.values():
                if part.status == "delivered":
                    part.status = "completed"
                    expected += 1
        async with self.database.sessionmaker() as session:
            done = await complete_delivered(session, now=utcnow() + later, after=timedelta(days=7))
        assert done == expected

    # --- lifecycle moves over HTTP ----------------------------------------------------------

    @precondition(lambda self: bool(self.parts))
    @rule(
        data=st.data(),
        action=st.sampled_from(sorted(MOVES)),
        legal=st.booleans(),
        other_way=st.booleans(),
    )
    def move(self, data: st.DataObject, action: str, legal: bool, other_way: bool) -> None:
        """A move on a SellerOrder it is legal for, or one it must be refused for (half the
        time: `journey` makes most of the legal moves)."""
        self._move(action, self._pick(data, action, legal), other_way=other_way)

    @precondition(lambda self: bool(self.parts))
    @rule(data=st.data(), other_way=st.booleans())
    def refuse(self, data: st.DataObject, other_way: bool) -> None:
        """A move a SellerOrder must be refused: its status drawn first, then one of the
        moves illegal from there, so every wrong (status, move) pair comes up."""
        statuses = sorted({part.status for part in self.parts.values()})
        status = data.draw(st.sampled_from(statuses), label="from")
        pool = sorted(p for p, part in self.parts.items() if part.status == status)
        part = self.parts[data.draw(st.sampled_from(pool), label="part")]
        wrong = sorted(set(MOVES) - set(self._legal_moves(part)))
        self._move(data.draw(st.sampled_from(wrong), label="move"), part, other_way=other_way)

    @precondition(lambda self: any(self._legal_moves(p) for p in self.parts.values()))
    @rule(data=st.data(), moves=st.integers(1, 4), other_way=st.booleans())
    def journey(self, data: st.DataObject, moves: int, other_way: bool) -> None:
        """One SellerOrder makes up to `moves` legal moves in a row, towards delivery where it
        can (so runs reach failed deliveries, reships, returns and completions), the books
        checked after each. Only one that can go nowhere else is cancelled."""
        onward = sorted(p for p, part in self.parts.items() if self._onward(part))
        movable = onward or sorted(p for p, part in self.parts.items() if self._legal_moves(part))
        part = self.parts[data.draw(st.sampled_from(movable), label="part")]
        for step in range(moves):
            choices = self._onward(part) or (self._legal_moves(part) if step == 0 else [])
            if not choices:
                break
            if step:
                self._do(self._check())
            self._move(data.draw(st.sampled_from(choices), label="move"), part, other_way=other_way)

    def _onward(self, part: Part) -> list[str]:
        return [a for a in self._legal_moves(part) if not a.endswith("cancel")]

    @staticmethod
    def _legal_moves(part: Part) -> list[str]:
        return sorted(a for a, (sources, _) in MOVES.items() if part.status in sources)

    def _move(self, action: str, part: Part, *, other_way: bool = False) -> None:
        """`other_way`: by a carrier's report (deliver, fail), by the operator (confirm), or
        with the longest reason the API takes (cancels, return to seller)."""
        self._do(self._apply(action, part, other_way=other_way))

    async def _apply(self, action: str, part: Part, *, other_way: bool) -> None:
        sources, target = MOVES[action]
        legal = part.status in sources
        before = None if legal else await self._snapshot()
        tracking = f"TRK{next(_serial)}" if action in ("ship", "reship") else None
        via_carrier = other_way and action in ("deliver", "fail_delivery") and part.tracking
        response = await self._request(action, part, tracking=tracking, other_way=other_way)
        if via_carrier:
            # A carrier's report is never refused: it applies only to a parcel in transit.
            assert response.status_code == 200, response.text
            assert response.json()["applied"] is legal
        elif legal:
            assert response.status_code == 200, response.text
        else:
            assert response.status_code == 409, response.text
            assert response.json()["type"] == "/problems/illegal-transition", response.text
        if not legal:
            assert await self._snapshot() == before
            return
        part.status = target
        if tracking is not None:
            part.tracking = tracking
        self._given_back(self.purchases[part.order])

    async def _request(
        self, action: str, part: Part, *, tracking: str | None, other_way: bool
    ) -> httpx.Response:
        seller = self.shops[part.seller].owner
        purchase = self.purchases[part.order]
        mine = f"/api/v1/sellers/{seller.seller_id}/orders/{part.id}"
        admin = f"/api/v1/admin/seller-orders/{part.id}"
        buyer = f"/api/v1/orders/{purchase.number}/seller-orders/{part.id}"
        access = {"access": purchase.access}
        post = self.client.post
        if action == "process":
            return await post(f"{mine}/process", headers=seller.headers)
        if action in ("ship", "reship"):
            shipping = {"carrier": "JNE", "tracking_number": tracking}
            return await post(f"{mine}/{action}", json=shipping, headers=seller.headers)
        if action == "return_to_seller":
            body = {"reason": LONG_REASON if other_way else "parcel came back"}
            return await post(f"{mine}/return-to-seller", json=body, headers=seller.headers)
        if action == "seller_cancel":
            body = {"reason": LONG_REASON if other_way else "cannot fulfil"}
            return await post(f"{mine}/cancel", json=body, headers=seller.headers)
        if action == "operator_cancel":
            body = {"reason": LONG_REASON if other_way else "fraud check"}
            return await post(f"{admin}/cancel", json=body, headers=self.operator.headers)
        if action == "buyer_cancel":
            body = {"reason": LONG_REASON if other_way else "changed my mind"}
            return await post(f"{buyer}/cancel", params=access, json=body)
        if action in ("deliver", "fail_delivery") and other_way and part.tracking:
            delivered = action == "deliver"
            report = {
                "id": f"evt-{next(_serial)}",
                "tracking_number": part.tracking,
                "outcome": "delivered" if delivered else "failed",
            }
            raw = orjson.dumps(report)
            signature = sign(derive_key(self.secret, "carrier-webhook"), raw)
            return await post(
                "/api/v1/carriers/delivery-reports",
                content=raw,
                headers={"Pasar-Signature": signature, "Content-Type": "application/json"},
            )
        if action == "deliver":
            return await post(f"{admin}/deliver", json={}, headers=self.operator.headers)
        if action == "fail_delivery":
            body = {"reason": "nobody home"}
            return await post(f"{admin}/delivery-failed", json=body, headers=self.operator.headers)
        assert action == "confirm"
        if other_way:  # the operator closes it on the buyer's behalf
            return await post(f"{admin}/complete", headers=self.operator.headers)
        return await post(f"{buyer}/confirm-receipt", params=access)

    # --- the invariants ------------------------------------------------------------------------

    @invariant()
    def books_balance(self) -> None:
        if self.offers:
            self._do(self._check())

    async def _check(self) -> None:
        async with self.database.sessionmaker() as session:
            stock = (
                await session.execute(
                    select(
                        StockLevel.id,
                        StockLevel.offer_id,
                        StockLevel.warehouse_id,
                        StockLevel.on_hand,
                        StockLevel.reserved,
                    )
                )
            ).all()
            movements = {
                r[0]: (r[1], r[2])
                for r in await session.execute(
                    select(
                        StockMovement.stock_id,
                        func.sum(StockMovement.on_hand_delta),
                        func.sum(StockMovement.reserved_delta),
                    ).group_by(StockMovement.stock_id)
                )
            }
            parts = (
                await session.execute(
                    select(
                        SellerOrder.id,
                        SellerOrder.order_id,
                        SellerOrder.status,
                        SellerOrder.reservations,
                        SellerOrder.total_amount,
                    )
                )
            ).all()
            lines: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
            for so_id, offer_id, quantity in await session.execute(
                select(OrderLine.seller_order_id, OrderLine.offer_id, OrderLine.quantity)
            ):
                lines[so_id][offer_id] += quantity
            shares = {
                r.seller_order_id: r
                for r in await session.execute(
                    select(
                        PaymentAllocation.seller_order_id,
                        PaymentAllocation.payment_id,
                        PaymentAllocation.status,
                        PaymentAllocation.amount,
                        PaymentAllocation.captured,
                        PaymentAllocation.refunded,
                        PaymentAllocation.voided,
                    )
                )
            }
            payments = {
                r.id: r
                for r in await session.execute(
                    select(
                        Payment.id,
                        Payment.order_id,
                        Payment.method,
                        Payment.status,
                        Payment.amount,
                        Payment.captured,
                        Payment.refunded,
                        Payment.voided,
                    )
                )
            }
            ledger: dict[int, dict[str, tuple[int, int]]] = defaultdict(dict)
            for payment_id, kind, total, count in await session.execute(
                select(
                    PaymentLedgerEntry.payment_id,
                    PaymentLedgerEntry.kind,
                    func.sum(PaymentLedgerEntry.amount),
                    func.count(),
                ).group_by(PaymentLedgerEntry.payment_id, PaymentLedgerEntry.kind)
            ):
                ledger[payment_id][kind] = (int(total), int(count))

        # Stock rows, their ledger, and what live SellerOrders hold on them.
        held: dict[tuple[int, int], int] = defaultdict(int)
        for part in parts:
            holding: dict[int, int] = defaultdict(int)
            for h in part.reservations:
                holding[h["offer_id"]] += h["quantity"]
                if part.status in HOLDING:
                    held[h["offer_id"], h["warehouse_id"]] += h["quantity"]
            assert dict(holding) == dict(lines[part.id]), (part.id, part.reservations)
        by_offer: dict[int, tuple[int, int]] = defaultdict(lambda: (0, 0))
        for stock_id, offer_id, warehouse_id, on_hand, reserved in stock:
            assert 0 <= reserved <= on_hand, (offer_id, on_hand, reserved)
            assert movements.get(stock_id, (0, 0)) == (on_hand, reserved), stock_id
            assert reserved == held[offer_id, warehouse_id], (offer_id, reserved, held)
            was = by_offer[offer_id]
            by_offer[offer_id] = (was[0] + on_hand, was[1] + reserved)
        for offer in self.offers:
            expected = (self.on_hand[offer] - self._sold(offer), self._reserved(offer))
            assert by_offer[offer] == expected, (offer, by_offer[offer], expected)

        # Money: shares, payments and the payment ledger.
        sums: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
        for share in shares.values():
            assert min(share.captured, share.refunded, share.voided) >= 0
            assert share.captured + share.voided <= share.amount, share
            assert share.refunded <= share.captured, share
            counted = sums[share.payment_id]
            for i, value in enumerate((share.amount, share.captured, share.refunded, share.voided)):
                counted[i] += value
        for payment in payments.values():
            assert payment.captured + payment.voided <= payment.amount, payment
            assert payment.refunded <= payment.captured, payment
            counters = [payment.amount, payment.captured, payment.refunded, payment.voided]
            assert sums[payment.id] == counters, (payment, sums[payment.id])
            entries = ledger[payment.id]
            taken = sum(entries.get(k, (0, 0))[0] for k in ("received", "captured", "collected"))
            assert taken == payment.captured, entries
            assert entries.get("refunded", (0, 0))[0] == payment.refunded, entries
            assert entries.get("voided", (0, 0))[0] == payment.voided, entries
            assert entries.get("unapplied", (0, 0))[0] == entries.get("returned", (0, 0))[0]
            for opening in ("authorised", "accepted", "received"):
                assert entries.get(opening, (0, 0))[1] <= 1, entries
        for part in parts:
            share = shares[part.id]
            assert share.amount == part.total_amount
            method = payments[share.payment_id].method
            money = (share.status, share.captured, share.refunded, share.voided)
            allowed = allowed_shares(method, part.status, share.amount)
            assert money in allowed, (part.id, part.status, method, money)

        # The model's view: statuses of its SellerOrders and payments.
        status_of = {p.id: p.status for p in parts}
        assert {i: status_of[i] for i in self.parts} == {i: p.status for i, p in self.parts.items()}
        payment_of = {p.order_id: p for p in payments.values()}
        for purchase in self.purchases.values():
            payment = payment_of[purchase.id]
            assert payment.status == purchase.payment, (purchase.number, payment.status)
            assert payment.method == _money_method(purchase.method)
            assert payment.amount == purchase.total


def test_no_move_sequence_breaks_stock_payment_or_ledger_invariants(
    app: FastAPI, database: Database, settings: Settings
) -> None:
    """25 runs of up to 25 steps (a failure takes a few minutes to shrink to its minimum)."""
    runner = LoopThread()
    private = runner.run(_private(database.url))
    own_app = create_app(settings, database=private)
    client = runner.run(_client(own_app))
    try:
        OrderMachine.runner = runner
        OrderMachine.database = private
        OrderMachine.client = client
        OrderMachine.secret = settings.secret
        OrderMachine.operator, OrderMachine.shops = runner.run(_cast(client, private))
        run_state_machine_as_test(
            OrderMachine,
            settings=hypothesis.settings(
                max_examples=25,
                stateful_step_count=25,
                deadline=None,
                suppress_health_check=[HealthCheck.too_slow],
            ),
        )
    finally:
        runner.run(client.aclose())
        runner.run(private.dispose())
        runner.close()


async def _private(url: str) -> Database:
    return Database(url, pool_size=3)


async def _client(app: FastAPI) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    return httpx.AsyncClient(transport=transport, base_url="http://test")


async def _cast(client: httpx.AsyncClient, database: Database) -> tuple[Actor, list[Shop]]:
    """The operator, and the sellers with a warehouse and offers each (stocked per run)."""
    actors = Actors(client, database)
    operator = await actors.operator()
    shops = []
    for n, count in enumerate(OFFERS):
        owner = await actors.seller(f"Lifecycle {n}")
        warehouse = await inv.warehouse(client, owner, f"LC{n}")
        offers = []
        for _ in range(count):
            offer_id = await inv.offer(client, owner)
            read = await client.get(f"/api/v1/offers/{offer_id}", headers=owner.headers)
            assert read.status_code == 200, read.text
            offers.append(read.json())
        shops.append(Shop(owner, warehouse, offers))
    return operator, shops
