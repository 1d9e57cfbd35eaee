"""The embedded server starts only for a session that uses the database: a run of tests
that need none (with POSTGRES_DSN unset) starts no PostgreSQL process at all, with or
without pytest-xdist, while a run that needs one still gets it."""

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import platformdirs
import pytest

from tests.conftest import Bake
from tests.leftovers import servers_on

NO_DATABASE_TESTS = """
def test_adds() -> None:
    assert 1 + 1 == 2


def test_joins() -> None:
    assert "-".join("ab") == "a-b"
"""


SLUG = f"lazy-server-{os.getpid()}"


@pytest.fixture
def project(bake: Bake, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A baked project with two tests that use no database, whose embedded server's data
    directory is new to this test (and removed after it)."""
    monkeypatch.delenv("POSTGRES_DSN", raising=False)
    monkeypatch.setenv("TESTDB_PGDATA", str(pgdata()))
    shutil.rmtree(pgdata().parent, ignore_errors=True)
    project = bake(project_name=SLUG.replace("-", " ").title())
    (project / "tests/test_plain.py").write_text(NO_DATABASE_TESTS.lstrip())
    yield project
    shutil.rmtree(pgdata().parent, ignore_errors=True)


def pgdata() -> Path:
    """The baked project's embedded data directory, in the user's cache as for a user
    (a directory the server's own user can reach, when these tests run as root)."""
    return platformdirs.user_cache_path(SLUG) / "pgdata"


def servers_seen_during(project: Path, *args: str) -> set[int]:
    """Run pytest in `project`; return the PostgreSQL processes on its data directory
    seen while it ran (watched every few milliseconds)."""
    environment = {**os.environ, "PYTHONPATH": str(project / "src")}
    session = subprocess.Popen(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", *args],
        cwd=project,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    seen: set[int] = set()
    while session.poll() is None:
        seen |= servers_on(pgdata())
        time.sleep(0.005)
    output = session.communicate()[0]
    assert session.returncode == 0, output
    return seen


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(("tests/test_plain.py",), id="file"),
        pytest.param(("-k", "test_adds or test_joins"), id="deselected"),
        pytest.param(("-n", "2", "tests/test_plain.py"), id="xdist"),
    ],
)
def test_a_session_without_database_tests_starts_no_server(
    project: Path, args: tuple[str, ...]
) -> None:
    seen = servers_seen_during(project, *args)

    assert seen == set()
    assert not pgdata().exists(), "initdb ran for a session that needs no database"


@pytest.mark.parametrize("workers", ["0", "2"])
def test_a_session_with_a_database_test_starts_the_server_and_stops_it(
    project: Path, workers: str
) -> None:
    seen = servers_seen_during(
        project, "-n", workers, "tests/test_plain.py", "tests/test_settings.py"
    )

    assert seen, "no embedded server ran"
    assert servers_on(pgdata()) == set()
