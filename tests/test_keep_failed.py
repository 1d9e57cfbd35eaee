"""`pytest --db-keep-failed` keeps the database of each failed test, and only of those,
shows how to open it, and leaves it until `pytest --db-clear-kept` drops it."""

import asyncio
import re
from pathlib import Path

import asyncpg

from tests.answers import DEFAULT_TEST_COUNT
from tests.conftest import Bake
from tests.leftovers import session_databases
from tests.rendered import run
from tests.servers import SERVERS_WITH_A_DRIVER_EACH
from tests.workers import DATABASE_NAME

KEPT = re.compile(
    rf"^psql '(?P<url>postgresql://[^']*/(?P<name>{DATABASE_NAME}_kept_[0-9a-f]{{8}})\S*)'$", re.M
)

# Written into a baked project: one test fails after committing a review, one passes.
TESTS = """
from example_service.db import DBSessionManager

from factories import add_review


async def add_and_commit(db: DBSessionManager) -> None:
    async with db.asessionmaker() as session:
        await add_review(session)
        await session.commit()


async def test_fails_after_writing(db: DBSessionManager) -> None:
    await add_and_commit(db)
    raise AssertionError("fails on purpose")


async def test_passes(db: DBSessionManager) -> None:
    await add_and_commit(db)
"""


def pytest_output(
    project: Path, *arguments: str, postgres_dsn: str | None, expect_failures: bool = False
) -> str:
    return run(
        project,
        *("-m", "pytest", "-p", "no:cacheprovider", *arguments),
        postgres_dsn=postgres_dsn,
        expect_failures=expect_failures,
    )


async def rows_in(url: str, query: str) -> int:
    connection = await asyncpg.connect(url)
    try:
        return int(await connection.fetchval(query))
    finally:
        await connection.close()


@SERVERS_WITH_A_DRIVER_EACH
def test_a_failed_tests_database_is_kept_until_cleared(
    bake: Bake, postgres_dsn: str, driver: str
) -> None:
    project = bake(driver=driver)
    (project / "tests/test_keep.py").write_text(TESTS.lstrip())
    dsn = postgres_dsn or None

    output = pytest_output(project, "--db-keep-failed", postgres_dsn=dsn, expect_failures=True)

    summary = f"1 failed, {DEFAULT_TEST_COUNT} passed, 1 skipped"
    assert summary in output, output
    kept = [match["name"] for match in KEPT.finditer(output)]
    assert len(kept) == 1, output
    failure = output.split("test_fails_after_writing ___", 1)[1].split("\n___", 1)[0]
    assert kept[0] in failure, "shown with the failure of the test that failed"
    if postgres_dsn:
        match = next(KEPT.finditer(output))
        assert asyncio.run(rows_in(match["url"], "SELECT count(*) FROM review")) == 1
        seed = "SELECT count(*) FROM product WHERE name = 'seed'"
        assert asyncio.run(rows_in(match["url"], seed)) == 1, "it has the seed's row"
    # A later session, which sweeps the databases of crashed ones, leaves it alone.
    pytest_output(project, "tests/test_keep.py::test_passes", postgres_dsn=dsn)

    cleared = pytest_output(
        project, "--db-clear-kept", "tests/test_keep.py::test_passes", postgres_dsn=dsn
    )

    assert f"dropped kept databases: {kept[0]}" in cleared
    again = pytest_output(
        project, "--db-clear-kept", "tests/test_keep.py::test_passes", postgres_dsn=dsn
    )
    assert "no kept databases" in again
    if postgres_dsn:
        assert asyncio.run(session_databases(postgres_dsn, f"{DATABASE_NAME}_kept_")) == set()
