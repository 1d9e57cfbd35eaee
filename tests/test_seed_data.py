"""Seed data (the rendered tests/seed.py): loaded once into the template, part of its hash,
larger than a page of the API's lists if need be, and a seed that raises stops the
session, and dev-db, with one line naming it and the row."""

import secrets
from pathlib import Path

import pytest

from tests.answers import API_TEST_COUNT, DEFAULT_TEST_COUNT
from tests.conftest import EACH_DRIVER, Bake
from tests.rendered import python_in, run, run_tests

LOG = ("-p", "no:randomly", "-o", "log_cli=true", "--log-cli-level=INFO")
BUILDING = "building template database"

# Written into a baked project: what the tests see of the seed's rows.
NAMES_TEST = """
import sqlalchemy as sa

from example_service.db import DBSessionManager
from example_service.models import Product


async def test_sees_the_seed(db: DBSessionManager) -> None:
    async with db.asessionmaker() as session:
        names = (await session.scalars(sa.select(Product.name))).all()
    assert names == [{name!r}]
"""

# Written over a baked project's tests/seed.py: more products than a list route's page
# (api/session.py's MAX_LIMIT, 1 000) holds.
LARGE_SEED = """
from sqlalchemy.ext.asyncio import AsyncSession

from example_service.models import Product


async def seed(session: AsyncSession) -> None:
    session.add_all(Product(name=f"seed {number}") for number in range(1_200))
"""


def pytest_output(project: Path, *arguments: str) -> str:
    return run(project, "-m", "pytest", "-p", "no:cacheprovider", *LOG, *arguments)


def edit_seed(project: Path, old: str, new: str) -> None:
    seed = project / "tests/seed.py"
    text = seed.read_text()
    assert old in text
    seed.write_text(text.replace(old, new, 1))


def test_a_changed_seed_builds_a_new_template_and_an_unchanged_one_runs_nothing(
    bake: Bake,
) -> None:
    project = bake()
    test = project / "tests/test_names.py"
    test.write_text(NAMES_TEST.format(name="seed").lstrip())

    # A seed no run made before: the worker's embedded server outlives the session.
    new_name = f"changed seed {secrets.token_hex(4)}"

    first = pytest_output(project, "--db-rebuild", "tests/test_names.py")
    unchanged = pytest_output(project, "tests/test_names.py")
    edit_seed(project, 'name="seed"', f"name={new_name!r}")
    test.write_text(NAMES_TEST.format(name=new_name).lstrip())
    changed = pytest_output(project, "tests/test_names.py", "tests/test_seed.py")

    assert BUILDING in first
    assert BUILDING not in unchanged
    assert "Running upgrade" not in unchanged
    assert BUILDING in changed
    assert "6 passed" in changed


def test_a_seed_larger_than_a_page_passes_the_app_suite(bake: Bake) -> None:
    """The API's tests read a list route page by page, as a client would."""
    project = bake(framework="fastapi")
    (project / "tests/seed.py").write_text(LARGE_SEED.lstrip())

    counts = run_tests(project)

    assert counts == {"passed": DEFAULT_TEST_COUNT + API_TEST_COUNT["default"]}


@EACH_DRIVER
def test_a_raising_seed_stops_tests_and_dev_db_with_one_line_naming_the_row(
    bake: Bake, driver: str
) -> None:
    project = bake(driver=driver)
    # Five good rows, then one too long for name str(100), all flushed in one INSERT.
    edit_seed(
        project,
        "    session.add(\n",
        "    session.add_all([Product(name=str(n)) for n in range(5)])\n"
        '    session.add(Product(name="x" * 101))\n'
        "    session.add(\n",
    )

    tests = python_in(project, "-m", "pytest", "-p", "no:cacheprovider")
    dev_db = python_in(project, "-m", "example_service.dev_db", "create")

    output = tests.stdout + tests.stderr
    assert tests.returncode == pytest.ExitCode.USAGE_ERROR, output
    row = f"product row (name='{'x' * 101}'"
    line = f"the seed failed (tests/seed.py): {row}"
    assert line in output, output
    assert "value too long for type character varying(100)" in output
    assert "fix the seed, then run the tests again" in output
    assert "Traceback" not in output
    assert dev_db.returncode == 1, dev_db.stderr
    assert dev_db.stderr.startswith(f"dev-db: {line}"), dev_db.stderr
    assert len(dev_db.stderr.splitlines()) == 1, dev_db.stderr


def test_a_seed_that_raises_itself_is_named_with_its_line(bake: Bake) -> None:
    project = bake()
    edit_seed(
        project, "    session.add(\n", '    raise ValueError("no such row")\n    session.add(\n'
    )
    line = next(
        number
        for number, text in enumerate((project / "tests/seed.py").read_text().splitlines(), 1)
        if "raise ValueError" in text
    )

    tests = python_in(project, "-m", "pytest", "-p", "no:cacheprovider")

    output = tests.stdout + tests.stderr
    assert tests.returncode == pytest.ExitCode.USAGE_ERROR, output
    assert f"the seed failed (tests/seed.py, line {line}): ValueError: no such row" in output
    assert "Traceback" not in output
