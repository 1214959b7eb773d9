"""Order batches from trusted channels: many orders, one transaction, each all or nothing.

The same guarantees as a buyer's checkout, paid for once per batch instead of once per
order: claim the external ids (duplicates answer with the order placed before), price every
line from the offers as they are now and each seller's parcel with checkout's delivery
rule (the requested service, else the cheapest), lock the stock rows of the whole batch
in id order and serve the orders in request order — an order gets all its lines or is
rejected, never oversold — then write everything with one COPY per table and commit.
A bad order is answered `rejected` with a problem; it never fails the others.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from operator import attrgetter
from typing import Any, cast

from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncSession

from pasar import catalog, fulfillment, inventory, orders, payments, sellers
from pasar.checkout.batch_schemas import BatchOrder, OrderBatch
from pasar.checkout.config import CheckoutConfig
from pasar.checkout.delivery import shop_delivery
from pasar.checkout.views import DeliveryOption
from pasar.platform.bulk import load_rows
from pasar.platform.events import Dispatcher, DomainEvent
from pasar.platform.outbox import OutboxEvent


@dataclass(frozen=True, slots=True)
class _Parcel:
    offer_id: int
    weight_grams: int
    quantity: int


class _Rejected(Exception):
    def __init__(self, code: str, title: str, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.problem = {"type": f"/problems/{code}", "title": title, "detail": detail, **extra}


Answer = tuple[tuple[DeliveryOption, ...], str | None]


@dataclass(frozen=True, slots=True)
class _Context:
    quotes: dict[int, catalog.OfferQuote]
    profiles: dict[int, sellers.ShippingProfile]
    origins: dict[int, inventory.ShipOrigin]
    config: CheckoutConfig
    payment_config: payments.PaymentConfig
    now: datetime
    #: Delivery answers: the minute's, shared with other batches (`_Shared`), and this one's.
    shared: dict[tuple[Any, ...], Answer]
    delivery: dict[tuple[Any, ...], Answer] = dataclasses.field(default_factory=dict)
    weights: dict[int, tuple[Any, ...]] = dataclasses.field(default_factory=dict)


async def place_batch(
    session: AsyncSession,
    batch: OrderBatch,
    *,
    config: CheckoutConfig,
    payment_config: payments.PaymentConfig,
    actor: str,
    now: datetime,
) -> dict[str, Any]:
    """Place what can be placed, answer every order, commit once."""
    try:
        answer = await _run(session, batch, config, payment_config, actor, now)
        await session.commit()
    except BaseException:
        await session.rollback()
        raise
    return answer


async def _run(
    session: AsyncSession,
    batch: OrderBatch,
    config: CheckoutConfig,
    payment_config: payments.PaymentConfig,
    actor: str,
    now: datetime,
) -> dict[str, Any]:
    channel = batch.channel
    first: dict[str, int] = {}
    for i, o in enumerate(batch.orders):
        first.setdefault(o.external_id, i)
    claims = await orders.claim_imports(session, channel, list(first), now=now)
    fresh = [i for e, i in first.items() if claims[e].fresh]
    offer_ids = sorted({line.offer_id for i in fresh for line in batch.orders[i].lines})
    quotes = await catalog.quote_offers(session, offer_ids)
    profiles = await sellers.shipping_profiles(session, [q.seller_id for q in quotes.values()])
    origins = await inventory.ship_origins(session, offer_ids)
    shared = _SHARED.for_batch(config, now)
    context = _Context(quotes, profiles, origins, config, payment_config, now, shared)
    problems: dict[int, dict[str, Any]] = {}
    drafts: dict[int, orders.OrderDraft] = {}
    for i in fresh:
        try:
            drafts[i] = _draft(batch.orders[i], context)
        except _Rejected as rejected:
            problems[i] = rejected.problem
    priced = sorted(drafts)
    outcome = await inventory.reserve_many(
        session,
        [
            inventory.BatchReservation(
                claims[batch.orders[i].external_id].number,
                [
                    inventory.ReservationLine(line.offer_id, line.quantity)
                    for group in sorted(drafts[i].seller_orders, key=lambda g: g.seller_id)
                    for line in group.lines
                ],
            )
            for i in priced
        ],
        actor=actor,
    )
    placements: list[orders.BatchPlacement] = []
    for i, held in zip(priced, outcome.held, strict=True):
        if isinstance(held, inventory.InsufficientStock):
            problems[i] = {
                "type": "/problems/insufficient-stock",
                "title": "Insufficient stock",
                "detail": str(held),
                **held.extra,
            }
            continue
        claim = claims[batch.orders[i].external_id]
        placements.append(
            orders.BatchPlacement(
                order_id=claim.order_id,
                number=claim.number,
                draft=drafts[i],
                reservations=held,
                verified=True,
                payment_due_at=None,
                actor_ref=actor,
            )
        )
    await orders.release_imports(session, channel, [batch.orders[i].external_id for i in problems])
    placed, order_events = await orders.place_many(session, placements, now=now)
    payment_events = await payments.record_settled(
        session,
        [
            payments.SettledPayment(
                order_id=p.id,
                order_number=p.number,
                method=payments.PaymentMethod(batch.orders[i].payment.method),
                amount=drafts[i].total_amount,
                currency=drafts[i].currency,
                allocations=[
                    payments.Allocation(so.id, so.seller_id, so.total_amount, so.commission_amount)
                    for so in p.seller_orders
                ],
                reference=batch.orders[i].payment.reference or batch.orders[i].external_id,
            )
            for i, p in zip([i for i in priced if i not in problems], placed, strict=True)
        ],
        actor=actor,
        now=now,
    )
    events: list[DomainEvent] = [*outcome.events, *order_events, *payment_events]
    await _emit(session, events, now)
    totals = {batch.orders[i].external_id: drafts[i].total_amount for i in drafts}
    return _answer(batch, first, claims, problems, totals)


def _answer(
    batch: OrderBatch,
    first: dict[str, int],
    claims: dict[str, orders.Claim],
    problems: dict[int, dict[str, Any]],
    totals: dict[str, int],
) -> dict[str, Any]:
    """The `BatchAnswer`, built as plain JSON (a thousand models cost more than the SQL)."""
    results: list[dict[str, Any]] = []
    counts: dict[str, int] = defaultdict(int)
    for i, o in enumerate(batch.orders):
        origin = first[o.external_id]
        claim = claims[o.external_id]
        result: dict[str, Any] = {"index": i, "external_id": o.external_id}
        if origin in problems:
            result |= {"status": "rejected", "order_id": None, "number": None}
            result |= {"total_amount": None, "problem": problems[origin]}
        else:
            fresh = claim.fresh and origin == i
            result |= {"status": "placed" if fresh else "duplicate", "order_id": claim.order_id}
            result |= {"number": claim.number, "total_amount": totals.get(o.external_id)}
            result["problem"] = None
        counts[result["status"]] += 1
        results.append(result)
    return {
        "channel": batch.channel,
        "placed": counts["placed"],
        "duplicates": counts["duplicate"],
        "rejected": counts["rejected"],
        "results": results,
    }


def _draft(order: BatchOrder, c: _Context) -> orders.OrderDraft:
    """The order as checkout would price it now, or _Rejected saying why not."""
    by_seller: dict[int, list[orders.LineDraft]] = defaultdict(list)
    parcels: dict[int, list[_Parcel]] = defaultdict(list)
    for line in order.lines:
        quote = c.quotes.get(line.offer_id)
        if quote is None:
            raise _Rejected(
                "offer-not-found",
                "Offer not found",
                f"Offer {line.offer_id} does not exist.",
                offer_id=line.offer_id,
            )
        profile = c.profiles.get(quote.seller_id)
        if quote.reason is not None or profile is None or not profile.sellable:
            why = quote.reason or "seller_unavailable"
            raise _Rejected(
                "offer-not-purchasable",
                "Offer not purchasable",
                f"Offer {line.offer_id} cannot be bought now ({why}).",
                offer_id=line.offer_id,
                reason=why,
            )
        by_seller[quote.seller_id].append(
            orders.LineDraft(
                offer_id=line.offer_id,
                product_id=quote.product_id,
                variant_id=quote.variant_id,
                title=quote.title,
                sku=quote.sku,
                fulfilled_by=quote.fulfilled_by,
                quantity=line.quantity,
                unit_amount=quote.price_amount,
            )
        )
        weight = quote.weight_grams if quote.weight_grams is not None else c.config.default_grams
        parcels[quote.seller_id].append(_Parcel(line.offer_id, weight, line.quantity))
    wanted = {d.seller_id: d.service for d in order.delivery}
    a = order.address
    destination = fulfillment.Place(a.country, a.region, a.city, a.postal_code)
    groups = []
    for seller_id, lines in by_seller.items():
        profile = c.profiles[seller_id]
        items_total = sum(line.line_amount for line in lines)
        options, refusal = _delivery(c, profile, parcels[seller_id], items_total, destination)
        chosen = _choose(options, wanted.get(seller_id), seller_id, refusal)
        groups.append(
            orders.SellerOrderDraft(
                seller_id=seller_id,
                seller_name=profile.name,
                lines=lines,
                delivery_service=chosen.service,
                delivery_name=chosen.name,
                carrier=chosen.carrier,
                shipping_amount=chosen.price,
                ship_by=chosen.ship_by,
                promised_date=chosen.promised_date,
                commission_amount=payments.commission_for(items_total, c.config.commission_bps),
            )
        )
    draft = orders.OrderDraft(
        buyer_user_id=None,
        email=str(order.email),
        phone=order.phone,
        address=a.model_dump(),
        currency=c.config.currency,
        payment_method=order.payment.method,
        seller_orders=groups,
        language=order.language or c.config.default_locale,
    )
    if order.payment.method == "cod" and draft.total_amount > c.payment_config.cod_limit:
        raise _Rejected(
            "cod-not-available",
            "Cash on delivery not available",
            f"Cash on delivery is available up to {c.payment_config.cod_limit}; "
            f"this order is {draft.total_amount}.",
            limit=c.payment_config.cod_limit,
        )
    return draft


@dataclass(slots=True)
class _Shared:
    """Delivery answers shared by the batches of one minute, for one carrier set and
    calendar: only those `fulfillment.shop_rates` itself holds for the minute."""

    minute: datetime | None = None
    carriers: object = None
    calendar: tuple[Any, ...] = ()
    answers: dict[tuple[Any, ...], Answer] = dataclasses.field(default_factory=dict)

    def for_batch(self, config: CheckoutConfig, now: datetime) -> dict[tuple[Any, ...], Answer]:
        minute = now.replace(second=0, microsecond=0)
        calendar = (config.holidays, config.currency, config.default_grams)
        shopped = config.carriers.shopped
        stale = minute != self.minute or shopped is not self.carriers
        if stale or calendar != self.calendar or len(self.answers) >= SHARED_SIZE:
            self.minute, self.carriers, self.calendar, self.answers = minute, shopped, calendar, {}
        return self.answers


SHARED_SIZE = 4096
_SHARED = _Shared()


def _delivery(
    c: _Context,
    profile: sellers.ShippingProfile,
    parcels: list[_Parcel],
    items_total: int,
    destination: fulfillment.Place,
) -> Answer:
    """Checkout's delivery rule, remembered: parcels from the same places (the lines'
    warehouses, or the seller's address for a line without one), handled as fast, of a
    weight the carriers price alike, to the same place get the same options (rate
    shopping was most of a batch's Python time). The items total matters only through
    free shipping. Answers rate shopping holds for the minute serve later batches too."""
    free = c.config.free_standard_from is not None and items_total >= c.config.free_standard_from
    grams = sum(p.weight_grams * p.quantity for p in parcels)
    weights = c.weights.get(grams)
    if weights is None:
        weights = c.weights[grams] = fulfillment.weight_class(c.config.carriers.shopped, grams)
    places: set[tuple[Any, ...]] = set()
    for p in parcels:
        if (o := c.origins.get(p.offer_id)) is not None:
            places.add((o.country, o.region, o.postal_code, o.time_zone, o.cut_off_time))
        else:
            here = (profile.country, profile.region, profile.ship_from_timezone)
            places.add((*here, profile.cut_off_time))
    key = (frozenset(places), profile.handling_days, weights, free, destination)
    found = c.delivery.get(key) or c.shared.get(key)
    if found is None:
        found = c.delivery[key] = shop_delivery(
            lines=parcels,
            items_total=items_total,
            profile=profile,
            origins=c.origins,
            destination=destination,
            config=c.config,
            now=c.now,
        )
        if fulfillment.holds_for_the_minute(found):
            c.shared[key] = found
    return found


def _choose(
    options: Sequence[DeliveryOption], service: str | None, seller_id: int, refusal: str | None
) -> DeliveryOption:
    if not options:
        raise _Rejected(
            "no-delivery",
            "No delivery",
            f"Seller {seller_id} cannot deliver to this address ({refusal or 'no option'}).",
            seller_id=seller_id,
        )
    if service is None:
        return min(options, key=lambda o: (o.price, o.promised_date))
    for option in options:
        if option.service == service:
            return option
    raise _Rejected(
        "invalid-delivery-choice",
        "Invalid delivery choice",
        f"Seller {seller_id} does not offer {service!r} here; "
        f"choose one of {', '.join(o.service for o in options)}.",
        seller_id=seller_id,
        offered=[o.service for o in options],
    )


OUTBOX = cast(Table, OutboxEvent.__table__)


async def _emit(session: AsyncSession, events: Sequence[DomainEvent], now: datetime) -> None:
    """`outbox.emit` for thousands of events: the same rows and subscribers, one COPY."""
    payloads = [(e.name, e.version, _payload(e), now) for e in events]
    await load_rows(session, OUTBOX, ("name", "version", "payload", "occurred_at"), payloads)
    dispatcher: Dispatcher | None = session.info.get("dispatcher")
    if dispatcher is None:
        return
    batches: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for name, _, payload, _ in payloads:
        batches[name].append(payload)
    for name, group in batches.items():
        for handler in dispatcher.handlers(name):
            await handler(session, group)


_FIELDS: dict[type[DomainEvent], tuple[tuple[str, ...], Callable[[Any], Any]]] = {}


def _payload(event: DomainEvent) -> dict[str, Any]:
    """`event.payload()` without `dataclasses.asdict`'s deep copy, which cost more than all
    the batch's SQL: these events hold only scalars and lists of ints built for them."""
    kind = type(event)
    if kind.payload is not DomainEvent.payload:
        return event.payload()
    known = _FIELDS.get(kind)
    if known is None:
        names = tuple(f.name for f in dataclasses.fields(event))
        known = _FIELDS[kind] = (names, attrgetter(*names))
    names, values = known
    if len(names) == 1:
        return {names[0]: values(event)}
    return dict(zip(names, values(event), strict=True))
