"""Fill a realistic marketplace, deterministic from a seed, through the modules' services.

Everything goes through the same public service functions the API uses (bulk variants of
them where they exist), so the demo exercises the real rules and events: sellers apply and
are approved, offers are imported, stock is synced, buyers check out and orders move
through their lifecycle (`orders.py`). Only the order of work is the demo's.
"""

from __future__ import annotations

import gc
import random
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from pasar import catalog, fulfillment, inventory, sellers
from pasar.demo.data import (
    ADJECTIVES,
    BASE_PRICE,
    BASE_WEIGHT,
    BRANDS,
    CATEGORIES,
    NOUNS,
    OPTION_VALUES,
    PLACES,
    SHOP_THEMES,
    SHOP_WORDS,
    Place,
)
from pasar.demo.orders import OrderReport, Progress, StockedOffer, seed_orders
from pasar.identity import Principal, Role, add_user, hash_password
from pasar.platform.db import Database
from pasar.platform.settings import Settings
from pasar.platform.time import utcnow

DEMO_PASSWORD = "pasar-demo-2026"


@dataclass
class DemoSummary:
    sellers_approved: int = 0
    sellers_applied: int = 0
    sellers_suspended: int = 0
    warehouses: int = 0
    categories: int = 0
    products: int = 0
    variants: int = 0
    offers: int = 0
    stock_rows: int = 0
    orders: OrderReport = field(default_factory=OrderReport)
    #: Pasar Official's offers stocked at the sandbox 3PL's fulfilment centre.
    threepl_offers: int = 0
    credentials: list[tuple[str, str, str, str]] = field(default_factory=list)
    password_hash: str = ""  # one argon2 hash for every demo account: seeding stays fast
    #: The demo buyer accounts: (user id, name, email).
    buyers: list[tuple[int, str, str]] = field(default_factory=list)


@dataclass(eq=False)
class _Shop:
    seller_id: int
    place: Place
    warehouse_ids: list[int]
    owner_email: str
    #: warehouse id -> its country, where the stock in it ships to.
    countries: dict[int, str] = field(default_factory=dict)
    sellable: bool = True
    stocked: list[StockedOffer] = field(default_factory=list)


def _nothing(stage: str, done: int, total: int) -> None:
    return None


async def seed(
    database: Database,
    *,
    seed: int = 42,
    products: int = 5_000,
    approved_sellers: int = 36,
    orders: int = 100,
    currency: str | None = None,
    settings: Settings | None = None,
    progress: Progress = _nothing,
) -> DemoSummary:
    """Seed the whole demo. `settings` (default: from the environment, for this database)
    give the currency and the order journey's rules: secret, commission, payment limits."""
    settings = settings or Settings(database_url=database.url)
    currency = currency or settings.currency
    if currency != settings.currency:
        settings = settings.model_copy(update={"currency": currency})
    rng = random.Random(seed)
    summary = DemoSummary(password_hash=hash_password(DEMO_PASSWORD))
    with _bulk_work():
        async with database.sessionmaker() as session:
            operator = await _people(session, summary)
            shops = await _sellers(session, rng, summary, operator, approved_sellers, progress)
            leaves = await _categories(session, summary)
            await _catalog(session, rng, summary, shops, leaves, products, currency, progress)
        summary.orders = await seed_orders(
            database,
            settings,
            rng,
            [offer for shop in shops if shop.sellable for offer in shop.stocked],
            count=orders,
            operator_id=operator.user_id or 0,
            accounts=summary.buyers,
            progress=progress,
        )
        async with database.sessionmaker() as session:
            summary.threepl_offers = await _threepl(session, shops[0])
    return summary


#: The first-party seller's offers a sandbox 3PL holds, and how many of each.
THREEPL_OFFERS, THREEPL_UNITS = 12, 400


