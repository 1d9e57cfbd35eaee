"""Create, clone and drop test databases; never touch one these functions did not make.

Every database made here carries a COMMENT: a marker and, as JSON, the process that
made it. A database without the marker is someone else's and is never dropped. One
whose maker has died (a crashed or killed run on this machine) is swept by the next
session; one whose maker is alive, here or on another machine, is left alone.
"""

import json
import os
import secrets
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import psutil
import sqlalchemy as sa
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine
from sqlalchemy.pool import NullPool

MARKER = "made by the test fixtures: "


def run_database_name(base: str) -> str:
    """`base_<run>`, plus `_gw0`, `_gw1`, ... per pytest-xdist worker.

    The run part is shared by the workers of one run and differs between runs, so two
    sessions against one server never pick the same name.
    """
    run = os.environ.get("PYTEST_XDIST_TESTRUNUID", "")[:8] or secrets.token_hex(4)
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    return f"{base}_{run}_{worker}" if worker else f"{base}_{run}"


def owner() -> dict[str, Any]:
    """This process, in a form that tells later whether it is still running."""
    pid = os.getpid()
    return {
        "host": socket.gethostname(),
        "pid": pid,
        "started": psutil.Process(pid).create_time(),
    }


def owner_is_gone(record: dict[str, Any]) -> bool:
    """True only when the owner ran on this machine and has exited."""
    if record.get("host") != socket.gethostname():
        return False
    try:
        return bool(psutil.Process(record["pid"]).create_time() != record["started"])
    except psutil.NoSuchProcess:
        return True


async def create_database(
    connection: AsyncConnection, name: str, *, source: str | None = None, **facts: Any
) -> None:
    """Create `name` (a copy of database `source`, if given) and mark it as ours."""
    template = f" TEMPLATE {quote(connection, source)}" if source else ""
    await connection.execute(
        sa.text(f"CREATE DATABASE {quote(connection, name)}{template}")
    )
    await mark(connection, name, **facts)
    # Test data need not survive a crash: commits need not wait for the disk.
    await connection.execute(
        sa.text(
            f"ALTER DATABASE {quote(connection, name)} SET synchronous_commit = off"
        )
    )


async def mark(connection: AsyncConnection, name: str, **facts: Any) -> None:
    comment = MARKER + json.dumps({**owner(), **facts})
    literal = "'" + comment.replace("'", "''") + "'"
    await connection.execute(
        sa.text(f"COMMENT ON DATABASE {quote(connection, name)} IS {literal}")
    )


async def our_databases(
    connection: AsyncConnection, prefix: str
) -> dict[str, dict[str, Any]]:
    """Our databases whose names start with `prefix`, with what their markers record."""
    rows = await connection.execute(
        sa.text(
            "SELECT datname, shobj_description(oid, 'pg_database') FROM pg_database "
            "WHERE starts_with(datname, :prefix)"
        ),
        {"prefix": prefix},
    )
    return {
        name: json.loads(comment.removeprefix(MARKER))
        for name, comment in rows
        if comment and comment.startswith(MARKER)
    }


async def sweep(connection: AsyncConnection, prefix: str) -> list[str]:
    """Drop our databases under `prefix` whose makers have died; return their names."""
    dead = [
        name
        for name, record in (await our_databases(connection, prefix)).items()
        if not record.get("is_template") and owner_is_gone(record)
    ]
    for name in dead:
        await drop_database(connection, name)
    return dead


async def drop_database(connection: AsyncConnection, name: str) -> None:
    """Drop `name`, ending any connections still open to it."""
    await connection.execute(
        sa.text(f"DROP DATABASE IF EXISTS {quote(connection, name)} WITH (FORCE)")
    )


def quote(connection: AsyncConnection, name: str) -> str:
    return connection.dialect.identifier_preparer.quote_identifier(name)


@asynccontextmanager
async def admin_connection(server: URL) -> AsyncIterator[AsyncConnection]:
    """An autocommit connection: CREATE/DROP DATABASE refuse to run in a transaction."""
    engine = create_async_engine(
        server, isolation_level="AUTOCOMMIT", poolclass=NullPool
    )
    try:
        async with engine.connect() as connection:
            yield connection
    finally:
        await engine.dispose()


@asynccontextmanager
async def locked(
    connection: AsyncConnection, name: str, *, shared: bool = False
) -> AsyncIterator[None]:
    """An advisory lock named `name`, server-wide: held by one test process at a time,
    or, if `shared`, by any number of processes that do not hold it exclusively."""
    key = sa.func.hashtextextended(name, 0)
    lock = sa.func.pg_advisory_lock_shared if shared else sa.func.pg_advisory_lock
    unlock = sa.func.pg_advisory_unlock_shared if shared else sa.func.pg_advisory_unlock
    await connection.execute(sa.select(lock(key)))
    try:
        yield
    finally:
        await connection.execute(sa.select(unlock(key)))
