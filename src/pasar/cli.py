"""The `pasar` command: serve, worker, migrate, demo, sweep, create-operator."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.progress import TaskID

from pasar.demo.names import ScaleName
from pasar.platform.settings import Settings

if TYPE_CHECKING:
    from pasar.demo.orders import OrderReport

T = TypeVar("T")

app = typer.Typer(
    help="Pasar marketplace platform.", no_args_is_help=True, pretty_exceptions_show_locals=False
)


def _run(main: Coroutine[Any, Any, T]) -> T:
    """Run a command's coroutine on uvloop when it is installed (it comes with
    uvicorn[standard], which `pasar serve` uses too): database-bound commands spend much
    of their time handing statements to the driver's thread and back."""
    try:
        import uvloop
    except ImportError:  # pragma: no cover - uvloop is not built for every platform
        return asyncio.run(main)
    return uvloop.run(main)


@app.command()
def migrate(revision: str = "head") -> None:
    """Apply database migrations up to REVISION."""
    from pasar.platform.migrate import upgrade

    settings = Settings()
    upgrade(settings.database_url, revision)
    typer.echo(f"database migrated to {revision}")


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Bind address.")] = None,
    port: Annotated[int | None, typer.Option(help="Port.")] = None,
    workers: Annotated[int | None, typer.Option(help="Worker processes.")] = None,
) -> None:
    """Start the API (and run migrations first on the embedded SQLite default)."""
    import uvicorn

    settings = Settings()
    if settings.migrate_on_start:
        from pasar.platform.migrate import upgrade

        upgrade(settings.database_url)
    _ = settings.secret  # create the secret once, before workers race for it
    bind_host, bind_port = host or settings.host, port or settings.port
    typer.echo(f"Pasar is up at http://{bind_host}:{bind_port}  (API docs: /docs)")
    uvicorn.run(
        "pasar.app:create_app",
        factory=True,
        host=bind_host,
        port=bind_port,
        workers=workers or settings.workers,
        access_log=False,
        log_level="warning",
    )


@app.command()
def demo(
    seed: Annotated[int, typer.Option(help="Random seed: same seed, same marketplace.")] = 42,
    products: Annotated[int, typer.Option(min=1, help="How many products.")] = 5_000,
    orders: Annotated[
        int, typer.Option(min=0, help="About how many orders, in every stage and payment way.")
    ] = 100,
    if_empty: Annotated[
        bool, typer.Option("--if-empty", help="Do nothing if the database has sellers.")
    ] = False,
    scale: Annotated[
        ScaleName,
        typer.Option(
            help="small: the full demo with orders, through the services. medium (100 sellers, "
            "35,000 products, 70,000 variants, 105,000 offers) and large (500 sellers, "
            "250,000 products, 1,000,000 variants, 1,500,000 offers): bulk-loaded for "
            "benchmarks, no orders; --products and --orders apply to small only."
        ),
    ] = ScaleName.SMALL,
) -> None:
    """Fill the database with a realistic demo marketplace (sellers, catalog, stock and
    orders in every stage) and print its credentials."""
    import time

    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    from pasar.app import build_database
    from pasar.demo.scale import SCALES, seed_scaled
    from pasar.demo.seed import seed as run_seed
    from pasar.sellers import count_sellers

    settings = Settings()
    console = Console()

    async def run() -> None:
        database = build_database(settings.database_url)
        try:
            async with database.sessionmaker() as session:
                if if_empty and await count_sellers(session):
                    console.print("Demo data already present; skipping `pasar demo`.")
                    return
            started = time.perf_counter()
            columns = (
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                TimeRemainingColumn(),
            )
            with Progress(*columns, console=console, transient=True) as bar:
                tasks: dict[str, TaskID] = {}

                def progress(stage: str, done: int, total: int) -> None:
                    if stage not in tasks:
                        tasks[stage] = bar.add_task(f"Seeding {stage}", total=total)
                    bar.update(tasks[stage], completed=done)

                if scale is ScaleName.SMALL:
                    summary = await run_seed(
                        database,
                        seed=seed,
                        products=products,
                        orders=orders,
                        settings=settings,
                        progress=progress,
                    )
                else:
                    summary = await seed_scaled(
                        database, SCALES[scale], seed=seed, settings=settings, progress=progress
                    )
            elapsed = time.perf_counter() - started
        finally:
            await database.dispose()
        console.print(
            f"Demo marketplace seeded in {elapsed:.1f} s: {summary.sellers_approved} approved "
            f"sellers ({summary.sellers_applied} applied, {summary.sellers_suspended} suspended), "
            f"{summary.warehouses} warehouses, {summary.categories} categories, "
            f"{summary.products} products, {summary.variants} variants, {summary.offers} offers, "
            f"{summary.stock_rows} stock levels."
        )
        if scale is not ScaleName.SMALL:
            console.print(f"Bulk-loaded at {scale.value} scale; no demo orders.")
            _print_credentials(console, summary.credentials)
            return
        _print_orders(console, summary.orders)
        if summary.threepl_offers:
            console.print(
                f"A sandbox 3PL holds {summary.threepl_offers} of Pasar Official's offers: "
                "orders for them ship by themselves a few minutes after payment.",
                soft_wrap=True,
            )
        console.print(
            "The buyers' emails for these orders reach the mail log (/console/mail) as soon as "
            "a worker runs (`pasar serve` has one): order confirmations, shipping and delivery "
            "notices, payment instructions.",
            soft_wrap=True,
        )
        _print_credentials(console, summary.credentials)

    _run(run())


