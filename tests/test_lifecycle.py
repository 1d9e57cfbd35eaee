"""The test-database lifecycle of a rendered project across sessions: migrations run only
when they changed, xdist workers and concurrent sessions get databases of their own, and
neither a crash nor an unreachable server leaves the next run in trouble."""

import asyncio
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import EACH_DRIVER, Bake
from tests.leftovers import embedded_servers, session_databases
from tests.rendered import run_tests
from tests.servers import POSTGRES_DSN, SERVERS, needs_server
from tests.workers import DATABASE_NAME

# Only the recording tests: the migration checks run migrations on purpose.
LOG = (
    "-p",
    "no:randomly",
    "-o",
    "log_cli=true",
    "--log-cli-level=INFO",
    "tests/test_recording.py",
)
MIGRATION = "Running upgrade  -> 0001"

# Written into a baked project: tests that note the database they ran on, and one that
# signals it has started and then waits to be killed.
RECORDING_TESTS = """
import asyncio
import os
from pathlib import Path

import platformdirs
import pytest
import sqlalchemy as sa

from example_service.db import DBSessionManager


@pytest.mark.parametrize("number", range(12))
async def test_records_its_database(db: DBSessionManager, number: int) -> None:
    async with db.asessionmaker() as session:
        name = await session.scalar(sa.text("SELECT current_database()"))
    (Path(os.environ["RECORD_DIR"]) / str(name)).touch()
    await asyncio.sleep(0.05)


@pytest.mark.skipif("WAIT_FILE" not in os.environ, reason="only when a test waits")
async def test_waits_to_be_stopped(db: DBSessionManager) -> None:
    Path(os.environ["WAIT_FILE"]).touch()
    async with db.asessionmaker() as session:
        await session.execute(sa.text("SELECT pg_sleep(60)"))
"""

# Written into a baked project: a database test that waits until it is stopped.
STUCK_TEST = """
import os
import time
from pathlib import Path

from example_service.db import DBSessionManager


def test_is_stuck(db: DBSessionManager) -> None:
    Path(os.environ["WAIT_FILE"]).touch()
    time.sleep(60)
"""

# Written into a baked project: while one process clones the template, another clones
# it too, but a process that would rebuild or drop templates waits.
LOCK_TESTS = """
import asyncio
from contextlib import AbstractAsyncContextManager

from sqlalchemy.engine import URL

from testdb import databases, templates


async def enter(lock: AbstractAsyncContextManager[None]) -> None:
    async with lock:
        pass


async def test_clones_share_the_lock_that_rebuilds_wait_for(
    postgres_server: URL, migrate_db: str
) -> None:
    prefix = migrate_db.rsplit("_", 1)[0] + "_"
    project = migrate_db.rsplit("_template_", 1)[0]
    clone = databases.run_database_name(f"{project}_test")
    async with (
        databases.admin_connection(postgres_server) as cloning,
        databases.admin_connection(postgres_server) as other,
    ):
        async with databases.locked(cloning, prefix, shared=True):
            assert await asyncio.wait_for(templates.clone(other, migrate_db, clone), 30)
            await databases.drop_database(other, clone)
            rebuild = asyncio.create_task(enter(databases.locked(other, prefix)))
            await asyncio.sleep(1)
            assert not rebuild.done(), "a rebuild went ahead while a clone was running"
        await asyncio.wait_for(rebuild, 30)
"""


@pytest.fixture
def project(bake: Bake, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, driver: str) -> Path:
    """A baked project with the recording tests, and where they record."""
    project = bake(driver=driver)
    (project / "tests/test_recording.py").write_text(RECORDING_TESTS.lstrip())
    monkeypatch.setenv("RECORD_DIR", str(tmp_path))
    return project


def recorded(directory: Path) -> set[str]:
    return {path.name for path in directory.iterdir() if path.name.startswith(DATABASE_NAME)}


