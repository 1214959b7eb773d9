"""The composition root: builds one FastAPI app from the modules' routers and subscriptions.

Nothing is wired at import time: `create_app()` takes settings (and optionally a ready
Database), so tests, workers and the server each build their own.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import asynccontextmanager
from datetime import timedelta
from types import ModuleType
from typing import Any

import structlog
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.exceptions import HTTPException as StarletteHTTPException

import pasar
from pasar import (
    catalog,
    checkout,
    fulfillment,
    identity,
    inventory,
    notifications,
    operations,
    orders,
    payments,
    sellers,
    web,
    webhooks,
)
from pasar.platform import problems
from pasar.platform.body_limit import BodyLimit
from pasar.platform.db import Database
from pasar.platform.errors import DomainError
from pasar.platform.jobs import Consumer, Drain, Job
from pasar.platform.observability import Metrics, RequestObservability, configure_logging
from pasar.platform.problem_docs import document_problems
from pasar.platform.ratelimit import RateLimiter
from pasar.platform.relay import prune
from pasar.platform.settings import Settings
from pasar.platform.time import utcnow
from pasar.platform.worker import Worker

#: Every module, in the order their routers are mounted.
MODULES: tuple[ModuleType, ...] = (
    identity,
    sellers,
    catalog,
    inventory,
    payments,
    orders,
    fulfillment,
    checkout,
    notifications,
    webhooks,
    operations,
    web,
)

DESCRIPTION = """
Pasar's REST API. Errors are RFC 9457 `application/problem+json` with a stable `type`
(`/problems/<code>`), a human `detail` and, where one field is at fault, `field`.
Authenticate with `Authorization: Bearer <token>`: a user token from `POST /api/v1/auth/token`
or a seller API key. Lists use keyset pagination (`limit`, `cursor` → `next_cursor`).
"""


def build_dispatcher_into(database: Database, modules: Iterable[ModuleType]) -> None:
    for module in modules:
        database.dispatcher.subscribe_all(getattr(module, "SUBSCRIPTIONS", {}))


def build_database(url: str, *, pool_size: int = 10) -> Database:
    """A Database whose sessions run every module's event subscribers.

    Every process that writes (server, CLI, demo, workers) must build its database here:
    without the subscribers, read models such as the catalog's seller visibility and offer
    availability would silently fall behind the facts.
    """
    database = Database(url, pool_size=pool_size)
    build_dispatcher_into(database, MODULES)
    return database


async def run_sweeps(
    database: Database, settings: Settings, *, only: Iterable[str] | None = None
) -> dict[str, int]:
    """One pass of the sweeps: unpaid past deadline, delivered past the window, sandbox
    parcels moving on, shipments at risk of missing their promise, 3PL requests to push.

    Each sweep locks what it takes (SKIP LOCKED on PostgreSQL), so several server
    processes may run them at once without doing anything twice. Each runs on its own:
    one that fails is logged (and counted as -1) and the others still run.
    """
    now = utcnow()
    config = fulfillment.FulfillmentConfig.from_settings(settings)
    after = timedelta(days=settings.completion_days)

    async def expire(session: AsyncSession) -> int:
        return await orders.expire_unpaid(session, now=now)

    async def complete(session: AsyncSession) -> int:
        return await orders.complete_delivered(session, now=now, after=after)

    async def scans(session: AsyncSession) -> int:
        return await fulfillment.advance_sandbox(session, now=now, config=config)

    async def delays(session: AsyncSession) -> int:
        return await fulfillment.detect_delays(session, now=now, config=config)

    async def push(_: AsyncSession) -> int:
        return await fulfillment.push_threepl_requests(
            database.sessionmaker, now=now, config=config
        )

    sweeps: dict[str, Callable[[AsyncSession], Awaitable[int]]] = {
        "expired": expire,
        "completed": complete,
        "sandbox_scans": scans,
        "delayed": delays,
        "threepl_pushed": push,
    }
    done: dict[str, int] = {}
    chosen = set(sweeps) if only is None else set(only)
    for name, sweep in sweeps.items():
        if name not in chosen:
            continue
        try:
            async with database.sessionmaker() as session:
                done[name] = await sweep(session)
        except Exception:  # one broken sweep must not starve the others
            structlog.get_logger("pasar.sweeps").exception("sweep failed", sweep=name)
            done[name] = -1
    return done


def _sweep_every(settings: Settings) -> timedelta | None:
    seconds = settings.jobs_interval_seconds
    return timedelta(seconds=seconds) if seconds > 0 else None


def _sweep_job(name: str, sweep: str) -> Job:
    """One of `run_sweeps`'s sweeps as a scheduled job (once per period across workers)."""

    async def run(database: Database, settings: Settings, now: Any) -> int:
        done = await run_sweeps(database, settings, only=(sweep,))
        return done[sweep]

    return Job(name=name, every=_sweep_every, run=run)


#: The order journey's sweeps, scheduled once per `PASAR_JOBS_INTERVAL_SECONDS`.
SWEEP_JOBS: tuple[Job, ...] = (
    _sweep_job("orders.expire_unpaid", "expired"),
    _sweep_job("orders.complete_delivered", "completed"),
    _sweep_job("fulfillment.advance_sandbox", "sandbox_scans"),
    _sweep_job("fulfillment.detect_delays", "delayed"),
)


def _daily(settings: Settings) -> timedelta | None:
    return timedelta(days=1) if settings.outbox_retention_days > 0 else None


async def _prune_outbox(database: Database, settings: Settings, now: Any) -> int:
    return await prune(database, before=now - timedelta(days=settings.outbox_retention_days))


async def _push_threepl(database: Database, settings: Settings) -> int:
    done = await run_sweeps(database, settings, only=("threepl_pushed",))
    return max(done["threepl_pushed"], 0)


