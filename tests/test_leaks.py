"""In the default rollback mode nothing a test does leaks into the tests after it: every
way the issue found either stays inside the test or fails that very test, with a message
naming the fix, whatever order the tests run in, on an embedded and on a real server."""

import os
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest

from tests.conftest import Bake
from tests.leak_cases import LEAK_TESTS, LEAKS, MIGRATION, PASSING
from tests.rendered import run_tests

POSTGRES_DSN = os.environ.get("POSTGRES_DSN", "")
needs_server = pytest.mark.skipif(
    not POSTGRES_DSN, reason="set POSTGRES_DSN to a PostgreSQL server to run this too"
)
RUNS = pytest.mark.parametrize(
    ("driver", "postgres_dsn", "seed"),
    [
        pytest.param("asyncpg", "", 1, id="embedded-1"),
        pytest.param("asyncpg", "", 2, id="embedded-2"),
        pytest.param("asyncpg", "", 3, id="embedded-3"),
        pytest.param("asyncpg", POSTGRES_DSN, 4, id="server-4", marks=needs_server),
        pytest.param("asyncpg", POSTGRES_DSN, 5, id="server-5", marks=needs_server),
        # A sample for the other driver: one order on each server.
        pytest.param("psycopg", "", 6, id="psycopg-embedded-6"),
        pytest.param("psycopg", POSTGRES_DSN, 7, id="psycopg-server-7", marks=needs_server),
    ],
)


def add_leak_cases(project: Path) -> None:
    (project / "tests/test_leaks.py").write_text(LEAK_TESTS.lstrip())
    versions = project / "src/example_service/migrations/versions"
    (versions / "0002_numbered.py").write_text(MIGRATION.lstrip())


def outcomes(report: Path) -> dict[str, str]:
    """Test name -> "" if it passed, else the message it failed or errored with."""
    found = {}
    for case in ElementTree.parse(report).getroot().iter("testcase"):
        problems = [
            child.get("message", "") for child in case if child.tag in ("failure", "error")
        ]
        found[case.get("name", "")] = "\n".join(problems)
    return found


@RUNS
def test_each_leak_fails_its_own_test_and_no_other(
    bake: Bake, tmp_path: Path, driver: str, postgres_dsn: str, seed: int
) -> None:
    project = bake(driver=driver)
    add_leak_cases(project)
    report = tmp_path / "report.xml"

    run_tests(
        project,
        *("tests/test_leaks.py", "-p", "randomly", f"--randomly-seed={seed}"),
        f"--junitxml={report}",
        postgres_dsn=postgres_dsn or None,
        expect_failures=True,
    )

    results = outcomes(report)
    failed = {name: message for name, message in results.items() if message}
    assert set(failed) == set(LEAKS), failed
    for name, part in LEAKS.items():
        assert part in failed[name]
        assert "db_commit" in failed[name] or "migration" in failed[name]
    assert len(results) - len(failed) == PASSING