def start_pytest(
    project: Path, *args: str, postgres_dsn: str = "", ignore_ctrl_c: bool = False
) -> subprocess.Popen[str]:
    """Start pytest in the project; `ignore_ctrl_c` as a shell does for a job it starts
    in the background (`pytest ... &`): the process and its children ignore SIGINT."""
    environment = {**os.environ, "PYTHONPATH": str(project / "src"), "POSTGRES_DSN": ""}
    if postgres_dsn:
        environment["POSTGRES_DSN"] = postgres_dsn
    return subprocess.Popen(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", *args],
        cwd=project,
        env={name: value for name, value in environment.items() if value},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        preexec_fn=ignore_sigint if ignore_ctrl_c else None,
    )


def ignore_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def kill(session: subprocess.Popen[str]) -> None:
    session.kill()
    session.communicate()


def wait_for(path: Path, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not path.exists():
        assert time.monotonic() < deadline, f"{path} did not appear"
        time.sleep(0.1)


def test_second_session_runs_no_migration(project: Path) -> None:
    first = run_output(project, "--db-rebuild", *LOG)
    second = run_output(project, *LOG)

    assert MIGRATION in first
    assert "building template database" in first
    assert MIGRATION not in second
    assert "building template database" not in second


def test_editing_a_migration_rebuilds_the_template(project: Path) -> None:
    run_output(project, *LOG)
    migration = project / "src/example_service/migrations/versions/0001_initial.py"
    # An edit no run made before: the worker's embedded server outlives the session.
    migration.write_text(migration.read_text() + f"\n# edited {secrets.token_hex(4)}\n")

    output = run_output(project, *LOG)

    assert MIGRATION in output
    assert "building template database" in output


def test_xdist_workers_each_get_a_database(project: Path, tmp_path: Path) -> None:
    counts = run_tests(project, "-n", "2", "-p", "no:randomly", "tests/test_recording.py")

    names = recorded(tmp_path)
    assert counts == {"passed": 12, "skipped": 1}
    assert len(names) == 2
    assert {name[-4:] for name in names} == {"_gw0", "_gw1"}
    assert len({name[: -len("_gw0")] for name in names}) == 1, names
    assert embedded_servers() == set()


@SERVERS
def test_clones_run_side_by_side_and_rebuilds_wait_for_them(
    project: Path, postgres_dsn: str
) -> None:
    (project / "tests/test_locks.py").write_text(LOCK_TESTS.lstrip())

    counts = run_tests(project, "tests/test_locks.py", postgres_dsn=postgres_dsn)

    assert counts == {"passed": 1}


@SERVERS
def test_two_sessions_at_once_do_not_collide(
    project: Path, tmp_path: Path, postgres_dsn: str
) -> None:
    sessions = [start_pytest(project, postgres_dsn=postgres_dsn) for _ in range(2)]
    outputs = [session.communicate(timeout=300)[0] for session in sessions]

    assert [session.returncode for session in sessions] == [0, 0], outputs
    assert len(recorded(tmp_path)) == 2
    assert embedded_servers() == set()


def test_killed_session_leaves_nothing_that_breaks_the_next(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SIGKILL leaves the embedded server running; the next session reuses and stops it."""
    monkeypatch.setenv("WAIT_FILE", str(tmp_path / "waiting"))
    session = start_pytest(project, "-p", "no:randomly", "-k", "waits")
    wait_for(tmp_path / "waiting")
    kill(session)
    assert embedded_servers(), "the killed session's server outlives it"
    monkeypatch.delenv("WAIT_FILE")

    counts = run_tests(project)

    assert counts["passed"] > 12
    assert embedded_servers() == set()


@needs_server
def test_killed_sessions_database_is_swept_by_the_next(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = asyncio.run(session_databases(POSTGRES_DSN))
    monkeypatch.setenv("WAIT_FILE", str(tmp_path / "waiting"))
    session = start_pytest(project, "-k", "waits", postgres_dsn=POSTGRES_DSN)
    wait_for(tmp_path / "waiting")
    kill(session)
    left = asyncio.run(session_databases(POSTGRES_DSN)) - before
    assert len(left) == 1, "the killed session leaves its database"
    monkeypatch.delenv("WAIT_FILE")

    run_tests(project, postgres_dsn=POSTGRES_DSN)

    assert asyncio.run(session_databases(POSTGRES_DSN)) == before


@SERVERS
@EACH_DRIVER
def test_sigterm_ends_the_session_cleanly(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, postgres_dsn: str
) -> None:
    """As on a CI timeout, while a query runs: the teardown still drops the database and
    stops the server, and the session ends with pytest-xdist's short message and status."""
    before = asyncio.run(session_databases(postgres_dsn)) if postgres_dsn else set()
    monkeypatch.setenv("WAIT_FILE", str(tmp_path / "waiting"))
    session = start_pytest(project, "-k", "waits", postgres_dsn=postgres_dsn)
    wait_for(tmp_path / "waiting")

    session.send_signal(signal.SIGTERM)
    output = session.communicate(timeout=60)[0]

    assert session.returncode == pytest.ExitCode.INTERRUPTED, output
    assert "KeyboardInterrupt: SIGTERM" in output
    assert "Error" not in output, output
    assert len(output.splitlines()) < 10, output
    assert embedded_servers() == set()
    if postgres_dsn:
        assert asyncio.run(session_databases(postgres_dsn)) == before


def test_sigterm_to_an_xdist_run_still_stops_the_embedded_server(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """pytest-xdist kills a worker that does not stop within 10 s (here: one that ignores
    the interrupt xdist sends it): that worker never leaves the server's list of users,
    and must not keep the server running."""
    (project / "tests/test_stuck.py").write_text(STUCK_TEST.lstrip())
    monkeypatch.setenv("WAIT_FILE", str(tmp_path / "waiting"))
    session = start_pytest(project, "-n", "2", "tests/test_stuck.py", ignore_ctrl_c=True)
    wait_for(tmp_path / "waiting")
    assert embedded_servers(), "the stuck test's server is not running"

    session.send_signal(signal.SIGTERM)
    output = session.communicate(timeout=60)[0]

    assert session.returncode != 0, output
    assert embedded_servers() == set()


@EACH_DRIVER
def test_unreachable_server_fails_fast_with_one_clear_line(project: Path, driver: str) -> None:
    dsn = "postgresql://someone:secret-password@127.0.0.1:9/app"
    session = start_pytest(project, postgres_dsn=dsn)
    output = session.communicate(timeout=60)[0]

    assert session.returncode == pytest.ExitCode.USAGE_ERROR, output
    assert re.search(
        rf"cannot reach PostgreSQL at postgresql\+{driver}://someone:\*\*\*@127\.0\.0\.1:9/app: "
        r".+; fix POSTGRES_DSN, start that server, or unset it",
        output,
    ), output
    assert "secret-password" not in output
    assert "Traceback" not in output
    assert "ERROR at setup" not in output  # the session stopped before any test


def test_a_server_that_never_answers_stops_every_worker_with_one_line(project: Path) -> None:
    """The kernel completes the connection into the listening socket's backlog; nothing
    ever answers. The line a worker stops with reaches the user (pytest-xdist would
    otherwise report the worker as crashed and lose it)."""
    with socket.create_server(("127.0.0.1", 0)) as silent:
        dsn = f"postgresql://someone@127.0.0.1:{silent.getsockname()[1]}/app"
        session = start_pytest(project, "-n", "2", postgres_dsn=dsn)
        output = session.communicate(timeout=120)[0]

    assert session.returncode == pytest.ExitCode.USAGE_ERROR, output
    line = r"cannot reach PostgreSQL at .+: no answer within 5 s; fix POSTGRES_DSN"
    assert re.search(line, output), output
    assert "INTERNALERROR" not in output
    assert "Traceback" not in output


def run_output(project: Path, *args: str) -> str:
    session = start_pytest(project, *args)
    output = session.communicate(timeout=300)[0]
    assert session.returncode == 0, output
    return output


def test_clear_cache_deletes_the_embedded_servers_data(project: Path) -> None:
    run_output(project, "tests/test_recording.py")
    data = Path(os.environ["TESTDB_PGDATA"])
    assert (data / "PG_VERSION").is_file()

    output = run_output(project, "--db-clear-cache", "tests/test_recording.py", *LOG)

    assert f"cleared {data}" in output
    assert "building template database" in output, "a new server has no template yet"
    assert embedded_servers() == set()
