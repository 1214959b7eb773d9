"""PostgreSQL's own ceiling for the write shape of one order, measured with `pgbench`.

The script is what Pasar's place-order writes, statement for statement, in one
transaction: the guarded reservation UPDATE of the lines' stock rows, the stock ledger,
the availability events, the offers' counters, the products' best offer, the order, its
seller orders with their lines and history, the order events, the payment with its
allocations, ledger entry and event, the cart and the idempotency key. It leaves out
place-order's reads (cart, offers, sellers, stock ranking): the ceiling is what the
database can write at best, so our ratio to it is, if anything, understated.

Orders have 1, 2 or 3 lines from as many sellers, equally often, like the load generator's.
"""

from __future__ import annotations

import re
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import asyncpg  # type: ignore[import-untyped]


def order_script(lines: int) -> str:
    """One pgbench transaction for an order of `lines` lines from `lines` sellers."""
    picks = "\n".join(f"\\set s{i} random(:min_stock, :max_stock)" for i in range(lines))
    ids = ", ".join(f":s{i}" for i in range(lines))
    events = " UNION ALL ".join(["SELECT 1"] * (2 * lines + 1))
    return f"""{picks}
\\set cart random(1, :carts)
BEGIN;
UPDATE stock_levels SET reserved = reserved + 1, version = version + 1, updated_at = now()
  WHERE id IN ({ids}) AND on_hand - reserved >= 1;
INSERT INTO stock_movements (stock_id, seller_id, offer_id, warehouse_id, kind, on_hand_delta,
    reserved_delta, actor, reference, created_at)
  SELECT id, seller_id, offer_id, warehouse_id, 'reservation', 0, 1, 'checkout', 'pgbench', now()
  FROM stock_levels WHERE id IN ({ids});
INSERT INTO outbox_events (name, version, payload, occurred_at, attempts)
  SELECT 'inventory.availability_changed', 1, json_build_object('offer_id', offer_id), now(), 0
  FROM stock_levels WHERE id IN ({ids});
UPDATE offers SET available = available - 1
  WHERE id IN (SELECT offer_id FROM stock_levels WHERE id IN ({ids}));
UPDATE products SET best_offer_id = best_offer_id
  WHERE id IN (SELECT product_id FROM offers WHERE id IN
    (SELECT offer_id FROM stock_levels WHERE id IN ({ids})));
INSERT INTO orders (number, email, phone, address, currency, items_amount, shipping_amount,
    total_amount, payment_method, language, sms_updates, placed_at)
  VALUES ('B' || substr(md5(random()::text), 1, 18), 'bench@example.com', '+6281234567890',
    '{{"name": "Bench Buyer", "city": "Jakarta", "country": "ID"}}', 'USD', 10000, 900, 10900,
    'card', 'en', false, now())
  RETURNING id AS order_id \\gset
WITH so AS (
  INSERT INTO seller_orders (order_id, number, seller_id, seller_name, status, currency,
      items_amount, shipping_amount, total_amount, commission_amount, delivery_service,
      delivery_name, ship_by, promised_date, reservations, placed_at, verified_at, updated_at)
    SELECT :order_id, 'B' || substr(md5(random()::text), 1, 18), seller_id, 'Seller',
      'verified', 'USD', 5000, 300, 5300, 500, 'standard', 'Standard', current_date + 1,
      current_date + 3,
      json_build_array(json_build_object('stock_id', id, 'quantity', 1)), now(), now(), now()
    FROM stock_levels WHERE id IN ({ids})
    RETURNING id, seller_id
)
INSERT INTO order_lines (seller_order_id, offer_id, product_id, variant_id, title, sku,
    fulfilled_by, quantity, unit_amount, line_amount)
  SELECT so.id, 1, 1, 1, 'Bench product', 'BENCH-SKU', 'seller', 1, 5000, 5000 FROM so;
INSERT INTO order_history (seller_order_id, from_status, to_status, actor, at)
  SELECT id, s.f, s.t, 'system', now() FROM seller_orders,
    (VALUES (NULL, 'received'), ('received', 'verified')) AS s(f, t)
  WHERE order_id = :order_id;
INSERT INTO outbox_events (name, version, payload, occurred_at, attempts)
  SELECT 'seller_order.received', 1, json_build_object('order_id', :order_id::bigint), now(), 0
  FROM ({events}) AS e;
INSERT INTO payments (order_id, order_number, method, provider, provider_ref, status, currency,
    amount, captured, refunded, voided, validated_at, card_brand, card_last4, created_at,
    updated_at)
  VALUES (:order_id, 'B', 'card', 'sandbox', 'pgb_' || md5(random()::text), 'authorised', 'USD',
    10900, 0, 0, 0, now(), 'visa', '4242', now(), now())
  RETURNING id AS payment_id \\gset
INSERT INTO payment_allocations (payment_id, seller_order_id, seller_id, status, amount,
    commission, net, captured, refunded, voided, updated_at)
  SELECT :payment_id, id, seller_id, 'authorised', 5300, 500, 4800, 0, 0, 0, now()
  FROM seller_orders WHERE order_id = :order_id;
INSERT INTO payment_ledger (payment_id, order_id, kind, amount, currency, actor, created_at)
  VALUES (:payment_id, :order_id, 'authorised', 10900, 'USD', 'checkout', now());
INSERT INTO outbox_events (name, version, payload, occurred_at, attempts)
  VALUES ('payment.started', 1, json_build_object('payment_id', :payment_id::bigint), now(), 0);
UPDATE carts SET updated_at = now() WHERE id = :cart;
INSERT INTO idempotency_keys (scope, key, fingerprint, response, created_at)
  VALUES ('pgbench', md5(random()::text), 'f', '{{}}', now());
END;
"""