def _print_credentials(console: Console, credentials: list[tuple[str, str, str, str]]) -> None:
    console.print("Demo credentials (role, name, email, password):")
    for role, name, email, password in credentials:
        console.print(f"  {role:<24} {name:<32} {email:<34} {password}", soft_wrap=True)


def _print_orders(console: Console, report: OrderReport) -> None:
    """Orders by status (in lifecycle order, cancellations by cause) and by payment way."""
    from pasar.demo.orders import METHOD_NAMES
    from pasar.orders import Status

    if report.skipped:
        console.print(f"No demo orders: {report.skipped}.")
        return
    if not report.orders:
        return
    causes = ", ".join(
        f"{n} {cause.removeprefix('cancelled ')}" for cause, n in report.cancelled.most_common()
    )
    statuses = [
        f"{report.by_status[s]} {s.value}" + (f" ({causes})" if s is Status.CANCELLED else "")
        for s in Status
        if report.by_status[s]
    ]
    methods = [f"{n} {METHOD_NAMES.get(m, m)}" for m, n in report.by_method.most_common()]
    console.print(f"{report.orders} orders ({report.seller_orders} seller orders):")
    console.print("  by status:  " + ", ".join(statuses), soft_wrap=True)
    console.print("  by payment: " + ", ".join(methods), soft_wrap=True)
    if report.parcels:
        console.print(
            f"  parcels:    {report.parcels} shipped on the sandbox carrier, "
            f"{report.scans} scans since, {report.delayed} flagged as late",
            soft_wrap=True,
        )


@app.command()
def sweep() -> None:
    """Run the order sweeps once (unpaid past the deadline, delivered past the window),
    for operators who schedule them with cron instead of `pasar serve`'s own timer."""
    from pasar.app import build_database, run_sweeps

    settings = Settings()

    async def run() -> dict[str, int]:
        database = build_database(settings.database_url)
        try:
            return await run_sweeps(database, settings)
        finally:
            await database.dispose()

    done = _run(run())
    typer.echo(
        f"{done['expired']} unpaid seller orders expired, "
        f"{done['completed']} delivered seller orders completed"
    )


@app.command()
def worker(
    once: Annotated[
        bool, typer.Option("--once", help="Do what is due now, print what was done, and exit.")
    ] = False,
) -> None:
    """Deliver events and run the scheduled jobs until stopped (SIGTERM or Ctrl-C).

    Run any number, on any host, against the same PostgreSQL database: they share the work
    through row locks (`FOR UPDATE SKIP LOCKED`) and claim each scheduled period once. Set
    `PASAR_EMBEDDED_WORKER=false` on `pasar serve` when dedicated workers do this work.
    A worker stopped by a signal finishes the batch in hand; one killed outright loses
    nothing (its batch rolls back and is claimed again).
    """
    import signal

    from pasar.app import build_database, build_worker
    from pasar.platform.observability import configure_logging

    settings = Settings()
    configure_logging(level=settings.log_level, json=settings.log_json)

    async def run() -> None:
        database = build_database(settings.database_url, pool_size=settings.db_pool_size)
        runner = build_worker(database, settings)
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, runner.stop)
        try:
            if once:
                done = await runner.run_once()
                typer.echo(", ".join(f"{name}: {n}" for name, n in done.items()))
            else:
                await runner.run()
        finally:
            await runner.close()
            await database.dispose()

    if not once:
        typer.echo("Pasar worker started: relaying events, sending, running scheduled jobs")
    _run(run())


@app.command("create-operator")
def create_operator(
    email: str, password: Annotated[str, typer.Option(prompt=True, hide_input=True)]
) -> None:
    """Create an operator account (the marketplace owner's staff)."""
    from pasar.app import build_database
    from pasar.identity import Role

    async def run() -> None:
        database = build_database(Settings().database_url)
        try:
            async with database.sessionmaker() as session:
                from pasar.identity import add_user

                await add_user(session, email=email, password=password, role=Role.OPERATOR)
                await session.commit()
        finally:
            await database.dispose()

    asyncio.run(run())
    typer.echo(f"operator {email} created")