async def _threepl(session: AsyncSession, shop: _Shop) -> int:
    """A fulfilment centre run by a (sandbox) 3PL for Pasar Official, stocked after the
    demo orders so it holds most of a few offers' stock: an order a visitor places for
    one of them is routed there and shipped by the 3PL on its own a few minutes later."""
    home = shop.place
    warehouse = await inventory.add_warehouse(
        session,
        seller_id=shop.seller_id,
        data=inventory.WarehouseCreate.model_validate(
            {
                "code": "official-3pl",
                "name": f"{home.city} fulfilment centre",
                "owner_kind": "3pl",
                "operator_name": "Kargo Logistik (sandbox 3PL)",
                "address_line1": "Kawasan Pergudangan Blok F-1",
                "city": home.city,
                "region": home.region,
                "postal_code": home.postal_code,
                "country": home.country,
                "time_zone": home.time_zone,
                "cut_off_time": "16:00",
            }
        ),
    )
    await session.commit()
    await fulfillment.connect_threepl(
        session,
        seller_id=shop.seller_id,
        warehouse_id=warehouse.id,
        data=fulfillment.ThreePLConnectionPut(kind="sandbox", fulfil_after_minutes=5),
        now=utcnow(),
    )
    held = [offer.offer_id for offer in shop.stocked if offer.quantity > 0][:THREEPL_OFFERS]
    await inventory.set_levels(
        session,
        seller_id=shop.seller_id,
        items=[
            inventory.StockItem(offer_id=o, warehouse_id=warehouse.id, quantity=THREEPL_UNITS)
            for o in held
        ],
        mode=inventory.SyncMode.ABSOLUTE,
        actor="demo",
        reason="stock at the 3PL (demo)",
    )
    await session.commit()
    return len(held)


