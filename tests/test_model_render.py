"""Specs that once rendered broken projects now render clean ones whose suite passes, and the
drift check (`alembic check`) sees a unique constraint or an index the migration lacks."""

import os

import pytest

from tests.answers import SHARED_FILES_TEST_COUNT
from tests.conftest import Bake
from tests.rendered import run, run_tests

POSTGRES_DSN = os.environ.get("POSTGRES_DSN")

# A text default that is a bind parameter in sa.text(), one of 48 characters, a nullable
# foreign-key cycle, a table whose only column refers to itself, unique and indexed columns.
HOSTILE_MODELS = (
    "author: email str(200) = ':x' index, nick str(20) unique, favourite_id -> book?;"
    " book: isbn str(13) unique, title text = '" + "t" * 48 + "', author_id -> author;"
    " n: parent_id -> n?"
)
# Three round trips, the cascade from book to author, and the 31 fixed tests.
HOSTILE_TEST_COUNT = 4 + 14 + SHARED_FILES_TEST_COUNT["rollback"]


def test_once_broken_spec_renders_a_clean_project_whose_suite_passes(bake: Bake) -> None:
    project = bake(models=HOSTILE_MODELS)

    run(project, "-m", "ruff", "check", ".")
    run(project, "-m", "ruff", "format", "--check", ".")
    run(project, "-m", "mypy", "--strict")
    assert run_tests(project) == {"passed": HOSTILE_TEST_COUNT}


@pytest.mark.skipif(not POSTGRES_DSN, reason="set POSTGRES_DSN to a PostgreSQL server")
def test_once_broken_spec_renders_a_suite_that_passes_on_a_server(bake: Bake) -> None:
    project = bake(models=HOSTILE_MODELS)

    assert run_tests(project, postgres_dsn=POSTGRES_DSN) == {"passed": HOSTILE_TEST_COUNT}


@pytest.mark.parametrize(
    ("modifier", "operation"), [("unique", "remove_constraint"), ("index", "remove_index")]
)
def test_the_drift_check_sees_a_modifier_the_migration_lacks(
    bake: Bake, modifier: str, operation: str
) -> None:
    project = bake(models=f"book: isbn str(13) {modifier}")
    models = project / "src/example_service/models.py"
    models.write_text(models.read_text().replace(f"        {modifier}=True,\n", ""))

    output = run(
        project,
        *("-m", "pytest", "-p", "no:cacheprovider", "-p", "no:randomly"),
        "tests/test_migrations.py::test_models_match_the_migrated_schema",
        expect_failures=True,
    )

    assert "FAILED tests/test_migrations.py::test_models_match_the_migrated_schema" in output
    assert operation in output
    assert "isbn" in output
