"""The `pasar` command: serve, migrate, demo, create-operator."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer

from pasar.platform.settings import Settings

app = typer.Typer(help="Pasar marketplace platform.", no_args_is_help=True)


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


@app.command("create-operator")
def create_operator(
    email: str, password: Annotated[str, typer.Option(prompt=True, hide_input=True)]
) -> None:
    """Create an operator account (the marketplace owner's staff)."""
    from pasar.identity import Role
    from pasar.platform.db import Database

    async def run() -> None:
        database = Database(Settings().database_url)
        try:
            async with database.sessionmaker() as session:
                from pasar.identity import add_user

                await add_user(session, email=email, password=password, role=Role.OPERATOR)
                await session.commit()
        finally:
            await database.dispose()

    asyncio.run(run())
    typer.echo(f"operator {email} created")
