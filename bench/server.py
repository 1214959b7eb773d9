"""The system under test: a fresh PostgreSQL database with `pasar serve` on it."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import asyncpg  # type: ignore[import-untyped]
import httpx
from sqlalchemy import make_url

PASAR = str(Path(sys.executable).with_name("pasar"))


def libpq_url(url: str) -> str:
    """asyncpg and psql take `postgresql://`, SQLAlchemy `postgresql+asyncpg://`."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def require_bench_database(url: str) -> None:
    """Refuse any database whose name lacks "bench": the harness drops and recreates it."""
    name = make_url(url).database or ""
    if "bench" not in name:
        raise SystemExit(f"refusing to use database {name!r}: its name must contain 'bench'")


async def recreate_database(url: str) -> None:
    parsed = make_url(url)
    admin = libpq_url(parsed.set(database="postgres").render_as_string(hide_password=False))
    try:
        conn = await asyncpg.connect(admin, timeout=5)
    except (OSError, asyncpg.PostgresError) as exc:
        raise SystemExit(
            f"PostgreSQL is not reachable at {parsed.host}:{parsed.port}: {exc}"
        ) from exc
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{parsed.database}"')
    finally:
        await conn.close()


def pasar(env: dict[str, str], *args: str) -> None:
    subprocess.run([PASAR, *args], env=env, check=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def server_env(database_url: str) -> dict[str, str]:
    """How the benchmark runs Pasar: PostgreSQL, no embedded worker (the relay is measured on
    its own by scripts/bench_relay.py; events wait in the outbox), quiet logs."""
    return {
        **os.environ,
        "PASAR_DATABASE_URL": database_url,
        "PASAR_EMBEDDED_WORKER": "false",
        "PASAR_JOBS_INTERVAL_SECONDS": "0",
        "PASAR_LOG_LEVEL": "WARNING",
        "PASAR_SECRET_KEY": os.environ.get(
            "PASAR_SECRET_KEY", "bench-only-secret-not-for-production"
        ),
        "PASAR_LOOKUP_RATE_LIMIT": "1000000/minute",
        "PASAR_LOGIN_RATE_LIMIT": "1000000/minute",
    }


@contextmanager
def running_server(database_url: str, workers: int) -> Iterator[str]:
    """`pasar serve --workers N` on a free port; yields its base URL once /healthz answers."""
    port = free_port()
    env = server_env(database_url) | {
        "PASAR_PORT": str(port),
        "PASAR_PUBLIC_URL": f"http://127.0.0.1:{port}",
    }
    proc = subprocess.Popen(
        [PASAR, "serve", "--workers", str(workers), "--port", str(port)],
        env=env,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise SystemExit(f"pasar serve exited with {proc.returncode}")
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit("pasar serve did not become healthy in 60 s")
            time.sleep(0.3)
        yield base
    finally:
        stop(proc)


def stop(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM the server's process group (its workers too), SIGKILL after 20 s."""
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
