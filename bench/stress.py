"""`make stress`: nothing lost on a crash. Guest checkouts run while the server's workers are
killed with SIGKILL and PostgreSQL is restarted with an immediate stop; clients retry each
order with its Idempotency-Key until they get a definite answer. Afterwards the database
must hold every order a client saw accepted exactly once, with its payment, its seller
orders and lines, its outbox events and a balanced stock ledger.

    python -m bench.stress [--database-url URL] [--clients 16] [--seconds 75] [--kills 5]
                           [--pg-stop-mode immediate|fast] [--no-pg-restart]
                           [--pg-restart-command CMD] [--skip-seed]

The database is dropped and recreated (its name must contain "bench"). Restarting
PostgreSQL needs the right to (root with Debian's `pg_ctlcluster`, or pass
--pg-restart-command) and interrupts every database on that server: after an immediate
stop, recovery first fsyncs the whole data directory, so the outage grows with what else
the server holds (25-30 s on the shared development machine; a fast stop took 5 s).

uvicorn (0.30 and later) restarts a dead worker by itself, so the harness only kills: it
then waits until the worker count is back and /healthz answers before the next kill.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg  # type: ignore[import-untyped]
import httpx
from sqlalchemy import make_url

from bench import checkout
from bench.http import Client, Reply, TransportError
from bench.server import (
    PASAR,
    free_port,
    libpq_url,
    pasar,
    recreate_database,
    require_bench_database,
    server_env,
    stop,
)
from bench.stats import Recorder

DEFAULT_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/pasar_stress_bench"

#: How long one place-order may keep retrying before the client gives up on its answer.
RETRY_BUDGET_SECONDS = 90.0
REQUEST_TIMEOUT_SECONDS = 15.0


# --- the server and its workers ----------------------------------------------------------


@dataclass
class Server:
    base: str
    proc: subprocess.Popen[bytes]
    log: Path

    def unhandled_errors(self) -> int:
        return self.log.read_text(errors="replace").count('"event": "unhandled_error"')

    def workers(self) -> list[int]:
        """uvicorn's worker processes: the supervisor's children started by multiprocessing
        `spawn_main` (its resource tracker is a child too, and is not a worker)."""
        return [pid for pid in _children(self.proc.pid) if "spawn_main" in _cmdline(pid)]


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(p) for p in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


@contextmanager
def running_server(database_url: str, workers: int, log: Path) -> Iterator[Server]:
    """`pasar serve --workers N` as bench/server.py starts it, keeping the process handle so
    the harness can find (and kill) the workers, and its output in `log`."""
    port = free_port()
    env = server_env(database_url) | {
        "PASAR_PORT": str(port),
        "PASAR_PUBLIC_URL": f"http://127.0.0.1:{port}",
    }
    with log.open("wb") as out:  # errors while the database is down are expected: kept aside
        proc = subprocess.Popen(
            [PASAR, "serve", "--workers", str(workers), "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = Server(f"http://127.0.0.1:{port}", proc, log)
    try:
        deadline = time.monotonic() + 60
        while not _healthy(server.base) or len(server.workers()) < workers:
            if proc.poll() is not None:
                raise SystemExit(f"pasar serve exited with {proc.returncode}")
            if time.monotonic() > deadline:
                raise SystemExit("pasar serve did not become healthy in 60 s")
            time.sleep(0.3)
        yield server
    finally:
        stop(proc)


def _healthy(base: str) -> bool:
    try:
        return httpx.get(f"{base}/healthz", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


# --- clients that retry ---------------------------------------------------------------------


@dataclass
class Attempted:
    """One order a client tried to place: its key and cart, and what it finally heard."""

    key: str
    cart: str
    outcome: str  # accepted | refused | rejected | unknown
    attempts: int
    number: str | None = None
    order_id: int | None = None
    seller_orders: int = 0
    total: int = 0
    detail: str = ""


@dataclass
class Tally:
    attempted: list[Attempted] = field(default_factory=list)
    retries: int = 0
    retry_reasons: dict[str, int] = field(default_factory=dict)
    prepare_failures: int = 0

    def retried(self, reason: str) -> None:
        self.retries += 1
        self.retry_reasons[reason] = self.retry_reasons.get(reason, 0) + 1


def _transient(response: Reply) -> bool:
    return response.status >= 500 or response.status == 429


async def place_until_answered(http: Client, tally: Tally, cart: str, total: int) -> Attempted:
    """POST the order with one fixed Idempotency-Key, again and again (exponential backoff
    with jitter) through connection errors, timeouts and 5xx, until a definite answer."""
    key = str(uuid.uuid4())
    body = {"payment": {"method": "card", "card": checkout.CARD}, "expected_total": total}
    delay, attempts = 0.1, 0
    give_up = time.monotonic() + RETRY_BUDGET_SECONDS
    last = ""
    while time.monotonic() < give_up:
        attempts += 1
        try:
            response = await http.request(
                "POST", f"/api/v1/carts/{cart}/order", json=body, headers={"Idempotency-Key": key}
            )
        except TransportError as exc:
            last = type(exc).__name__
        else:
            if response.status == 201:
                data = response.json()
                return Attempted(
                    key,
                    cart,
                    "accepted",
                    attempts,
                    number=data["number"],
                    order_id=data["order_id"],
                    seller_orders=len(data["seller_orders"]),
                    total=data["total_amount"],
                )
            if not _transient(response):
                problem = _problem(response)
                if response.status == 409 and _sold_out(problem):
                    return Attempted(key, cart, "refused", attempts)
                return Attempted(
                    key, cart, "rejected", attempts, detail=f"{response.status} {problem}"
                )
            last = str(response.status)
        tally.retried(last)
        await asyncio.sleep(delay * random.uniform(0.5, 1.5))
        delay = min(delay * 2, 2.0)
    return Attempted(key, cart, "unknown", attempts, detail=last)


def _sold_out(problem: str) -> bool:
    """A deliberate "no": the stock ran out (inventory says insufficient-stock)."""
    return checkout.OUT_OF_STOCK in problem or "insufficient-stock" in problem


def _problem(response: Reply) -> str:
    try:
        data = response.json()
    except ValueError:
        return response.text[:200]
    return f"{data.get('type', '')} {data.get('detail', '')}"[:300]


async def load(
    base: str, offers: checkout.Offers, *, clients: int, seconds: float, seed: int = 23
) -> Tally:
    """`clients` guest buyers, each checking out one order after another until the time is
    up; a cart that cannot be prepared (server down) is simply abandoned."""
    tally = Tally()
    deadline = time.monotonic() + seconds
    async with Client(base, connections=clients, timeout=REQUEST_TIMEOUT_SECONDS) as http:

        async def buyer(n: int) -> None:
            rng = random.Random(seed * 1000 + n)
            rec = Recorder()  # prepare_cart wants one; its figures are not the point here
            while time.monotonic() < deadline:
                try:
                    cart, total = await checkout.prepare_cart(
                        http, rec, offers.pick(rng, rng.randint(1, 3))
                    )
                except (checkout.Refused, checkout.Failed, ValueError, KeyError):
                    tally.prepare_failures += 1
                    await asyncio.sleep(0.5)
                    continue
                tally.attempted.append(await place_until_answered(http, tally, cart, total))

        await asyncio.gather(*(buyer(n) for n in range(clients)))
    return tally


# --- chaos ------------------------------------------------------------------------------------


@dataclass
class Chaos:
    kills: list[int] = field(default_factory=list)
    worker_recovery: list[float] = field(default_factory=list)
    pg_outage: float | None = None
    pg_command: str = ""
    notes: list[str] = field(default_factory=list)


def pg_restart_command(url: str, mode: str = "immediate") -> list[str] | None:
    """`pg_ctlcluster <version> <cluster> restart -m <mode>` for the cluster on the
    database URL's port, when this machine has Debian's wrappers and we are root."""
    if shutil.which("pg_lsclusters") is None or os.geteuid() != 0:
        return None
    port = str(make_url(url).port or 5432)
    out = subprocess.run(["pg_lsclusters", "-h"], capture_output=True, text=True).stdout
    for line in out.splitlines():
        cols = line.split()
        if len(cols) >= 3 and cols[2] == port:
            return ["pg_ctlcluster", cols[0], cols[1], "restart", "-m", mode]
    return None


async def _pg_up(dsn: str) -> bool:
    try:
        conn = await asyncpg.connect(dsn, timeout=1)
    except (TimeoutError, OSError, asyncpg.PostgresError):
        return False
    try:
        await conn.fetchval("SELECT 1")
        return True
    except (OSError, asyncpg.PostgresError):
        return False
    finally:
        await conn.close()


async def restart_postgres(dsn: str, command: list[str], chaos: Chaos) -> None:
    """Immediate stop (no shutdown checkpoint, like a crash: recovery replays the WAL) and
    start; the outage is from the command until a new connection answers."""
    chaos.pg_command = shlex.join(command)
    # A checkpoint first bounds the WAL that recovery replays to what was written since
    # (this run's own transactions in flight among it), whatever else the server holds.
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute("CHECKPOINT")
    finally:
        await conn.close()
    started = time.monotonic()
    proc = await asyncio.create_subprocess_exec(
        *command, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
    )
    out, _ = await proc.communicate()
    if proc.returncode != 0:
        chaos.notes.append(f"PostgreSQL restart failed ({proc.returncode}): {out.decode()[:300]}")
    while not await _pg_up(dsn):
        if time.monotonic() - started > 120:
            raise SystemExit("PostgreSQL did not come back within 120 s")
        await asyncio.sleep(0.1)
    chaos.pg_outage = time.monotonic() - started


async def kill_worker(server: Server, workers: int, chaos: Chaos) -> None:
    """SIGKILL one worker, then wait until uvicorn has started a replacement."""
    pids = server.workers()
    if not pids:
        chaos.notes.append("no worker to kill")
        return
    victim = random.choice(pids)
    os.kill(victim, signal.SIGKILL)
    chaos.kills.append(victim)
    started = time.monotonic()
    while True:
        alive = [p for p in server.workers() if p != victim]
        if len(alive) >= workers and await asyncio.to_thread(_healthy, server.base):
            chaos.worker_recovery.append(time.monotonic() - started)
            return
        if time.monotonic() - started > 60:
            chaos.notes.append(f"worker {victim} was not replaced within 60 s")
            return
        await asyncio.sleep(0.2)


async def chaos_monkey(
    server: Server,
    dsn: str,
    *,
    workers: int,
    seconds: float,
    kills: int,
    pg_command: list[str] | None,
) -> Chaos:
    """Spread `kills` worker kills and one PostgreSQL restart over the middle of the run,
    leaving its last fifth quiet so that retries can finish against a healthy system."""
    chaos = Chaos()
    events: list[str] = ["kill"] * kills
    if pg_command is not None:
        events.insert(len(events) // 2 + 1, "pg")
    window = seconds * 0.8
    gap = window / (len(events) + 1)
    started = time.monotonic()
    for n, event in enumerate(events, start=1):
        await asyncio.sleep(max(0.0, started + n * gap - time.monotonic()))
        if event == "kill":
            await kill_worker(server, workers, chaos)
        else:
            assert pg_command is not None
            await restart_postgres(dsn, pg_command, chaos)
    return chaos


# --- verification -----------------------------------------------------------------------------


async def verify(dsn: str, tally: Tally, started_at_order_id: int) -> list[str]:
    """Every check as SQL against the database; returns the failures (empty: PASS)."""
    failures: list[str] = []
    accepted = [a for a in tally.attempted if a.outcome == "accepted"]
    numbers = [a.number for a in accepted]
    conn = await asyncpg.connect(dsn)
    try:
        # 1. every accepted order exists exactly once, as the client was told
        rows = await conn.fetch(
            "SELECT number, count(*) AS n, min(id) AS id, min(total_amount) AS total "
            "FROM orders WHERE number = ANY($1::text[]) GROUP BY number",
            numbers,
        )
        found = {r["number"]: r for r in rows}
        for a in accepted:
            row = found.get(a.number)
            if row is None:
                failures.append(f"accepted order {a.number} (key {a.key}) is missing")
            elif row["n"] != 1:
                failures.append(f"accepted order {a.number} exists {row['n']} times")
            elif row["id"] != a.order_id or row["total"] != a.total:
                failures.append(f"order {a.number} differs from what the client was told")
        if len(set(numbers)) != len(numbers):
            failures.append("two keys were answered with the same order number")

        # 2. each has its payment, seller orders with lines, and outbox events
        ids = [a.order_id for a in accepted]
        incomplete = await conn.fetch(
            """
            SELECT o.number,
              (SELECT count(*) FROM payments p WHERE p.order_id = o.id
                 AND p.amount = o.total_amount) AS payments,
              (SELECT count(*) FROM seller_orders so WHERE so.order_id = o.id) AS seller_orders,
              (SELECT count(*) FROM seller_orders so WHERE so.order_id = o.id AND NOT EXISTS (
                 SELECT 1 FROM order_lines l WHERE l.seller_order_id = so.id)) AS empty,
              (SELECT count(*) FROM outbox_events e WHERE e.name = 'order.placed'
                 AND (e.payload->>'order_id')::bigint = o.id) AS placed,
              (SELECT count(*) FROM outbox_events e WHERE e.name = 'payment.started'
                 AND (e.payload->>'order_id')::bigint = o.id) AS started
            FROM orders o WHERE o.id = ANY($1::bigint[])
            """,
            ids,
        )
        expected_groups = {a.number: a.seller_orders for a in accepted}
        for r in incomplete:
            if r["payments"] != 1:
                failures.append(f"order {r['number']} has {r['payments']} matching payments")
            if r["seller_orders"] != expected_groups[r["number"]] or r["empty"]:
                failures.append(
                    f"order {r['number']}: {r['seller_orders']} seller orders "
                    f"({r['empty']} without lines), expected {expected_groups[r['number']]}"
                )
            if r["placed"] != 1 or r["started"] != 1:
                failures.append(
                    f"order {r['number']}: {r['placed']} order.placed and "
                    f"{r['started']} payment.started events (expected 1 each)"
                )

        # 3. one key, one order: every order of the run is the stored answer of exactly
        #    one key, and the answer a client got is the one stored for its key
        run_orders = await conn.fetch(
            "SELECT id, number FROM orders WHERE id > $1", started_at_order_id
        )
        keys = await conn.fetch(
            "SELECT scope, key, response->>'number' AS number FROM idempotency_keys "
            "WHERE scope LIKE 'checkout.order:%'"
        )
        per_number: dict[str, int] = {}
        for k in keys:
            per_number[k["number"]] = per_number.get(k["number"], 0) + 1
        for o in run_orders:
            if per_number.get(o["number"], 0) != 1:
                failures.append(
                    f"order {o['number']} is the answer of {per_number.get(o['number'], 0)} keys"
                )
        stored = {(k["scope"], k["key"]): k["number"] for k in keys}
        for a in accepted:
            if stored.get((f"checkout.order:{a.cart}", a.key)) != a.number:
                failures.append(f"key {a.key} stores another answer than {a.number}")
        if len(keys) != len(run_orders):
            failures.append(f"{len(keys)} order keys stored but {len(run_orders)} orders made")
        known_keys = {(f"checkout.order:{a.cart}", a.key) for a in tally.attempted}
        strangers = [k for k in stored if k not in known_keys]
        if strangers:
            failures.append(f"{len(strangers)} stored keys no client sent")

        # 4. no order without its payment, anywhere
        orphans = await conn.fetchval(
            "SELECT count(*) FROM orders o "
            "WHERE NOT EXISTS (SELECT 1 FROM payments p WHERE p.order_id = o.id)"
        )
        if orphans:
            failures.append(f"{orphans} orders have no payment")

        # 5. the stock ledger balances, and what is reserved is what the orders hold
        unbalanced = await conn.fetch(
            """
            SELECT l.id, l.on_hand, l.reserved,
                   coalesce(sum(m.on_hand_delta), 0) AS on_hand_moves,
                   coalesce(sum(m.reserved_delta), 0) AS reserved_moves
            FROM stock_levels l LEFT JOIN stock_movements m ON m.stock_id = l.id
            GROUP BY l.id
            HAVING l.on_hand - l.reserved < 0 OR l.reserved < 0
                OR l.on_hand <> coalesce(sum(m.on_hand_delta), 0)
                OR l.reserved <> coalesce(sum(m.reserved_delta), 0)
            """
        )
        for r in unbalanced[:10]:
            failures.append(f"stock row {r['id']} does not balance: {dict(r)}")
        if len(unbalanced) > 10:
            failures.append(f"... and {len(unbalanced) - 10} more stock rows")
        held = await conn.fetch(
            """
            WITH held AS (
              SELECT (r->>'offer_id')::bigint AS offer_id,
                     (r->>'warehouse_id')::bigint AS warehouse_id,
                     sum((r->>'quantity')::int) AS quantity
              FROM seller_orders so, json_array_elements(so.reservations) r
              WHERE so.status NOT IN ('cancelled', 'shipped', 'delivered', 'completed')
              GROUP BY 1, 2)
            SELECT l.id, l.reserved, coalesce(h.quantity, 0) AS held
            FROM stock_levels l
            FULL JOIN held h ON h.offer_id = l.offer_id AND h.warehouse_id = l.warehouse_id
            WHERE coalesce(l.reserved, -1) <> coalesce(h.quantity, 0)
            """
        )
        for r in held[:10]:
            failures.append(
                f"stock row {r['id']} reserves {r['reserved']}, orders hold {r['held']}"
            )
        stray = await conn.fetchval(
            "SELECT count(*) FROM stock_movements m WHERE m.kind = 'reservation' "
            "AND NOT EXISTS (SELECT 1 FROM orders o WHERE o.number = m.reference)"
        )
        if stray:
            failures.append(f"{stray} reservation movements belong to no order")
    finally:
        await conn.close()
    return failures


# --- the run ----------------------------------------------------------------------------------


def _args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.stress", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument(
        "--database-url", default=os.environ.get("PASAR_STRESS_DATABASE_URL", DEFAULT_URL)
    )
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=75.0, help="Length of the load.")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--kills", type=int, default=5, help="Worker SIGKILLs during the load.")
    parser.add_argument("--products", type=int, default=300, help="Demo products to seed.")
    parser.add_argument(
        "--no-pg-restart", action="store_true", help="Do not restart PostgreSQL (shared server)."
    )
    parser.add_argument(
        "--pg-stop-mode",
        choices=["immediate", "fast"],
        default="immediate",
        help="immediate: like a crash, recovery replays the WAL (and first fsyncs the whole "
        "data directory: the outage grows with every database on the server); fast: "
        "in-flight transactions are rolled back and clients cut off, no recovery.",
    )
    parser.add_argument(
        "--pg-restart-command",
        help="Command that restarts PostgreSQL with an immediate stop "
        "(default: pg_ctlcluster VERSION CLUSTER restart -m immediate, as root).",
    )
    parser.add_argument(
        "--server-log",
        default=str(Path(tempfile.gettempdir()) / "pasar-stress-server.log"),
        help="Where pasar serve's output goes.",
    )
    parser.add_argument("--skip-seed", action="store_true", help="Reuse the database as it is.")
    return parser.parse_args()


def main() -> None:
    args = _args()
    url = args.database_url
    dsn = libpq_url(url)
    pg_command: list[str] | None = None
    if not args.no_pg_restart:
        pg_command = (
            shlex.split(args.pg_restart_command)
            if args.pg_restart_command
            else pg_restart_command(url, args.pg_stop_mode)
        )
        if pg_command is None:
            raise SystemExit(
                "cannot restart PostgreSQL here: pass --pg-restart-command or --no-pg-restart"
            )
    if not args.skip_seed:
        require_bench_database(url)
        asyncio.run(recreate_database(url))
        env = server_env(url)
        pasar(env, "migrate")
        pasar(env, "demo", "--products", str(args.products), "--orders", "0")
    print(
        f"stress: {args.clients} clients for {args.seconds:.0f} s, {args.kills} worker kills, "
        f"PostgreSQL restart: {shlex.join(pg_command) if pg_command else 'no'}",
        flush=True,
    )
    offers = asyncio.run(checkout.load_offers(dsn))
    started_at = asyncio.run(_max_order_id(dsn))
    log = Path(args.server_log)
    with running_server(url, args.workers, log) as server:
        tally, chaos = asyncio.run(_run(server, dsn, offers, args, pg_command))
        chaos.notes.append(
            f"the server logged {server.unhandled_errors()} unhandled errors (answered 500), "
            f"see {log}"
        )
    failures = asyncio.run(verify(dsn, tally, started_at))
    failures += [
        f"key {a.key}: no definite answer ({a.outcome}: {a.detail})"
        for a in tally.attempted
        if a.outcome in ("rejected", "unknown")
    ]
    _report(tally, chaos, failures)
    sys.exit(1 if failures else 0)


async def _max_order_id(dsn: str) -> int:
    conn = await asyncpg.connect(dsn)
    try:
        return int(await conn.fetchval("SELECT coalesce(max(id), 0) FROM orders"))
    finally:
        await conn.close()


async def _run(
    server: Server,
    dsn: str,
    offers: checkout.Offers,
    args: argparse.Namespace,
    pg_command: list[str] | None,
) -> tuple[Tally, Chaos]:
    tally, chaos = await asyncio.gather(
        load(server.base, offers, clients=args.clients, seconds=args.seconds),
        chaos_monkey(
            server,
            dsn,
            workers=args.workers,
            seconds=args.seconds,
            kills=args.kills,
            pg_command=pg_command,
        ),
    )
    return tally, chaos


def _report(tally: Tally, chaos: Chaos, failures: list[str]) -> None:
    outcomes: dict[str, int] = {}
    for a in tally.attempted:
        outcomes[a.outcome] = outcomes.get(a.outcome, 0) + 1
    answered_after_retry = sum(
        1 for a in tally.attempted if a.outcome == "accepted" and a.attempts > 1
    )
    print()
    print(
        f"orders accepted           {outcomes.get('accepted', 0)}"
        f"  ({answered_after_retry} only after retrying)"
    )
    print(f"refused (out of stock)    {outcomes.get('refused', 0)}")
    print(f"rejected (other 4xx)      {outcomes.get('rejected', 0)}")
    print(f"unknown (gave up)         {outcomes.get('unknown', 0)}")
    print(f"retries                   {tally.retries}  {dict(sorted(tally.retry_reasons.items()))}")
    print(f"carts abandoned           {tally.prepare_failures}")
    recovery = ", ".join(f"{s:.1f}" for s in chaos.worker_recovery)
    print(f"worker SIGKILLs           {len(chaos.kills)}  (back in {recovery} s)")
    if chaos.pg_outage is not None:
        print(f"PostgreSQL restart        {chaos.pg_outage:.1f} s outage  ({chaos.pg_command})")
    else:
        print("PostgreSQL restart        not done")
    for note in chaos.notes:
        print(f"note: {note}")
    if failures:
        print("\nFAIL")
        for f in failures[:50]:
            print(f"  - {f}")
    else:
        print(
            "\nPASS: every accepted order exists exactly once with its payment, seller orders,"
            " lines and outbox events; one order per key; the stock ledger balances."
        )


if __name__ == "__main__":
    main()
