"""Create and drop test databases; never touch a database these functions did not make.

Each database made here carries a COMMENT naming its maker. A leftover from a crashed
run has it and is dropped; one without it is the user's and is left alone (an error).
"""

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import sqlalchemy as sa
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine
from sqlalchemy.pool import NullPool

MARKER = "test database made by the test fixtures; dropped when the tests end"


def worker_database_name(base: str) -> str:
    """`base`, or `base_gw0`, `base_gw1`, ... under pytest-xdist, one per worker."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    return f"{base}_{worker}" if worker else base


async def create_database(server: URL, name: str) -> URL:
    """Create `name` on the server (replacing a leftover of ours) and return its URL."""
    async with admin_connection(server) as connection:
        if await database_exists(connection, name):
            await drop_leftover(connection, name)
        quoted = quote(connection, name)
        await connection.execute(sa.text(f"CREATE DATABASE {quoted}"))
        await connection.execute(sa.text(f"COMMENT ON DATABASE {quoted} IS '{MARKER}'"))
        # Test data need not survive a crash: commits need not wait for the disk.
        await connection.execute(
            sa.text(f"ALTER DATABASE {quoted} SET synchronous_commit = off")
        )
    return server.set(database=name)


async def drop_database(server: URL, name: str) -> None:
    """Drop `name`, ending any connections still open to it."""
    async with admin_connection(server) as connection:
        await connection.execute(
            sa.text(f"DROP DATABASE IF EXISTS {quote(connection, name)} WITH (FORCE)")
        )


async def drop_leftover(connection: AsyncConnection, name: str) -> None:
    comment = await connection.scalar(
        sa.text(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database "
            "WHERE datname = :name"
        ),
        {"name": name},
    )
    if comment != MARKER:
        raise RuntimeError(
            f"database {name!r} already exists on the server and was not made by these "
            "test fixtures, so they will not drop it; drop it yourself or rename the "
            "test database in tests/conftest.py"
        )
    await connection.execute(
        sa.text(f"DROP DATABASE {quote(connection, name)} WITH (FORCE)")
    )


async def database_exists(connection: AsyncConnection, name: str) -> bool:
    found = await connection.scalar(
        sa.text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
    )
    return found is not None


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
