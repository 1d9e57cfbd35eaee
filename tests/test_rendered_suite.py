"""The rendered project's own test suite passes on an embedded and on a real PostgreSQL, in
both isolation modes and in any order, and leaves no test database or server process
behind.

Every run below shuffles the suite with a new seed (pytest-randomly, which the project's
test extra installs; its header line names the seed to replay a failure), so the sample of
projects is also a sample of orders."""

import asyncio

import pytest

from tests.answers import API_SUITES, DEFAULT_TEST_COUNT, SUITES, TRUNCATE_TEST_COUNT
from tests.conftest import EACH_DRIVER, Bake
from tests.leftovers import embedded_servers, session_databases
from tests.rendered import run_tests
from tests.servers import POSTGRES_DSN, SERVERS, needs_server

PROJECTS = pytest.mark.parametrize(
    ("answers", "expected"), list(SUITES.values()), ids=list(SUITES)
)
ISOLATIONS = pytest.mark.parametrize("isolation", ["rollback", "truncate"])
# framework=fastapi: the app's tests run inside each mode's isolation, the concurrent-request
# tests included.
API_PROJECTS = pytest.mark.parametrize(
    ("answers", "expected"), list(API_SUITES.values()), ids=list(API_SUITES)
)

# Written into a baked project: tests that fail after writing, one per way of isolating.
FAILING_TESTS = """
import pytest

from example_service.db import DBSessionManager

from factories import add_review


async def test_fails_after_writing(db: DBSessionManager) -> None:
    async with db.asessionmaker() as session:
        await add_review(session)
        await session.commit()
    raise AssertionError("fails on purpose, leaving rows behind if isolation is broken")


@pytest.mark.db_commit
async def test_fails_after_committing(db: DBSessionManager) -> None:
    await test_fails_after_writing(db)
"""


@PROJECTS
def test_suite_passes_on_embedded_postgres(
    bake: Bake, answers: dict[str, str], expected: int
) -> None:
    project = bake(**answers)

    counts = run_tests(project)

    assert counts == {"passed": expected}
    assert embedded_servers() == set()


@needs_server
@PROJECTS
def test_suite_passes_on_a_real_server(bake: Bake, answers: dict[str, str], expected: int) -> None:
    assert POSTGRES_DSN
    project = bake(**answers)
    before = asyncio.run(session_databases(POSTGRES_DSN))

    counts = run_tests(project, postgres_dsn=POSTGRES_DSN)

    assert counts == {"passed": expected}
    assert asyncio.run(session_databases(POSTGRES_DSN)) == before


@API_PROJECTS
@SERVERS
def test_fastapi_suite_passes(
    bake: Bake, answers: dict[str, str], expected: int, postgres_dsn: str
) -> None:
    project = bake(framework="fastapi", **answers)

    counts = run_tests(project, postgres_dsn=postgres_dsn or None)

    assert counts == {"passed": expected}
    assert embedded_servers() == set()


@ISOLATIONS
@EACH_DRIVER
def test_tables_are_empty_after_failing_tests(bake: Bake, isolation: str, driver: str) -> None:
    """The failing tests run first (file order, no shuffling); every later check passes."""
    project = bake(test_isolation=isolation, driver=driver)
    (project / "tests/test_aaa_failing.py").write_text(FAILING_TESTS.lstrip())

    counts = run_tests(project, "-p", "no:randomly", expect_failures=True)

    passed = DEFAULT_TEST_COUNT if isolation == "rollback" else TRUNCATE_TEST_COUNT
    assert counts == {"failed": 2, "passed": passed}


def test_failing_tests_file_fails_on_its_own(bake: Bake) -> None:
    """Guards the test above: the injected tests really run and fail."""
    project = bake()
    (project / "tests/test_aaa_failing.py").write_text(FAILING_TESTS.lstrip())

    counts = run_tests(project, "tests/test_aaa_failing.py", expect_failures=True)

    assert counts == {"failed": 2}
