"""The rendered project's own test suite passes on an embedded and on a real PostgreSQL,
and leaves no database, data directory or server process behind."""

import asyncio
import os

import asyncpg
import pytest

from tests.answers import DEFAULT_TEST_COUNT, RICH_MODELS, RICH_TEST_COUNT
from tests.conftest import Bake
from tests.leftovers import embedded_data_dirs, embedded_servers
from tests.rendered import run_tests

POSTGRES_DSN = os.environ.get("POSTGRES_DSN")
needs_server = pytest.mark.skipif(
    not POSTGRES_DSN, reason="set POSTGRES_DSN to a PostgreSQL server to run this too"
)
SPECS = pytest.mark.parametrize(
    ("models", "expected"),
    [(None, DEFAULT_TEST_COUNT), (RICH_MODELS, RICH_TEST_COUNT)],
    ids=["default", "rich"],
)


async def fixture_databases(dsn: str) -> set[str]:
    """Databases named like those the rendered fixtures make (example_db_test...)."""
    connection = await asyncpg.connect(dsn)
    try:
        rows = await connection.fetch(
            "SELECT datname FROM pg_database WHERE datname LIKE 'example_db_test%'"
        )
        return {row["datname"] for row in rows}
    finally:
        await connection.close()


@SPECS
def test_suite_passes_on_embedded_postgres(bake: Bake, models: str | None, expected: int) -> None:
    project = bake(models=models) if models else bake()
    servers, data_dirs = embedded_servers(), embedded_data_dirs()

    counts = run_tests(project)

    assert counts == {"passed": expected}
    assert embedded_servers() == servers
    assert embedded_data_dirs() == data_dirs


@needs_server
@SPECS
def test_suite_passes_on_a_real_server(bake: Bake, models: str | None, expected: int) -> None:
    assert POSTGRES_DSN
    project = bake(models=models) if models else bake()
    before = asyncio.run(fixture_databases(POSTGRES_DSN))

    counts = run_tests(project, postgres_dsn=POSTGRES_DSN)

    assert counts == {"passed": expected}
    assert asyncio.run(fixture_databases(POSTGRES_DSN)) == before