def consumers(settings: Settings, *, broker: Consumer | None = None) -> list[Consumer]:
    """Every module's outbox consumers, and the broker fan-out when one is given."""
    found: list[Consumer] = []
    for module in MODULES:
        found.extend(getattr(module, "CONSUMERS", {}).values())
    if broker is not None:
        found.append(broker)
    return found


def drains() -> list[Drain]:
    found = [Drain(name="fulfillment.push_threepl", run=_push_threepl)]
    for module in MODULES:
        found.extend(getattr(module, "DRAINS", ()))
    return found


def jobs() -> list[Job]:
    found = [*SWEEP_JOBS, Job(name="platform.prune_outbox", every=_daily, run=_prune_outbox)]
    for module in MODULES:
        found.extend(getattr(module, "JOBS", ()))
    return found


def build_worker(database: Database, settings: Settings) -> Worker:
    """A worker with everything the modules contribute: consumers, drains and jobs, plus
    the NATS fan-out (and its backlog's drain) when `PASAR_EVENT_BROKER` is set."""
    found_consumers, found_drains = consumers(settings), drains()
    if settings.event_broker:
        from pasar.platform.broker import NatsFanout
        from pasar.platform.broker_backlog import BrokerConsumer, republish

        fanout = NatsFanout(settings.event_broker)

        async def parked(database: Database, _settings: Settings) -> int:
            return await republish(database, fanout)

        found_consumers.append(BrokerConsumer(fanout))
        found_drains.append(Drain(name="broker.republish", run=parked))
    return Worker(
        database=database,
        settings=settings,
        consumers=found_consumers,
        drains=found_drains,
        jobs=jobs(),
    )


def create_app(settings: Settings | None = None, *, database: Database | None = None) -> FastAPI:
    settings = settings or Settings()
    configure_logging(level=settings.log_level, json=settings.log_json)
    owns_database = database is None
    db = database or build_database(settings.database_url, pool_size=settings.db_pool_size)
    build_dispatcher_into(db, MODULES)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        worker, task = None, None
        if settings.embedded_worker:
            worker = build_worker(db, settings)
            task = asyncio.create_task(worker.run())
        yield
        if worker is not None and task is not None:
            worker.stop()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            await worker.close()
        if owns_database:
            await db.dispose()

    app = FastAPI(
        title="Pasar",
        version=pasar.__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url="/docs",
        redoc_url=None,
    )
    app.state.settings = settings
    # Read (and check) the carriers now: a broken carriers file stops the start, instead of
    # failing every checkout later as if the buyer had sent something wrong.
    app.state.fulfillment_config = fulfillment.FulfillmentConfig.from_settings(settings)
    app.state.database = db
    app.state.login_limiter = RateLimiter(settings.login_rate_limit, settings.rate_limit_storage)
    app.state.lookup_limiter = RateLimiter(settings.lookup_rate_limit, settings.rate_limit_storage)
    metrics = Metrics()
    app.state.metrics = metrics
    problems.install(app)
    _html_not_found(app)
    app.add_middleware(BodyLimit, limit=settings.max_body_bytes)
    app.add_middleware(RequestObservability, metrics=metrics)
    app.include_router(_platform_router())
    for module in MODULES:
        app.include_router(module.router)
    document_problems(app)
    return app


def _html_not_found(app: FastAPI) -> None:
    """An address no route knows is the storefront's 404 page for a browser (problem+json
    for the API and for any client that does not ask for HTML)."""
    as_problem = app.exception_handlers[StarletteHTTPException]

    async def not_found(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        if exc.status_code == 404 and web.wants_html(request):
            return web.not_found_page(request)
        answer = as_problem(request, exc)
        return await answer if inspect.isawaitable(answer) else answer

    app.add_exception_handler(StarletteHTTPException, not_found)


def _platform_router() -> APIRouter:
    router = APIRouter(tags=["platform"])

    @router.get("/healthz", responses={503: {"description": "The database does not answer."}})
    async def healthz(request: Request) -> JSONResponse:
        """Liveness and readiness: answers 200 only if the database answers. Public."""
        db: Database = request.app.state.database
        try:
            async with db.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
        except Exception as exc:  # any failure means "not ready"
            return JSONResponse(
                {"status": "unavailable", "database": type(exc).__name__}, status_code=503
            )
        return JSONResponse({"status": "ok", "database": "ok"})

    @router.get("/metrics", include_in_schema=False)
    async def metrics(request: Request) -> Response:
        return Response(
            generate_latest(request.app.state.metrics.registry), media_type=CONTENT_TYPE_LATEST
        )

    @router.get("/problems/{code}", response_class=HTMLResponse, include_in_schema=False)
    async def problem_type(code: str) -> HTMLResponse:
        known = _problem_codes()
        if code not in known:
            return HTMLResponse("<h1>Unknown problem type</h1>", status_code=404)
        title, status = known[code]
        return HTMLResponse(
            f"<!doctype html><title>{title}</title><h1>{title}</h1>"
            f"<p>HTTP status {status}. Problem type <code>{code}</code>.</p>"
        )

    return router


def _problem_codes() -> dict[str, tuple[str, int]]:
    found: dict[str, tuple[str, int]] = {
        code: (code.replace("-", " ").capitalize(), status)
        for status, code in problems.HTTP_CODES.items()
    }
    found["internal-error"] = ("Internal error", 500)
    found["invalid-data"] = ("Invalid data", 422)
    stack: list[Any] = [DomainError]
    while stack:
        cls = stack.pop()
        found[cls.code] = (cls.title, cls.status)
        stack.extend(cls.__subclasses__())
    return found
