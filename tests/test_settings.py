"""A rendered project's settings: the environment, then `.env`, for the application and
Alembic; never `.env` for the tests. Alembic's database errors are one line."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.answers import DEFAULT_TEST_COUNT
from tests.conftest import EACH_DRIVER, Bake
from tests.rendered import python_in, run_tests
from tests.workers import DATABASE_NAME

POSTGRES_DSN = os.environ.get("POSTGRES_DSN", "")
# Nothing listens on port 1: connecting fails at once.
NOWHERE = "postgresql://postgres@127.0.0.1:1/{}"


def alembic(project: Path, *arguments: str, postgres_dsn: str | None = None) -> list[str]:
    """Run the project's alembic, expecting it to fail; return its output lines."""
    completed = python_in(
        project, "-m", "alembic", *arguments, postgres_dsn=postgres_dsn, timeout=120
    )
    assert completed.returncode != 0, completed.stdout
    return (completed.stdout + completed.stderr).strip().splitlines()


def test_without_postgres_dsn_alembic_says_so_in_one_line(bake: Bake) -> None:
    project = bake()

    assert alembic(project, "current") == [
        "FAILED: POSTGRES_DSN is not set (in the environment or .env); set it to a "
        f"PostgreSQL URL, e.g. postgresql://user:pw@localhost/{DATABASE_NAME}"
    ]


@EACH_DRIVER
def test_alembic_reads_dotenv_and_the_environment_beats_it(bake: Bake, driver: str) -> None:
    project = bake(driver=driver)
    (project / ".env").write_text(f"POSTGRES_DSN={NOWHERE.format('from_dotenv')}\n")

    [from_dotenv] = alembic(project, "current")
    [from_environment] = alembic(project, "current", postgres_dsn=NOWHERE.format("from_env"))

    assert from_dotenv.startswith(f"FAILED: cannot connect to postgresql+{driver}://")
    assert "127.0.0.1:1/from_dotenv: " in from_dotenv
    assert "127.0.0.1:1/from_env: " in from_environment


def test_a_malformed_postgres_dsn_is_named(bake: Bake) -> None:
    project = bake()

    assert alembic(project, "current", postgres_dsn="localhost:5432") == [
        "FAILED: 'localhost:5432' is not a database URL; "
        "use postgresql://user:password@host:port/database"
    ]


@pytest.mark.skipif(not POSTGRES_DSN, reason="set POSTGRES_DSN to run this")
@EACH_DRIVER
def test_a_missing_database_is_one_line_naming_it(bake: Bake, driver: str) -> None:
    project = bake(driver=driver)
    missing = POSTGRES_DSN.rsplit("/", 1)[0] + "/no_such_database_here"

    [line] = alembic(project, "upgrade", "head", postgres_dsn=missing)

    assert line.startswith("FAILED: cannot connect to ")
    assert 'database "no_such_database_here" does not exist' in line
    assert line.endswith("or run alembic through `dev-db run -- alembic ...` (see the README)")


def test_the_tests_read_no_dotenv(bake: Bake) -> None:
    """A developer's .env pointing elsewhere moves no test run, and breaks none."""
    project = bake()
    dotenv = f"POSTGRES_DSN={NOWHERE.format('from_dotenv')}\nDB_POOL_SIZE=not-a-number\n"
    (project / ".env").write_text(dotenv)

    assert run_tests(project, postgres_dsn=POSTGRES_DSN or None) == {"passed": DEFAULT_TEST_COUNT}


def test_env_example_names_only_real_settings(bake: Bake) -> None:
    """Every variable in .env.example is one the settings read, with a valid value."""
    project = bake()
    check = (
        "from dotenv import dotenv_values\n"
        "from example_service.settings import Settings\n"
        "names = {name.lower() for name in dotenv_values('.env.example')}\n"
        "assert names <= set(Settings.model_fields), names - set(Settings.model_fields)\n"
        "print(Settings(_env_file='.env.example'))\n"
    )
    environment = {**os.environ, "PYTHONPATH": str(project / "src")}
    for name in ("POSTGRES_DSN", "DB_POOL_SIZE", "DB_MAX_OVERFLOW", "DB_ECHO"):
        environment.pop(name, None)
    completed = subprocess.run(
        [sys.executable, "-c", check],
        cwd=project,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )

    assert completed.returncode == 0, completed.stderr
    assert "db_pool_size=5" in completed.stdout
