"""CI shards of one rendered project (pytest-split), run at once on one server, as the
rendered README's "Splitting the tests across runners" has them: durations stored by its
first command, then three shards, one of them its second command as written.

The shards' tests do not overlap and together are the whole collection, though each
shard shuffles its tests (pytest-randomly) with a seed of its own; every test passes;
one shard builds the template and the others clone it (one migration run in all); no
database or server is left behind; and the stored durations name every test.
"""

import asyncio
import json
import os
import re
import secrets
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import Bake
from tests.leftovers import drop_project_databases, servers_on, session_databases
from tests.readme import commands
from tests.rendered import environment_in
from tests.servers import SERVERS
from tests.workers import database_name as worker_database_name

SECTION = "Splitting the tests across runners"
SHARDS = 3
PASSED = re.compile(r"^PASSED (tests/\S+::\S+)", re.MULTILINE)  # of -rA's summary
BUILT = "building template database"


@pytest.fixture
def database_name(request: pytest.FixtureRequest) -> Iterator[str]:
    """A name of this test's own, so the shards find no template and one must build it."""
    name = worker_database_name(f"shards_{secrets.token_hex(3)}")
    yield name
    dsn = request.node.callspec.params["postgres_dsn"]
    if dsn:
        asyncio.run(drop_project_databases(dsn, name))


def pytest_command(line: str) -> list[str]:
    """A README line `pytest ...` as this environment's Python runs it."""
    arguments = line.split()
    assert arguments[0] == "pytest", line
    return [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *arguments[1:]]


def start(project: Path, command: list[str], postgres_dsn: str | None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [*command, "-rA", "--log-cli-level=INFO"],
        cwd=project,
        env=environment_in(project, postgres_dsn),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def collected(project: Path, postgres_dsn: str | None) -> set[str]:
    listing = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--collect-only", "-q"],
        cwd=project,
        env=environment_in(project, postgres_dsn),
        capture_output=True,
        text=True,
        check=True,
    )
    return {line for line in listing.stdout.splitlines() if "::" in line}


@SERVERS
def test_shards_on_one_server_split_the_suite_and_share_one_template(
    bake: Bake, database_name: str, postgres_dsn: str | None
) -> None:
    project = bake(database_name=database_name, framework="fastapi")
    readme = (project / "README.md").read_text()
    store_durations, one_shard = commands(readme, SECTION)
    shard_commands = [
        pytest_command(one_shard.replace("--group 2", f"--group {group}"))
        for group in range(1, SHARDS + 1)
    ]
    assert pytest_command(one_shard) in shard_commands  # the README's own, as written

    shards = [start(project, command, postgres_dsn) for command in shard_commands]
    outputs = [shard.communicate(timeout=600)[0] for shard in shards]

    for shard, output in zip(shards, outputs, strict=True):
        assert shard.returncode == 0, output
    ran = [set(PASSED.findall(output)) for output in outputs]
    assert sum(map(len, ran)) == len(set().union(*ran))  # no test in two shards
    assert set().union(*ran) == collected(project, postgres_dsn)
    assert [BUILT in output for output in outputs].count(True) == 1
    assert_nothing_left(database_name, postgres_dsn)

    stored = subprocess.run(
        pytest_command(store_durations),
        cwd=project,
        env=environment_in(project, postgres_dsn),
        capture_output=True,
        text=True,
        check=False,
    )
    assert stored.returncode == 0, stored.stdout + stored.stderr
    durations = json.loads((project / ".test_durations").read_text())
    assert set(durations) == set().union(*ran)


def assert_nothing_left(database_name: str, postgres_dsn: str | None) -> None:
    if postgres_dsn:
        assert asyncio.run(session_databases(postgres_dsn, f"{database_name}_test")) == set()
    assert servers_on(Path(os.environ["TESTDB_PGDATA"])) == set()