@dataclass
class PgbenchResult:
    tps: float
    latency_ms: float
    transactions: int
    failed: int


async def _ranges(dsn: str) -> dict[str, int]:
    conn = await asyncpg.connect(dsn)
    try:
        row = await conn.fetchrow(
            "SELECT min(id) AS lo, max(id) AS hi FROM stock_levels WHERE on_hand - reserved >= 100"
        )
        carts = await conn.fetchval("SELECT coalesce(max(id), 1) FROM carts")
    finally:
        await conn.close()
    if row is None or row["lo"] is None:
        raise SystemExit("pgbench needs stock rows with at least 100 units free")
    return {"min_stock": row["lo"], "max_stock": row["hi"], "carts": int(carts)}


def run_pgbench(dsn: str, ranges: dict[str, int], *, clients: int, seconds: int) -> PgbenchResult:
    with tempfile.TemporaryDirectory() as tmp:
        files = []
        for lines in (1, 2, 3):
            path = Path(tmp) / f"order_{lines}.sql"
            path.write_text(order_script(lines))
            files += ["-f", f"{path}@1"]
        defines = [f"-D{k}={v}" for k, v in ranges.items()]
        command = [
            "pgbench",
            "-n",
            "-M",
            "prepared",
            "-c",
            str(clients),
            "-j",
            "2",
            "-T",
            str(seconds),
            *defines,
            *files,
            dsn,
        ]
        out = subprocess.run(command, capture_output=True, text=True, check=False)
    if out.returncode != 0:
        raise SystemExit(f"pgbench failed:\n{out.stdout}\n{out.stderr}")
    return _parse(out.stdout)


def _parse(stdout: str) -> PgbenchResult:
    def number(pattern: str) -> float:
        found = re.search(pattern, stdout)
        return float(found.group(1)) if found else 0.0

    return PgbenchResult(
        tps=number(r"tps = ([\d.]+) \(without initial connection time\)"),
        latency_ms=number(r"latency average = ([\d.]+) ms"),
        transactions=int(number(r"number of transactions actually processed: (\d+)")),
        failed=int(number(r"number of failed transactions: (\d+)")),
    )