@contextmanager
def _bulk_work() -> Iterator[None]:
    """Pause the cycle collector while seeding: it would rescan the millions of live
    objects a bulk load creates, again and again, and cost about a quarter of the run,
    while the seeder itself leaves little cyclic garbage (memory grows by a few MB)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


async def _people(session: AsyncSession, summary: DemoSummary) -> Principal:
    accounts = [
        ("operator@pasar.example.com", Role.OPERATOR, "Olivia Operator"),
        ("support@pasar.example.com", Role.SUPPORT, "Sari Support"),
        ("buyer@pasar.example.com", Role.BUYER, "Budi Buyer"),
        ("buyer2@pasar.example.com", Role.BUYER, "Ayu Buyer"),
    ]
    operator_id = 0
    for email, role, name in accounts:
        user = await add_user(
            session,
            email=email,
            password=DEMO_PASSWORD,
            role=role,
            name=name,
            password_hash=summary.password_hash,
        )
        summary.credentials.append((role.value, name, email, DEMO_PASSWORD))
        if role is Role.OPERATOR:
            operator_id = user.id
        elif role is Role.BUYER:
            summary.buyers.append((user.id, name, email))
    await session.commit()
    return Principal(role=Role.OPERATOR, user_id=operator_id)


def _shop_name(rng: random.Random, taken: set[str]) -> str:
    while True:
        name = f"{rng.choice(SHOP_WORDS)} {rng.choice(SHOP_THEMES)} {rng.choice(PLACES).city}"
        if name not in taken:
            taken.add(name)
            return name


def _address(place: Place, rng: random.Random) -> sellers.Address:
    return sellers.Address(
        line1=f"Jl. {rng.choice(BRANDS)} No. {rng.randint(1, 200)}",
        city=place.city,
        region=place.region,
        postal_code=place.postal_code,
        country=place.country,
    )


def _policies(place: Place, rng: random.Random, email: str) -> sellers.PolicyUpdate:
    return sellers.PolicyUpdate.model_validate(
        {
            "handling_days": rng.choice((0, 1, 1, 2, 2, 3)),
            "ship_from_timezone": place.time_zone,
            "cut_off_time": rng.choice(("12:00", "14:00", "15:00", "16:00")),
            "return_window_days": rng.choice((7, 14, 30)),
            "service_email": email,
        }
    )


async def _sellers(
    session: AsyncSession,
    rng: random.Random,
    summary: DemoSummary,
    operator: Principal,
    approved: int,
    progress: Progress,
) -> list[_Shop]:
    taken: set[str] = set()
    home = PLACES[0]
    first_party = await sellers.create_first_party(
        session,
        principal=operator,
        body=sellers.FirstPartySellerCreate(
            name="Pasar Official",
            legal_entity="PT Pasar Marketplace Indonesia",
            tax_id="01.000.000.0-000.000",
            contact_email="official@pasar.example.com",
            contact_phone="+62 21 5000 0000",
            address=_address(home, rng),
            policies=_policies(home, rng, "official@pasar.example.com"),
        ),
    )
    shops = [await _warehouses(session, first_party.seller.id, home, "official", rng, True)]
    summary.sellers_approved += 1
    plan = ["approved"] * approved + ["applied"] * 3 + ["suspended"]
    for index, fate in enumerate(plan, start=1):
        place = PLACES[index % len(PLACES)]
        name = _shop_name(rng, taken)
        email = f"seller{index}@pasar.example.com"
        view = await sellers.apply(
            session,
            body=sellers.SellerApplication(
                name=name,
                legal_entity=f"PT {name}",
                tax_id=f"{rng.randint(10, 99)}.{rng.randint(100, 999)}.{rng.randint(100, 999)}.1",
                contact_email=email,
                contact_phone=f"+62 8{rng.randint(100_000_000, 999_999_999)}",
                address=_address(place, rng),
                documents=[
                    sellers.DocumentCreate.model_validate(
                        {
                            "kind": "business_registration",
                            "url": f"https://docs.example.com/{index}.pdf",
                        }
                    )
                ],
                policies=_policies(place, rng, email),
                owner=sellers.OwnerAccount(email=email, password=DEMO_PASSWORD, name=name),
            ),
            owner_password_hash=summary.password_hash,
        )
        seller_id = view.seller.id
        if index <= 3:
            summary.credentials.append((f"seller owner ({fate})", name, email, DEMO_PASSWORD))
        if fate == "applied":
            summary.sellers_applied += 1
            continue
        await sellers.change_status(
            session,
            principal=operator,
            seller_id=seller_id,
            action=sellers.SellerAction.APPROVE,
            reason=None,
        )
        shop = await _warehouses(session, seller_id, place, f"s{index}", rng, False)
        if fate == "suspended":
            await sellers.change_status(
                session,
                principal=operator,
                seller_id=seller_id,
                action=sellers.SellerAction.SUSPEND,
                reason="Counterfeit goods reported (demo)",
            )
            summary.sellers_suspended += 1
            shop.sellable = False
        else:
            summary.sellers_approved += 1
        shops.append(shop)
        progress("sellers", index, len(plan))
    summary.warehouses = sum(len(s.warehouse_ids) for s in shops)
    return shops


async def _warehouses(
    session: AsyncSession,
    seller_id: int,
    place: Place,
    code: str,
    rng: random.Random,
    marketplace: bool,
) -> _Shop:
    places = [place] if rng.random() < 0.6 else [place, rng.choice(PLACES)]
    ids = []
    countries = {}
    for n, where in enumerate(places, start=1):
        warehouse = await inventory.add_warehouse(
            session,
            seller_id=seller_id,
            data=inventory.WarehouseCreate.model_validate(
                {
                    "code": f"{code}-wh{n}",
                    "name": f"{where.city} warehouse",
                    "address_line1": f"Kawasan Industri Blok {rng.randint(1, 40)}",
                    "city": where.city,
                    "region": where.region,
                    "postal_code": where.postal_code,
                    "country": where.country,
                    "time_zone": where.time_zone,
                    "cut_off_time": "15:00" if marketplace else "14:00",
                }
            ),
        )
        ids.append(warehouse.id)
        countries[warehouse.id] = where.country
    await session.commit()
    return _Shop(seller_id, place, ids, "", countries)


async def _categories(session: AsyncSession, summary: DemoSummary) -> list[tuple[int, str]]:
    leaves: list[tuple[int, str]] = []
    for top, children in CATEGORIES.items():
        parent = await catalog.add_category(session, name=top)
        summary.categories += 1
        for child in children:
            leaf = await catalog.add_category(session, name=child, parent_id=parent.id)
            leaves.append((leaf.id, child))
            summary.categories += 1
    await session.commit()
    return leaves


def _variants(rng: random.Random, leaf: str, number: int) -> list[dict[str, Any]]:
    axes = CATEGORIES_BY_LEAF[leaf]
    combos: list[dict[str, str]] = [{}]
    for axis in axes:
        values = rng.sample(OPTION_VALUES[axis], k=min(len(OPTION_VALUES[axis]), 5))
        combos = [{**c, axis: v} for c in combos for v in values]
    rng.shuffle(combos)
    weight = BASE_WEIGHT[leaf]
    return [
        {
            "sku": f"P{number:07d}-{i + 1:02d}",
            "option_values": options,
            "weight_g": max(50, int(weight * rng.uniform(0.8, 1.2))),
            "length_mm": rng.randint(100, 600),
            "width_mm": rng.randint(80, 400),
            "height_mm": rng.randint(20, 300),
        }
        for i, options in enumerate(combos[: rng.choice((4, 4, 5, 5, 6))])
    ]


CATEGORIES_BY_LEAF = {
    leaf: axes for children in CATEGORIES.values() for leaf, axes in children.items()
}


def _product(rng: random.Random, leaf_id: int, leaf: str, number: int) -> catalog.ProductCreate:
    brand = rng.choice(BRANDS)
    noun = rng.choice(NOUNS[leaf])
    title = f"{brand} {rng.choice(ADJECTIVES)} {noun}"
    return catalog.ProductCreate.model_validate(
        {
            "title": f"{title} {number % 997 + 1}",
            "description": (
                f"The {title.lower()} from {brand}: made for everyday use in {leaf.lower()}. "
                f"Sold by independent sellers across the archipelago."
            ),
            "brand": brand,
            "category_id": leaf_id,
            "images": [f"https://images.example.com/p/{number}.jpg"],
            "attributes": {"material": rng.choice(("cotton", "steel", "bamboo", "recycled"))},
            "variants": _variants(rng, leaf, number),
        }
    )


async def _catalog(
    session: AsyncSession,
    rng: random.Random,
    summary: DemoSummary,
    shops: list[_Shop],
    leaves: list[tuple[int, str]],
    count: int,
    currency: str,
    progress: Progress,
) -> None:
    chunk = 2_500
    for start in range(0, count, chunk):
        batch = [
            (number, *rng.choice(leaves)) for number in range(start, min(start + chunk, count))
        ]
        models = [_product(rng, leaf_id, leaf, number) for number, leaf_id, leaf in batch]
        await catalog.add_products(session, seller_id=None, products=models)
        offers = _offers(rng, shops, models, batch, currency)
        summary.products += len(models)
        summary.variants += sum(len(m.variants) for m in models)
        for shop, rows in offers.items():
            report = await catalog.import_offers(
                session,
                seller_id=shop.seller_id,
                rows=rows,
                mode=catalog.ImportMode.ALL_OR_NOTHING,
                currency=currency,
            )
            prices = {
                r.offer_id: rows[r.row - 1]["price_amount"]
                for r in report.rows
                if r.offer_id is not None
            }
            summary.offers += len(prices)
            summary.stock_rows += await _stock(session, rng, shop, prices)
        await session.commit()
        progress("catalog", min(start + chunk, count), count)


def _offers(
    rng: random.Random,
    shops: list[_Shop],
    models: list[catalog.ProductCreate],
    batch: list[tuple[int, int, str]],
    currency: str,
) -> dict[_Shop, list[dict[str, Any]]]:
    rows: dict[_Shop, list[dict[str, Any]]] = {}
    for model, (_, _, leaf) in zip(models, batch, strict=True):
        base = BASE_PRICE[leaf] * 100
        sellers_here = rng.sample(shops, k=rng.choice((1, 1, 2, 2, 3, 4)))
        for variant in model.variants:
            variant_base = int(base * rng.uniform(0.9, 1.3))
            for shop in sellers_here:
                price = int(variant_base * rng.uniform(0.85, 1.15)) // 100 * 100 + 99
                rows.setdefault(shop, []).append(
                    {
                        "sku": variant.sku,
                        "price_amount": price,
                        "currency": currency,
                        "condition": "new" if rng.random() < 0.92 else "refurbished",
                        "seller_sku": f"{shop.seller_id}-{variant.sku}",
                        "fulfilled_by": "marketplace" if shop is shops[0] else "seller",
                    }
                )
    return rows


async def _stock(
    session: AsyncSession, rng: random.Random, shop: _Shop, prices: dict[int, int]
) -> int:
    items = []
    for offer_id, price in prices.items():
        roll = rng.random()
        quantity = 0 if roll < 0.06 else rng.randint(1, 4) if roll < 0.16 else rng.randint(5, 250)
        warehouse_id = rng.choice(shop.warehouse_ids)
        items.append(
            inventory.StockItem(offer_id=offer_id, warehouse_id=warehouse_id, quantity=quantity)
        )
        shop.stocked.append(
            StockedOffer(offer_id, shop.seller_id, shop.countries[warehouse_id], quantity, price)
        )
    await inventory.set_levels(
        session,
        seller_id=shop.seller_id,
        items=items,
        mode=inventory.SyncMode.ABSOLUTE,
        actor="demo",
        reason="initial stock (demo)",
    )
    return len(items)
