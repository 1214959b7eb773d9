"""Bulk offer import: thousands of rows per call, set-based, with a report per row.

Semantics ("nothing half-applied on a bad file"):

* A file that cannot be read as a whole (not a JSON list, bad CSV encoding or header,
  more than MAX_IMPORT_ROWS rows) is refused with `malformed-import`; nothing is looked at.
* Each row is validated on its own; a bad row is `rejected` with every error it has.
* `mode=all_or_nothing` (the default): if any row is rejected, nothing is written and the
  answer is `import-rejected` (422) listing the rejected rows.
* `mode=partial`: valid rows are applied, rejected ones reported; one transaction either way.
* A row names the variant by `sku` or `gtin` and the offer by that variant and its
  `condition` (default `new`). An existing offer is `updated` with the fields the row gives
  (blank or absent fields are kept) or `unchanged`; a new one is `created` with defaults.

Cost: two queries resolve every SKU/GTIN, one loads the seller's existing offers for those
variants, one multi-row INSERT, one executemany UPDATE, one set-based summary refresh.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from pasar.catalog.domain import (
    DEFAULT_LOW_STOCK_THRESHOLD,
    MAX_IMPORT_ROWS,
    MUTABLE_FIELDS,
    FulfilledBy,
    ImportMode,
    OfferRow,
    OfferStatus,
    RejectedRow,
    RowError,
    merge_offer,
    parse_offer_row,
)
from pasar.catalog.errors import ImportRejected, MalformedImport
from pasar.catalog.events import OfferCreated, OfferPriceChanged, OfferUpdated
from pasar.catalog.models import Offer, Variant
from pasar.catalog.projection import refresh_products
from pasar.catalog.schemas import ImportReport, ImportRowReport, RowErrorRead
from pasar.platform.events import DomainEvent
from pasar.platform.idempotency import run_idempotent
from pasar.platform.outbox import emit
from pasar.platform.time import utcnow

CHUNK = 5_000
DEFAULTS: dict[str, Any] = {
    "seller_sku": None,
    "fulfilled_by": FulfilledBy.SELLER.value,
    "status": OfferStatus.ACTIVE.value,
    "low_stock_threshold": DEFAULT_LOW_STOCK_THRESHOLD,
}
Target = tuple[int, int]  # (variant_id, product_id)


async def _variants(
    session: AsyncSession, rows: Sequence[OfferRow]
) -> tuple[dict[str, Target], dict[str, Target]]:
    by_sku: dict[str, Target] = {}
    by_gtin: dict[str, Target] = {}
    for column, wanted, into in (
        (Variant.sku, sorted({r.sku for r in rows if r.sku}), by_sku),
        (Variant.gtin, sorted({r.gtin for r in rows if r.gtin}), by_gtin),
    ):
        for start in range(0, len(wanted), CHUNK):
            found = await session.execute(
                select(column, Variant.id, Variant.product_id).where(
                    column.in_(wanted[start : start + CHUNK])
                )
            )
            into.update({str(key): (vid, pid) for key, vid, pid in found})
    return by_sku, by_gtin


def _target(
    row: OfferRow, by_sku: dict[str, Target], by_gtin: dict[str, Target]
) -> Target | RowError:
    via_sku = by_sku.get(row.sku) if row.sku else None
    via_gtin = by_gtin.get(row.gtin) if row.gtin else None
    if row.sku and via_sku is None:
        return RowError("sku", f"no variant has sku {row.sku!r}")
    if row.gtin and via_gtin is None:
        return RowError("gtin", f"no variant has gtin {row.gtin!r}")
    if via_sku and via_gtin and via_sku != via_gtin:
        return RowError("gtin", "names a different variant than sku")
    target = via_sku or via_gtin
    assert target is not None
    return target


async def _existing(
    session: AsyncSession, seller_id: int, variant_ids: Sequence[int]
) -> dict[tuple[int, str], dict[str, Any]]:
    found: dict[tuple[int, str], dict[str, Any]] = {}
    ids = sorted(set(variant_ids))
    columns = (
        Offer.id,
        Offer.variant_id,
        Offer.product_id,
        Offer.condition,
        *(getattr(Offer, f) for f in MUTABLE_FIELDS),
    )
    for start in range(0, len(ids), CHUNK):
        rows = await session.execute(
            select(*columns).where(
                Offer.seller_id == seller_id, Offer.variant_id.in_(ids[start : start + CHUNK])
            )
        )
        for r in rows.mappings():
            found[(r["variant_id"], r["condition"])] = dict(r)
    return found


def _rejected(row: int, errors: Sequence[RowError]) -> ImportRowReport:
    return ImportRowReport(
        row=row,
        status="rejected",
        errors=[RowErrorRead(field=e.field, message=e.message) for e in errors],
    )


async def import_offers(
    session: AsyncSession,
    *,
    seller_id: int,
    rows: Sequence[Any],
    mode: ImportMode,
    currency: str,
) -> ImportReport:
    """Upsert a seller's offers from rows (flushes, does not commit); see the module doc."""
    if len(rows) > MAX_IMPORT_ROWS:
        raise MalformedImport(f"At most {MAX_IMPORT_ROWS} rows per import.", field="rows")
    parsed = [parse_offer_row(i + 1, raw, currency=currency) for i, raw in enumerate(rows)]
    valid = [p for p in parsed if isinstance(p, OfferRow)]
    by_sku, by_gtin = await _variants(session, valid)
    reports: dict[int, ImportRowReport] = {
        p.index: _rejected(p.index, p.errors) for p in parsed if isinstance(p, RejectedRow)
    }
    planned: list[tuple[OfferRow, Target]] = []
    seen: dict[tuple[int, str], int] = {}
    for row in valid:
        target = _target(row, by_sku, by_gtin)
        if isinstance(target, RowError):
            reports[row.index] = _rejected(row.index, [target])
            continue
        key = (target[0], row.condition.value)
        if key in seen:
            message = f"same variant and condition as row {seen[key]}"
            reports[row.index] = _rejected(row.index, [RowError("sku", message)])
            continue
        seen[key] = row.index
        planned.append((row, target))
    if reports and mode is ImportMode.ALL_OR_NOTHING:
        rejected = sorted(reports.values(), key=lambda r: r.row)
        raise ImportRejected(
            f"{len(rejected)} of {len(rows)} rows are invalid; nothing was imported "
            "(fix them, or send mode=partial to import the valid rows).",
            rejected=len(rejected),
            rows=[r.model_dump(mode="json") for r in rejected],
        )
    existing = await _existing(session, seller_id, [t[0] for _, t in planned])
    now = utcnow()
    creates: list[tuple[int, dict[str, Any]]] = []
    updates: list[tuple[int, dict[str, Any], dict[str, Any], dict[str, Any]]] = []
    events: list[DomainEvent] = []
    touched: set[int] = set()
    for row, (variant_id, product_id) in planned:
        current = existing.get((variant_id, row.condition.value))
        if current is None:
            values = {**DEFAULTS, **row.values}
            creates.append(
                (
                    row.index,
                    {
                        "seller_id": seller_id,
                        "variant_id": variant_id,
                        "product_id": product_id,
                        "currency": currency,
                        "condition": row.condition.value,
                        "available": 0,
                        "created_at": now,
                        "updated_at": now,
                        **values,
                    },
                )
            )
            touched.add(product_id)
            continue
        changes = merge_offer(current, row)
        if not changes:
            reports[row.index] = ImportRowReport(
                row=row.index, status="unchanged", offer_id=current["id"]
            )
            continue
        merged = {f: current[f] for f in MUTABLE_FIELDS} | changes
        updates.append((row.index, current, changes, merged))
        touched.add(product_id)
    if creates:
        # A plain executemany (no RETURNING) is one batched round trip on both backends;
        # the new ids are then read back by the offers' unique key in one query.
        await session.execute(insert(Offer), [values for _, values in creates])
        created_ids = await _existing(session, seller_id, [v["variant_id"] for _, v in creates])
        for index, values in creates:
            offer_id = created_ids[(values["variant_id"], values["condition"])]["id"]
            reports[index] = ImportRowReport(row=index, status="created", offer_id=offer_id)
            events.append(
                OfferCreated(
                    offer_id=offer_id,
                    seller_id=seller_id,
                    variant_id=values["variant_id"],
                    product_id=values["product_id"],
                    price_amount=values["price_amount"],
                    currency=currency,
                )
            )
    if updates:
        await session.execute(
            update(Offer),
            [
                {"id": current["id"], "updated_at": now, **merged}
                for _, current, _, merged in updates
            ],
        )
        for index, current, changes, _ in updates:
            reports[index] = ImportRowReport(row=index, status="updated", offer_id=current["id"])
            events.append(
                OfferUpdated(offer_id=current["id"], seller_id=seller_id, fields=sorted(changes))
            )
            if "price_amount" in changes:
                events.append(
                    OfferPriceChanged(
                        offer_id=current["id"],
                        seller_id=seller_id,
                        product_id=current["product_id"],
                        old_price_amount=current["price_amount"],
                        new_price_amount=changes["price_amount"],
                        currency=currency,
                    )
                )
    await refresh_products(session, touched)
    await emit(session, *events)
    ordered = [reports[i] for i in sorted(reports)]
    return ImportReport(
        mode=mode,
        created=sum(r.status == "created" for r in ordered),
        updated=sum(r.status == "updated" for r in ordered),
        unchanged=sum(r.status == "unchanged" for r in ordered),
        rejected=sum(r.status == "rejected" for r in ordered),
        rows=ordered,
    )


async def run_offer_import(
    session: AsyncSession,
    *,
    seller_id: int,
    rows: Sequence[Any],
    mode: ImportMode,
    currency: str,
    idempotency_key: str | None,
) -> dict[str, Any]:
    """`import_offers` in its own transaction; a retried Idempotency-Key replays the report."""

    async def work() -> dict[str, Any]:
        report = await import_offers(
            session, seller_id=seller_id, rows=rows, mode=mode, currency=currency
        )
        return report.model_dump(mode="json")

    return await run_idempotent(
        session,
        scope=f"catalog.offer-import:{seller_id}",
        key=idempotency_key,
        request={"mode": mode.value, "rows": list(rows)},
        work=work,
    )
