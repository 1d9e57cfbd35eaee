"""A real PgBouncer in transaction mode with a pool of 2, on a free loopback port in front
of POSTGRES_DSN's server, for as long as a test (or benchmarks/pooler.py) needs it."""

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import URL, make_url

START_TIMEOUT = 10  # seconds
CONFIG = """\
[databases]
* = host={host} port={port} user={user}{password}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {listen_port}
unix_socket_dir =
auth_type = trust
auth_file = {directory}/users.txt
pool_mode = transaction
default_pool_size = 2
max_client_conn = 1000
logfile = {directory}/pgbouncer.log
pidfile =
"""


class PgBouncerFailed(Exception):
    """PgBouncer is missing or did not start; the message says why."""


@dataclass(frozen=True)
class PgBouncer:
    url: URL  # the pooler, as POSTGRES_DSN names it
    log: Path

    def dsn(self, database: str) -> str:
        return self.url.set(database=database).render_as_string(hide_password=False)


@contextmanager
def pgbouncer(server_dsn: str) -> Iterator[PgBouncer]:
    """PgBouncer in front of `server_dsn`'s server, passing on any database name.

    It refuses to run as root: then it runs as `nobody`, from a directory it can read.
    """
    executable = shutil.which("pgbouncer")
    if executable is None:
        raise PgBouncerFailed("pgbouncer is not installed: apt-get install pgbouncer")
    server = make_url(server_dsn)
    directory = Path(tempfile.mkdtemp(prefix="pgbouncer-"))
    try:
        directory.chmod(0o777)
        port = free_port()
        password = f" password={server.password}" if server.password else ""
        (directory / "pgbouncer.ini").write_text(
            CONFIG.format(
                host=server.host or "127.0.0.1",
                port=server.port or 5432,
                user=server.username,
                password=password,
                listen_port=port,
                directory=directory,
            )
        )
        (directory / "users.txt").write_text(f'"{server.username}" ""\n')
        as_nobody = ["-u", "nobody"] if os.geteuid() == 0 else []
        process = subprocess.Popen(
            [executable, *as_nobody, str(directory / "pgbouncer.ini")],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        try:
            wait_for(process, port, directory / "pgbouncer.log")
            url = server.set(host="127.0.0.1", port=port, password=None)
            yield PgBouncer(url, directory / "pgbouncer.log")
        finally:
            process.terminate()
            process.communicate(timeout=10)
    finally:
        shutil.rmtree(directory)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for(process: "subprocess.Popen[str]", port: int, log: Path) -> None:
    """Until PgBouncer listens; a PgBouncer that exits or stays silent fails the test."""
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = (process.stdout.read() if process.stdout else "") + read(log)
            raise PgBouncerFailed(f"pgbouncer exited with status {process.returncode}:\n{output}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise PgBouncerFailed(
        f"pgbouncer did not listen on port {port} within {START_TIMEOUT} s:\n{read(log)}"
    )


def read(log: Path) -> str:
    return log.read_text() if log.exists() else ""
