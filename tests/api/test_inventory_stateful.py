"""A hypothesis state machine drives the real service functions against the real database.

After every step: on_hand >= 0, 0 <= reserved <= on_hand, every row equals the model, and
the ledger sums to every row. Hypothesis is synchronous, so the machine runs its
coroutines on a private event loop in a thread, with its own engine on the test database.
"""

from __future__ import annotations

import asyncio
import itertools
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

from fastapi import FastAPI
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import select

from pasar.inventory import (
    InsufficientStock,
    Reservation,
    ReservationLine,
    StockItem,
    StockSyncRejected,
    SyncMode,
    add_warehouse,
    commit_sale,
    receive_return,
    receive_stock,
    release,
    reserve,
)
from pasar.inventory.domain import Level
from pasar.inventory.models import StockLevel
from pasar.inventory.service import apply_levels
from pasar.platform.db import Database
from tests.api.test_inventory_service import ledger_balances, warehouse_body

T = TypeVar("T")
SELLER = 77
OFFERS_PER_RUN = 3
_runs = itertools.count(1)


class LoopThread:
    """An event loop in a daemon thread; `run` blocks until a coroutine finishes there."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout=60)

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join()
        self.loop.close()


class InventoryMachine(RuleBasedStateMachine):
    url: str
    runner: LoopThread
    database: Database

    def __init__(self) -> None:
        super().__init__()
        run = next(_runs)
        self.offers = [run * 100 + i for i in range(OFFERS_PER_RUN)]
        self.model: dict[tuple[int, int], Level] = {}
        self.held: list[Reservation] = []
        self.warehouses: list[int] = []
        self.run = run

    def _do(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return self.runner.run(coroutine)

    async def _session_call(self, call: Any) -> Any:
        async with self.database.sessionmaker() as session:
            try:
                result = await call(session)
            except Exception:
                await session.rollback()
                raise
            await session.commit()
            return result

    @initialize()
    def warehouses_exist(self) -> None:
        for code in ("A", "B"):

            async def make(session: Any, code: str = code) -> int:
                body = warehouse_body(f"{code}{self.run}")
                return (await add_warehouse(session, seller_id=SELLER, data=body)).id

            self.warehouses.append(self._do(self._session_call(make)))

    def _level(self, offer: int, warehouse: int) -> Level:
        return self.model.get((offer, warehouse), Level())

    @rule(data=st.data(), quantity=st.integers(1, 8), returned=st.booleans())
    def receive(self, data: st.DataObject, quantity: int, returned: bool) -> None:
        offer = data.draw(st.sampled_from(self.offers))
        warehouse = data.draw(st.sampled_from(self.warehouses))
        items = [StockItem(offer, quantity, warehouse_id=warehouse)]
        call = receive_return if returned else receive_stock
        self._do(
            self._session_call(
                lambda s: call(s, seller_id=SELLER, items=items, actor="system", reason="t")
            )
        )
        level = self._level(offer, warehouse)
        self.model[offer, warehouse] = Level(level.on_hand + quantity, level.reserved)

    @rule(data=st.data(), quantity=st.integers(-6, 10), absolute=st.booleans())
    def sync(self, data: st.DataObject, quantity: int, absolute: bool) -> None:
        offer = data.draw(st.sampled_from(self.offers))
        warehouse = data.draw(st.sampled_from(self.warehouses))
        mode = SyncMode.ABSOLUTE if absolute else SyncMode.DELTA
        level = self._level(offer, warehouse)
        target = quantity if absolute else level.on_hand + quantity
        items = [StockItem(offer, quantity, warehouse_id=warehouse)]
        try:
            self._do(
                self._session_call(
                    lambda s: apply_levels(
                        s, seller_id=SELLER, items=items, mode=mode, actor="user:1", reason="t"
                    )
                )
            )
        except StockSyncRejected:
            assert target < level.reserved or target < 0
            return
        assert target >= level.reserved
        self.model[offer, warehouse] = Level(target, level.reserved)

    @rule(data=st.data())
    def reserve_order(self, data: st.DataObject) -> None:
        offers = data.draw(st.lists(st.sampled_from(self.offers), min_size=1, max_size=3))
        lines = [ReservationLine(o, data.draw(st.integers(1, 6))) for o in offers]
        wanted: dict[int, int] = {}
        for line in lines:
            wanted[line.offer_id] = wanted.get(line.offer_id, 0) + line.quantity
        enough = all(
            sum(self._level(o, w).available for w in self.warehouses) >= q
            for o, q in wanted.items()
        )
        try:
            held = self._do(
                self._session_call(
                    lambda s: reserve(s, lines=lines, reference="order", actor="system")
                )
            )
        except InsufficientStock:
            assert not enough
            return
        assert enough
        assert sum(h.quantity for h in held) == sum(wanted.values())
        for h in held:
            level = self._level(h.offer_id, h.warehouse_id)
            self.model[h.offer_id, h.warehouse_id] = Level(
                level.on_hand, level.reserved + h.quantity
            )
            self.held.append(h)

    @precondition(lambda self: bool(self.held))
    @rule(data=st.data(), ship=st.booleans())
    def settle(self, data: st.DataObject, ship: bool) -> None:
        index = data.draw(st.integers(0, len(self.held) - 1))
        h = self.held.pop(index)
        part = Reservation(h.offer_id, h.warehouse_id, data.draw(st.integers(1, h.quantity)))
        if part.quantity < h.quantity:
            self.held.append(Reservation(h.offer_id, h.warehouse_id, h.quantity - part.quantity))
        call = commit_sale if ship else release
        self._do(
            self._session_call(
                lambda s: call(s, reservations=[part], reference="order", actor="system")
            )
        )
        level = self._level(h.offer_id, h.warehouse_id)
        sold = part.quantity if ship else 0
        self.model[h.offer_id, h.warehouse_id] = Level(
            level.on_hand - sold, level.reserved - part.quantity
        )

    @invariant()
    def database_matches_model_and_ledger(self) -> None:
        if not self.warehouses:
            return

        async def read() -> dict[tuple[int, int], Level]:
            async with self.database.sessionmaker() as session:
                rows = await session.execute(
                    select(
                        StockLevel.offer_id,
                        StockLevel.warehouse_id,
                        StockLevel.on_hand,
                        StockLevel.reserved,
                    ).where(StockLevel.offer_id.in_(self.offers))
                )
                return {(o, w): Level(h, r) for o, w, h, r in rows}

        actual = self._do(read())
        for level in actual.values():
            assert level.on_hand >= 0
            assert 0 <= level.reserved <= level.on_hand
        expected = dict(self.model)
        assert {k: v for k, v in actual.items() if k in expected or v != Level()} == expected
        assert self._do(ledger_balances(self.database))


def test_stock_invariants_hold_for_random_operation_sequences(
    app: FastAPI, database: Database
) -> None:
    """Any sequence of receipts, syncs, reservations, releases and sales keeps the invariants."""
    runner = LoopThread()
    InventoryMachine.runner = runner
    InventoryMachine.database = runner.run(_private(database.url))
    try:
        run_state_machine_as_test(
            InventoryMachine,
            settings=settings(
                max_examples=12,
                stateful_step_count=12,
                deadline=None,
                suppress_health_check=[HealthCheck.too_slow],
            ),
        )
    finally:
        runner.run(InventoryMachine.database.dispose())
        runner.close()


async def _private(url: str) -> Database:
    return Database(url, pool_size=2)
