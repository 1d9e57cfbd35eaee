"""`dev-db`: a development database at head, on the embedded server or POSTGRES_DSN's,
that survives test sessions, is never touched by them, and is dropped only by its command."""

import asyncio
import os
import secrets
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest

from tests.conftest import Bake
from tests.leftovers import drop_project_databases
from tests.rendered import python_in, run_tests
from tests.servers import POSTGRES_DSN, SERVERS_WITH_A_DRIVER_EACH, needs_server
from tests.workers import database_name

# Run by `dev-db run`: print the names of the products, which the seed (tests/seed.py) added.
SHOW_SEED = """
import asyncio, os, re
import asyncpg

async def main():
    dsn = re.sub(r"^postgresql\\+\\w+", "postgresql", os.environ["POSTGRES_DSN"])
    connection = await asyncpg.connect(dsn)
    print([row["name"] for row in await connection.fetch("SELECT name FROM product")])
    await connection.close()

asyncio.run(main())
"""


def dev_db(
    project: Path, *arguments: str, postgres_dsn: str | None = None, status: int = 0
) -> str:
    """Run the project's dev-db (its console script's module); return its output once it
    has ended with `status`. POSTGRES_DSN is `postgres_dsn`, or unset for the embedded server."""
    completed = python_in(
        project, "-m", "example_service.dev_db", *arguments, postgres_dsn=postgres_dsn, timeout=300
    )
    output = completed.stdout + completed.stderr
    assert completed.returncode == status, f"dev-db {' '.join(arguments)}:\n{output}"
    return output


async def query(dsn: str, statement: str) -> list[asyncpg.Record]:
    connection = await asyncpg.connect(dsn)
    try:
        rows: list[asyncpg.Record] = await connection.fetch(statement)
        return rows
    finally:
        await connection.close()


@pytest.fixture
def name() -> str:
    """A database name of the test's own, so tests running side by side never meet."""
    return database_name(f"devdb_{secrets.token_hex(3)}")


@pytest.fixture
def project(bake: Bake, name: str, driver: str) -> Iterator[Path]:
    """A project using `name`; its databases on POSTGRES_DSN's server are dropped after."""
    yield bake(database_name=name, driver=driver)
    if POSTGRES_DSN:
        asyncio.run(drop_project_databases(POSTGRES_DSN, name))


@SERVERS_WITH_A_DRIVER_EACH
def test_create_run_and_drop_around_a_test_session(
    project: Path, name: str, postgres_dsn: str
) -> None:
    name = f"{name}_dev"

    created = dev_db(project, "create", postgres_dsn=postgres_dsn)
    assert f"created {name} at the newest migration" in created
    assert f"/{name}" in created.splitlines()[0]
    assert created.startswith("postgresql://")

    again = dev_db(project, "create", postgres_dsn=postgres_dsn)
    assert "created" not in again, "a second create keeps the database it made"

    current = [sys.executable, "-m", "alembic", "current"]
    assert "0001 (head)" in dev_db(project, "run", "--", *current, postgres_dsn=postgres_dsn)
    seed = [sys.executable, "-c", SHOW_SEED]
    assert "['seed']" in dev_db(project, "run", "--", *seed, postgres_dsn=postgres_dsn)

    counts = run_tests(project, postgres_dsn=postgres_dsn)
    assert counts.get("failed") is None, counts
    after_tests = dev_db(project, "run", "--", *current, postgres_dsn=postgres_dsn)
    assert "0001 (head)" in after_tests, "a test session leaves the dev database alone"

    assert f"dropped {name}" in dev_db(project, "drop", postgres_dsn=postgres_dsn)
    assert "nothing to drop" in dev_db(project, "drop", postgres_dsn=postgres_dsn)


def test_run_sets_postgres_dsn_for_the_command_and_passes_its_status(
    project: Path, name: str
) -> None:
    show = "import os, sys; print(os.environ['POSTGRES_DSN']); sys.exit(3)"
    try:
        output = dev_db(project, "run", "--", sys.executable, "-c", show, status=3)
    finally:
        dev_db(project, "drop")

    assert f"/{name}_dev?" in output
    assert "POSTGRES_DSN" not in os.environ or "_dev" not in os.environ["POSTGRES_DSN"]


def test_run_without_a_command_says_how_to_call_it(project: Path) -> None:
    output = dev_db(project, "run", status=2)

    assert "run needs a command: dev-db run -- alembic upgrade head" in output


@needs_server
def test_a_database_dev_db_did_not_make_is_never_dropped(project: Path, name: str) -> None:
    name = f"{name}_dev"
    asyncio.run(query(POSTGRES_DSN, f'CREATE DATABASE "{name}"'))

    dropped = dev_db(project, "drop", postgres_dsn=POSTGRES_DSN, status=1)
    created = dev_db(project, "create", postgres_dsn=POSTGRES_DSN, status=1)

    assert dropped == f"dev-db: database {name} was not made by dev-db; not dropping it\n"
    assert created.startswith(f"dev-db: database {name} exists but dev-db did not make it")

    rows = asyncio.run(query(POSTGRES_DSN, f"SELECT 1 FROM pg_database WHERE datname = '{name}'"))
    assert len(rows) == 1


def test_without_the_test_suite_it_says_what_to_install(project: Path) -> None:
    shutil.rmtree(project / "tests")

    message = dev_db(project, "create", status=2).strip()

    assert message.startswith("dev-db: no test suite at ")
    assert message.endswith("(pip install -e '.[test]')")
