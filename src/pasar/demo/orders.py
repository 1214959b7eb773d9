"""Orders for the demo marketplace: buyers check out, pay every way, and orders reach every stage.

Like the rest of the demo, everything goes through the modules' public services: carts
through checkout's cart services, placing through `checkout.place_order` (stock is reserved,
the payment authorised and recorded), and every later move through `orders.transition`
with the caller who would make it: the buyer, the seller's staff, the operator or the
deadline sweep (`orders.expire_unpaid`). Parcels go through fulfilment: the seller packs a
shipment on the sandbox carrier and hands it over, and the carrier's scripted scans
(`fulfillment.record_tracking`, squeezed into the time the plan gives the parcel) deliver
it, or bring it back after a failed attempt. Parcels still on their way at the end are
brought up to date by the sandbox runner, and late ones flagged by the delay detector.
Money that arrives after placing (a bank transfer, a 3-D Secure answer) goes through
payments' sandbox services, `simulate_transfer` and `answer_challenge`: the signed
webhook's code path runs as in production and emits `payment.validated` for orders to
verify.

Time: carts, placing and moves all take `now`, so card and cash-on-delivery orders spread
over the last month with consistent timelines. Late payments cannot be back-dated
(payments and orders stamp them with the real clock), so bank-transfer and 3-D Secure
orders are placed within their payment deadline and paid at seeding time. Orders still
waiting for money are placed minutes ago, so the server's deadline sweep leaves them be
for a while (3-D Secure challenges expire after `payment_action_minutes`).
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from pasar import checkout, fulfillment, orders, payments
from pasar.demo.data import (
    BUYER_CANCEL_REASONS,
    BUYER_NAMES,
    DELIVERY_FAILURES,
    OPERATOR_CANCEL_REASONS,
    PLACES,
    SELLER_CANCEL_REASONS,
    STREETS,
    Place,
)
from pasar.identity import Principal, Role
from pasar.platform.db import Database
from pasar.platform.settings import Settings
from pasar.platform.time import utcnow

Progress = Callable[[str, int, int], None]

# How buyers pay: method -> share of orders, in percent. 3-D Secure is a card payment.
CARD, CARD_3DS, BANK_TRANSFER, COD = "card", "card_3ds", "bank_transfer", "cod"
METHOD_SHARES = ((CARD, 55), (BANK_TRANSFER, 20), (COD, 20), (CARD_3DS, 5))
METHOD_NAMES = {
    CARD: "card",
    CARD_3DS: "card with 3-D Secure",
    BANK_TRANSFER: "bank transfer",
    COD: "cash on delivery",
}

# Where an order ends up. Each fate is one final status of the order.
RECEIVED = "received"
VERIFIED = "verified"
PROCESSING = "processing"
SHIPPED = "shipped"
DELIVERED = "delivered"
COMPLETED = "completed"
DELIVERY_FAILED = "delivery_failed"
RETURNED = "returned_to_seller"
BUYER_CANCEL = "cancelled by the buyer"
SELLER_CANCEL = "cancelled by the seller"
OPERATOR_CANCEL = "cancelled by the operator"
EXPIRED = "expired unpaid"
CHALLENGE_FAILED = "3-D Secure failed"
CANCELLED = "cancelled"
STATUS_OF = {
    BUYER_CANCEL: CANCELLED,
    SELLER_CANCEL: CANCELLED,
    OPERATOR_CANCEL: CANCELLED,
    EXPIRED: CANCELLED,
    CHALLENGE_FAILED: CANCELLED,
}

#: method -> (fates every demo shows at least once, so each stage and way appears; the
#: share of each fate, in percent).
FATES: dict[str, tuple[tuple[str, ...], dict[str, int]]] = {
    CARD: (
        (COMPLETED, DELIVERED, SHIPPED, PROCESSING, VERIFIED, DELIVERY_FAILED, RETURNED,
         BUYER_CANCEL, SELLER_CANCEL, OPERATOR_CANCEL),
        {COMPLETED: 34, DELIVERED: 14, SHIPPED: 13, PROCESSING: 10, VERIFIED: 9,
         DELIVERY_FAILED: 4, RETURNED: 3, BUYER_CANCEL: 5, SELLER_CANCEL: 4, OPERATOR_CANCEL: 2},
    ),
    COD: (
        (DELIVERED, COMPLETED, RETURNED),
        {COMPLETED: 32, DELIVERED: 15, SHIPPED: 14, PROCESSING: 9, VERIFIED: 8,
         DELIVERY_FAILED: 8, RETURNED: 6, BUYER_CANCEL: 4, SELLER_CANCEL: 3, OPERATOR_CANCEL: 1},
    ),
    BANK_TRANSFER: (
        (RECEIVED, EXPIRED, VERIFIED),
        {RECEIVED: 22, VERIFIED: 32, PROCESSING: 24, SELLER_CANCEL: 5, BUYER_CANCEL: 6,
         EXPIRED: 11},
    ),
    CARD_3DS: (
        (RECEIVED, VERIFIED),
        {RECEIVED: 30, VERIFIED: 30, PROCESSING: 15, CHALLENGE_FAILED: 12, EXPIRED: 13},
    ),
}  # fmt: skip

# The journey after placing, as (move, hours after the previous move); the last move
# happens SINCE hours ago. Card and cash orders are verified when placed.
_PROCESS, _SHIP = ("process", (1.0, 20.0)), ("ship", (2.0, 30.0))
_DELIVER, _FAIL = ("deliver", (20.0, 90.0)), ("fail", (20.0, 70.0))
JOURNEYS: dict[str, tuple[tuple[str, tuple[float, float]], ...]] = {
    VERIFIED: (),
    PROCESSING: (_PROCESS,),
    SHIPPED: (_PROCESS, _SHIP),
    DELIVERED: (_PROCESS, _SHIP, _DELIVER),
    COMPLETED: (_PROCESS, _SHIP, _DELIVER, ("confirm", (2.0, 72.0))),
    DELIVERY_FAILED: (_PROCESS, _SHIP, _FAIL),
    RETURNED: (_PROCESS, _SHIP, _FAIL, ("return", (48.0, 120.0))),
    BUYER_CANCEL: (("buyer_cancel", (0.1, 12.0)),),
    SELLER_CANCEL: (("seller_cancel", (2.0, 30.0)),),
    OPERATOR_CANCEL: (("operator_cancel", (0.5, 24.0)),),
}
SINCE: dict[str, tuple[float, float]] = {
    VERIFIED: (0.1, 60.0),
    PROCESSING: (0.2, 48.0),
    SHIPPED: (1.0, 72.0),
    DELIVERED: (1.0, 120.0),  # within the completion window, or the sweep completes it
    COMPLETED: (1.0, 500.0),
    DELIVERY_FAILED: (1.0, 96.0),
    RETURNED: (24.0, 400.0),
    BUYER_CANCEL: (1.0, 600.0),
    SELLER_CANCEL: (1.0, 600.0),
    OPERATOR_CANCEL: (1.0, 600.0),
}
#: The oldest order, in days.
HORIZON_DAYS = 30

CARDS = ("4242 4242 4242 4242", "5555 5555 5555 4444")  # sandbox: authorised (Visa, MC)
CARD_3DS_NUMBER = "4000 0000 0000 3220"  # sandbox: asks for a 3-D Secure challenge
BUYER_COUNTRIES = {"ID": 80, "SG": 6, "MY": 6, "TH": 4, "PH": 4}
PHONES = {
    "ID": "+62 8{a}{b} {c:04d} {d:04d}",
    "SG": "+65 9{a}{b}{e} {c:04d}",
    "MY": "+60 1{a} {e}{b}{a} {c:04d}",
    "TH": "+66 8{a} {e}{b}{a} {c:04d}",
    "PH": "+63 9{a}{b} {e}{a}{b} {c:04d}",
}


@dataclass(frozen=True, slots=True)
class StockedOffer:
    """An offer the demo stocked, as the seeder knows it: who sells it, from which
    country, how many units and at what price (minor units)."""

    offer_id: int
    seller_id: int
    country: str
    quantity: int
    price: int


@dataclass
class OrderReport:
    """What `seed_orders` made, for the summary."""

    orders: int = 0
    seller_orders: int = 0
    #: Orders by overall status, as the API shows it (every cancellation is `cancelled`).
    by_status: Counter[str] = field(default_factory=Counter)
    #: How it was paid: card, card_3ds, bank_transfer, cod.
    by_method: Counter[str] = field(default_factory=Counter)
    #: Cancelled orders by who or what cancelled them.
    cancelled: Counter[str] = field(default_factory=Counter)
    #: Parcels shipped, carrier scans recorded after seeding, parcels flagged as late.
    parcels: int = 0
    scans: int = 0
    delayed: int = 0
    skipped: str | None = None


@dataclass(frozen=True)
class _Buyer:
    contact: checkout.Contact
    principal: Principal | None
    caller: orders.Caller


@dataclass
class _Part:
    seller_id: int
    lines: list[tuple[StockedOffer, int]]
    service: str
    #: (move, when); when None the move follows a late payment, on the real clock.
    journey: list[tuple[str, datetime | None]] = field(default_factory=list)


@dataclass
class _Order:
    method: str
    fate: str
    buyer: _Buyer
    parts: list[_Part]
    placed_at: datetime
    #: What happens to the payment after placing: "transfer" (the money arrives),
    #: "pass" / "fail" (the 3-D Secure answer), "expire" (the deadline passes) or None.
    payment: str | None = None
    expire_at: datetime | None = None


async def seed_orders(
    database: Database,
    settings: Settings,
    rng: random.Random,
    offers: Sequence[StockedOffer],
    *,
    count: int,
    operator_id: int,
    accounts: Sequence[tuple[int, str, str]] = (),
    progress: Progress | None = None,
) -> OrderReport:
    """Place about `count` orders from `offers` (sellable sellers' stocked offers) and move
    them through the lifecycle. `accounts` are demo buyers (user id, name, email) who get a
    few of the orders; everyone else checks out as a guest. Deterministic for `rng`."""
    report = OrderReport()
    if count <= 0:
        return report
    if not settings.payments_sandbox:
        report.skipped = "the payment sandbox is off (PASAR_PAYMENTS_SANDBOX)"
        return report
    now = utcnow().replace(microsecond=0)
    planner = _Planner(rng, settings, offers, now, accounts)
    plans = sorted(planner.plan(count), key=lambda o: o.placed_at)
    runner = _Runner(database, settings, rng, operator_id, report)
    async with database.sessionmaker() as session:
        for done, plan in enumerate(plans, start=1):
            await runner.run(session, plan)
            if progress is not None:
                progress("orders", done, len(plans))
    report.parcels = len(runner.parcels)
    now = utcnow()
    while True:  # parcels still under way: the scans due by now, in bounded batches
        async with database.sessionmaker() as session:
            scans = await fulfillment.advance_sandbox(session, now=now, config=runner.fulfillment)
        report.scans += scans
        if not scans:
            break
    async with database.sessionmaker() as session:
        report.delayed = await fulfillment.detect_delays(
            session, now=now, config=runner.fulfillment
        )
    return report


# --- planning: pure, from the random stream -------------------------------------------------


class _Planner:
    def __init__(
        self,
        rng: random.Random,
        settings: Settings,
        offers: Sequence[StockedOffer],
        now: datetime,
        accounts: Sequence[tuple[int, str, str]],
    ) -> None:
        self.rng, self.settings, self.now = rng, settings, now
        # Enough stock for a few orders each: a demo order never empties a shelf.
        self.left = {o.offer_id: o.quantity for o in offers}
        self.shelves: dict[str, dict[int, list[StockedOffer]]] = {}
        for offer in offers:
            if offer.quantity >= 5:
                self.shelves.setdefault(offer.country, {}).setdefault(offer.seller_id, [])
                self.shelves[offer.country][offer.seller_id].append(offer)
        self.countries = [c for c in BUYER_COUNTRIES if c in self.shelves]
        self.accounts = [self._account(*a) for a in accounts]
        self.emails: set[str] = set()

    def plan(self, count: int) -> list[_Order]:
        if not self.countries:
            return []
        rng = self.rng
        pool = [self._guest() for _ in range(max(1, count * 3 // 4))]
        methods = _quotas(dict(METHOD_SHARES), count, [m for m, _ in METHOD_SHARES])
        fates = {m: _fates(rng, m, n) for m, n in methods.items()}
        planned: list[_Order] = []
        for method in [m for m, n in methods.items() for _ in range(n)]:
            fate = fates[method].pop()
            for _ in range(5):  # a buyer whose country's shelves are bare buys nothing
                buyer = (
                    rng.choice(self.accounts)
                    if self.accounts and rng.random() < 0.06
                    else rng.choice(pool)
                )
                order = self._order(method, fate, buyer)
                if order is not None:
                    planned.append(order)
                    break
        return planned

    # buyers

    def _account(self, user_id: int, name: str, email: str) -> _Buyer:
        place = PLACES[self.rng.randrange(2)]  # Jakarta or Bandung
        contact = self._contact(name, email, place)
        principal = Principal(role=Role.BUYER, user_id=user_id)
        return _Buyer(contact, principal, orders.Caller(orders.Actor.BUYER, f"user:{user_id}"))

    def _guest(self) -> _Buyer:
        rng = self.rng
        weights = [BUYER_COUNTRIES[c] for c in self.countries]
        country = rng.choices(self.countries, weights)[0]
        place = rng.choice([p for p in PLACES if p.country == country])
        given, family = BUYER_NAMES[country]
        first, last = rng.choice(given), rng.choice(family)
        name = f"{first} {last}".strip()
        handle = ".".join(part.replace(" ", "").lower() for part in (first, last) if part)
        email = f"{handle}@example.com"
        while email in self.emails:
            email = f"{handle}{rng.randint(2, 99)}@example.com"
        self.emails.add(email)
        return _Buyer(self._contact(name, email, place), None, orders.GUEST)

    def _contact(self, name: str, email: str, place: Place) -> checkout.Contact:
        rng = self.rng
        streets, pattern = STREETS[place.country]
        line1 = pattern.format(street=rng.choice(streets), number=rng.randint(1, 250))
        line2 = None
        if place.country == "ID" and rng.random() < 0.5:
            line2 = f"RT {rng.randint(1, 12):02d}/RW {rng.randint(1, 9):02d}"
        elif place.country == "SG":
            line2 = f"#{rng.randint(2, 25):02d}-{rng.randint(1, 180):02d}"
        phone = PHONES[place.country].format(
            a=rng.randint(1, 9),
            b=rng.randint(0, 9),
            c=rng.randint(0, 9999),
            d=rng.randint(0, 9999),
            e=rng.randint(1, 9),
        )
        return checkout.Contact(
            email=email,
            phone=phone,
            name=name,
            line1=line1,
            line2=line2,
            city=place.city,
            region=place.region,
            postal_code=place.postal_code,
            country=place.country,
        )

    # one order

    def _order(self, method: str, fate: str, buyer: _Buyer) -> _Order | None:
        rng = self.rng
        shelves = self.shelves.get(buyer.contact.country)
        if not shelves:
            return None
        sellers = rng.sample(
            sorted(shelves), k=min(len(shelves), _pick(rng, {1: 65, 2: 25, 3: 10}))
        )
        budget = self.settings.cod_limit - 4_000 * len(sellers) if method == COD else None
        parts = []
        for seller_id in sellers:
            lines = self._lines(shelves[seller_id], budget)
            if not lines:
                continue
            if budget is not None:
                budget -= sum(o.price * q for o, q in lines)
            service = "expedited" if rng.random() < 0.25 else "standard"
            parts.append(_Part(seller_id, lines, service))
        if not parts:
            return None
        for part in parts:
            for offer, quantity in part.lines:
                self.left[offer.offer_id] -= quantity
        order = _Order(method, fate, buyer, parts, self.now)
        if method in (BANK_TRANSFER, CARD_3DS) and fate != BUYER_CANCEL:
            self._late(order)
        else:
            self._journeys(order)
        return order

    def _lines(
        self, shelf: list[StockedOffer], budget: int | None
    ) -> list[tuple[StockedOffer, int]]:
        rng = self.rng
        lines: dict[int, tuple[StockedOffer, int]] = {}
        wanted = 1 if rng.random() < 0.85 else 2
        for _ in range(wanted * 6):  # a few tries: the shelf may be bare or over budget
            if len(lines) == wanted:
                break
            offer = rng.choice(shelf)
            quantity = _pick(rng, {1: 70, 2: 22, 3: 8})
            cost = offer.price * quantity
            if offer.offer_id in lines or self.left[offer.offer_id] - quantity < 2:
                continue
            if budget is not None and cost > budget - sum(o.price * q for o, q in lines.values()):
                continue
            lines[offer.offer_id] = (offer, quantity)
        return list(lines.values())

    def _hours(self, low: float, high: float) -> timedelta:
        return timedelta(seconds=int(self.rng.uniform(low, high) * 3600))

    def _journeys(self, order: _Order) -> None:
        """A card or cash order's moves, all in the past: the slowest part's last move
        happened SINCE ago; other parts move at their own (similar) pace."""
        rng, now = self.rng, self.now
        steps = list(JOURNEYS[order.fate])
        if order.fate in (DELIVERED, COMPLETED) and rng.random() < 0.12:
            # The first attempt failed and the seller sent it again.
            steps[2:2] = [_FAIL, ("reship", (8.0, 30.0))]
        if order.fate == SELLER_CANCEL and rng.random() < 0.5:
            steps.insert(0, _PROCESS)
        base = [(move, self._hours(*hours)) for move, hours in steps]
        gaps = [[(move, gap * rng.uniform(0.85, 1.15)) for move, gap in base] for _ in order.parts]
        longest = max((sum((g for _, g in p), timedelta()) for p in gaps), default=timedelta())
        since = self._hours(*SINCE[order.fate])
        # Delivered parcels stay inside the completion window, or the sweep completes them.
        window = timedelta(days=self.settings.completion_days, hours=-12)
        if order.fate == DELIVERED:
            since = min(since, max(window / 2, timedelta(hours=1)))
        placed = max(now - since - longest, now - timedelta(days=HORIZON_DAYS))
        order.placed_at = placed
        latest = now - timedelta(minutes=1)
        for part, part_gaps in zip(order.parts, gaps, strict=True):
            times, at = [], placed
            for _, gap in part_gaps:
                at += gap
                times.append(at)
            late = now - window - at  # a faster part: its seller started later
            if order.fate == DELIVERED and late > timedelta():
                times = [t + late for t in times]
            moves = [move for move, _ in part_gaps]
            part.journey = [(m, min(t, latest)) for m, t in zip(moves, times, strict=True)]
        if (
            len(order.parts) > 1
            and order.fate not in (VERIFIED, BUYER_CANCEL, SELLER_CANCEL, OPERATOR_CANCEL)
            and rng.random() < 0.2
        ):
            # One seller could not fulfil its part: the rest of the order goes on.
            odd = order.parts[-1]
            odd.journey = [("seller_cancel", min(placed + self._hours(1.0, 20.0), latest))]

    def _late(self, order: _Order) -> None:
        """Bank transfer or 3-D Secure: placed within the payment deadline, paid now —
        or placed long ago and expired, or left waiting (placed minutes ago)."""
        rng, now, fate = self.rng, self.now, order.fate
        transfer = order.method == BANK_TRANSFER
        deadline = (
            timedelta(hours=self.settings.bank_transfer_hours)
            if transfer
            else timedelta(minutes=self.settings.payment_action_minutes)
        )
        if fate == EXPIRED:
            placed = now - timedelta(days=2) - self._hours(0.0, 26 * 24.0)
            order.placed_at, order.payment = placed, "expire"
            order.expire_at = placed + deadline + self._hours(0.02, 0.1)
            return
        if fate == RECEIVED:
            waited = min(deadline * 0.3, timedelta(minutes=55))
            order.placed_at = now - waited * rng.uniform(0.05, 1.0)
            return
        order.placed_at = now - deadline * rng.uniform(0.2, 0.7)
        order.payment = "fail" if fate == CHALLENGE_FAILED else "pass"
        if transfer:
            order.payment = "transfer"
        moves = {PROCESSING: ["process"], SELLER_CANCEL: ["seller_cancel"]}.get(fate, [])
        for part in order.parts:  # after the late payment: on the real clock
            part.journey = [(move, None) for move in moves]


def _quotas(shares: dict[str, int], count: int, musts: Sequence[str] = ()) -> dict[str, int]:
    """`count` split by `shares`, rounded by largest remainder (the same mix at any size);
    then each of `musts` (as far as `count` goes) at least once."""
    total = sum(shares.values())
    exact = {k: count * share / total for k, share in shares.items()}
    quotas = {k: int(v) for k, v in exact.items()}
    for k in sorted(exact, key=lambda k: quotas[k] - exact[k])[: count - sum(quotas.values())]:
        quotas[k] += 1
    kept = set(musts[:count])
    for k in musts[:count]:
        if quotas[k] == 0:
            # One from the largest quota that can spare it (a must keeps at least one).
            spare = max((r for r in quotas if quotas[r] > (r in kept)), key=quotas.__getitem__)
            quotas[spare] -= 1
            quotas[k] = 1
    return quotas


def _fates(rng: random.Random, method: str, count: int) -> list[str]:
    """`count` fates for a method, in random order (popped from the end)."""
    musts, shares = FATES[method]
    chosen = [fate for fate, n in _quotas(shares, count, musts).items() for _ in range(n)]
    rng.shuffle(chosen)
    return chosen


def _pick(rng: random.Random, weights: dict[int, int]) -> int:
    return rng.choices(list(weights), list(weights.values()))[0]


# --- running: the services, in the order things happened -------------------------------------


class _Runner:
    def __init__(
        self,
        database: Database,
        settings: Settings,
        rng: random.Random,
        operator_id: int,
        report: OrderReport,
    ) -> None:
        self.settings, self.rng, self.report = settings, rng, report
        self.checkout = checkout.CheckoutConfig.from_settings(settings)
        self.payments = payments.PaymentConfig.from_settings(settings)
        self.operator = orders.Caller(orders.Actor.OPERATOR, f"user:{operator_id}")
        self.fulfillment = fulfillment.FulfillmentConfig.from_settings(settings)
        sandbox = self.fulfillment.carriers.sandbox
        assert sandbox is not None, "the demo ships with the sandbox carrier"
        self.sandbox = sandbox
        #: SellerOrder id -> its latest parcels: (tracking number, when handed over).
        self.parcels: dict[int, list[tuple[str, datetime]]] = {}

    async def run(self, session: AsyncSession, plan: _Order) -> None:
        placed = await self._place(session, plan)
        parts = {so["seller_id"]: so["id"] for so in placed["seller_orders"]}
        if plan.payment == "transfer":
            transfer = placed["payment"]["instructions"]
            await payments.simulate_transfer(
                session,
                virtual_account=transfer["virtual_account"],
                amount=transfer["amount"],
                currency=transfer["currency"],
                config=self.payments,
                now=utcnow(),
            )
        elif plan.payment in ("pass", "fail"):
            action = placed["payment"]["next_action"]
            await payments.answer_challenge(
                session,
                token=action["url"].rsplit("/", 1)[-1],
                passed=plan.payment == "pass",
                now=utcnow(),
            )
        elif plan.payment == "expire":
            assert plan.expire_at is not None
            expired = await orders.expire_unpaid(session, now=plan.expire_at)
            if expired != len(parts):  # only this order waits past its deadline
                raise RuntimeError(f"demo: the deadline sweep cancelled {expired} parts")
        for part in plan.parts:
            for move, at in part.journey:
                await self._move(session, plan, part, parts[part.seller_id], move, at)
        await session.commit()
        self._count(plan, len(parts))

    def _count(self, plan: _Order, parts: int) -> None:
        status = STATUS_OF.get(plan.fate, plan.fate)
        self.report.orders += 1
        self.report.seller_orders += parts
        self.report.by_status[status] += 1
        self.report.by_method[plan.method] += 1
        if status == CANCELLED:
            self.report.cancelled[plan.fate] += 1

    async def _place(self, session: AsyncSession, plan: _Order) -> dict[str, Any]:
        buyer, config = plan.buyer, self.checkout
        at = plan.placed_at - timedelta(minutes=self.rng.randint(2, 20))  # browsing first
        cart, _ = await checkout.create_cart(
            session, principal=buyer.principal, config=config, now=at, idempotency_key=None
        )
        # The address first: pricing an empty cart is cheapest.
        await checkout.set_contact(
            session,
            cart.token,
            principal=buyer.principal,
            contact=buyer.contact,
            config=config,
            now=at,
        )
        for part in plan.parts:
            for offer, quantity in part.lines:
                await checkout.add_line(
                    session,
                    cart.token,
                    principal=buyer.principal,
                    offer_id=offer.offer_id,
                    quantity=quantity,
                    config=config,
                    now=at,
                    idempotency_key=None,
                )
        priced = await checkout.choose_delivery(
            session,
            cart.token,
            principal=buyer.principal,
            choices=[(p.seller_id, p.service) for p in plan.parts],
            config=config,
            now=at,
        )
        if plan.method == COD and priced.grand_total > self.payments.cod_limit:
            plan.method = CARD  # the budget kept this from happening; never refuse the demo
        body = checkout.PlaceOrder(payment=self._payment(plan), expected_total=priced.grand_total)
        return await checkout.place_order(
            session,
            cart.token,
            body,
            principal=buyer.principal,
            config=config,
            payment_config=self.payments,
            secret=self.settings.secret,
            idempotency_key=None,
            now=plan.placed_at,
        )

    def _payment(self, plan: _Order) -> payments.PaymentDetails:
        if plan.method in (BANK_TRANSFER, COD):
            return payments.PaymentDetails.model_validate({"method": plan.method})
        rng = self.rng
        number = CARD_3DS_NUMBER if plan.method == CARD_3DS else rng.choice(CARDS)
        card = {
            "number": number,
            "exp_month": rng.randint(1, 12),
            "exp_year": plan.placed_at.year + rng.randint(2, 5),
            "cvc": f"{rng.randint(100, 999)}",
            "holder": plan.buyer.contact.name.upper(),
        }
        return payments.PaymentDetails.model_validate({"method": "card", "card": card})

    async def _move(
        self,
        session: AsyncSession,
        plan: _Order,
        part: _Part,
        seller_order_id: int,
        move: str,
        at: datetime | None,
    ) -> None:
        rng, a = self.rng, orders.Action
        seller = orders.Caller(orders.Actor.SELLER, f"seller:{part.seller_id}")
        when = at if at is not None else utcnow()
        args: dict[str, Any] = {}
        if move in ("ship", "reship"):
            await self._ship(session, part, seller_order_id, seller, when)
            return
        if move in ("deliver", "fail"):
            await self._scans(session, seller_order_id, when, delivered=move == "deliver")
            return
        if move == "process" and plan.fate == PROCESSING and rng.random() < 0.5:
            # Packed and labelled with the carrier the buyer chose, waiting for its pick-up
            # (no sandbox scans come for it): one still waiting after its ship-by day is
            # flagged by the delay detector.
            await self._pack(session, part, seller_order_id, seller, when, carrier=None)
            return
        if move == "process":
            action, caller = a.PROCESS, seller
        elif move == "return":
            action, caller = a.RETURN_TO_SELLER, seller
            args["reason"] = "Returned to the seller after the failed delivery"
        elif move == "confirm":
            action, caller = a.COMPLETE, plan.buyer.caller
        elif move == "buyer_cancel":
            action, caller = a.CANCEL, plan.buyer.caller
            args["reason"] = rng.choice(BUYER_CANCEL_REASONS)
        elif move == "seller_cancel":
            action, caller = a.CANCEL, seller
            args["reason"] = rng.choice(SELLER_CANCEL_REASONS)
        elif move == "operator_cancel":
            action, caller = a.CANCEL, self.operator
            args["reason"] = rng.choice(OPERATOR_CANCEL_REASONS)
        else:  # pragma: no cover - the journeys above name every move
            raise ValueError(move)
        if caller is seller:
            args["seller_id"] = part.seller_id
        await orders.transition(session, [seller_order_id], action, caller, now=when, **args)

    async def _ship(
        self,
        session: AsyncSession,
        part: _Part,
        seller_order_id: int,
        seller: orders.Caller,
        when: datetime,
    ) -> None:
        """The seller packs one box per warehouse holding the order (the sandbox carrier
        collects each) and hands them over together."""
        ids = await self._pack(
            session, part, seller_order_id, seller, when, carrier=self.sandbox.code
        )
        await fulfillment.hand_over(session, ids, seller_id=part.seller_id, caller=seller, now=when)
        self.parcels[seller_order_id] = []
        for shipment_id in ids:
            parcel = await fulfillment.read_shipment(
                session, shipment_id, seller_id=part.seller_id, config=self.fulfillment
            )
            self.parcels[seller_order_id].append((parcel.tracking_number, when))

    async def _pack(
        self,
        session: AsyncSession,
        part: _Part,
        seller_order_id: int,
        seller: orders.Caller,
        when: datetime,
        *,
        carrier: str | None,
    ) -> list[int]:
        """Labels for the order: one box per warehouse holding its lines. `carrier` None:
        the one the buyer's delivery option named."""
        (order,) = await orders.fulfilment_orders(session, ids=[seller_order_id])
        boxes: dict[int, list[fulfillment.LineSpec]] = defaultdict(list)
        for line in order.lines:
            left = line.quantity
            for held in order.held:
                if held.offer_id == line.offer_id and left > 0:
                    take = min(held.quantity, left)
                    boxes[held.warehouse_id].append(fulfillment.LineSpec(line.order_line_id, take))
                    left -= take
        ids = []
        for warehouse_id, lines in sorted(boxes.items()):
            grams = sum(spec.quantity for spec in lines) * self.rng.randint(300, 1500)
            ids.append(
                await fulfillment.create_shipment(
                    session,
                    seller_order_id=seller_order_id,
                    seller_id=part.seller_id,
                    packages=[fulfillment.PackageSpec(weight_grams=grams)],
                    lines=lines,
                    carrier=carrier,
                    service=None,
                    warehouse_id=warehouse_id,
                    caller=seller,
                    now=when,
                    config=self.fulfillment,
                )
            )
        return ids

    async def _scans(
        self, session: AsyncSession, seller_order_id: int, when: datetime, *, delivered: bool
    ) -> None:
        """The sandbox carrier's script for the parcel, sped up to end at `when`: delivered,
        or (a failed delivery) attempted and sent back to the seller."""
        updates: list[fulfillment.TrackingUpdate] = []
        for tracking, handed_at in self.parcels[seller_order_id]:
            updates += self._script(tracking, handed_at, when, delivered=delivered)
        await fulfillment.record_tracking(
            session, updates, now=when, config=self.fulfillment, source="carrier:sandbox"
        )

    def _script(
        self, tracking: str, handed_at: datetime, when: datetime, *, delivered: bool
    ) -> list[fulfillment.TrackingUpdate]:
        script = self.sandbox.script(tracking, handed_at)
        took = (script[-1].occurred_at - handed_at).total_seconds()
        room = max((when - handed_at).total_seconds(), 60.0)
        updates = self.sandbox.script(tracking, handed_at, speedup=max(took / room, 1e-3))
        if not delivered:
            updates = [u for u in updates if u.status is not fulfillment.TrackingStatus.DELIVERED]
            last = updates[-1]
            for n, (status, description) in enumerate(
                (
                    (
                        fulfillment.TrackingStatus.DELIVERY_ATTEMPTED,
                        self.rng.choice(DELIVERY_FAILURES),
                    ),
                    (fulfillment.TrackingStatus.RETURNED_TO_SENDER, "Returned to the sender"),
                ),
                start=1,
            ):
                updates.append(
                    fulfillment.TrackingUpdate(
                        carrier=last.carrier,
                        tracking_number=tracking,
                        event_id=f"{tracking}-demo-{n}",
                        code=status.value.upper(),
                        status=status,
                        description=description,
                        location=last.location,
                        occurred_at=max(when - timedelta(hours=2 - n), last.occurred_at),
                    )
                )
        return updates
