"""The rendered migration checks catch what they are there for: each one fails on a
project broken in its way, and passes on a user's second, correct migration."""

from pathlib import Path

from tests.conftest import Bake
from tests.rendered import run, run_tests

ADD_TABLE = '''"""{message}"""

import sqlalchemy as sa
from alembic import op

revision = "{revision}"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("{table}", sa.Column("id", sa.Integer(), primary_key=True))


def downgrade() -> None:
    {downgrade}
'''
MODEL = """

class {name}(Base):
    __tablename__ = "{table}"

    id: Mapped[int] = mapped_column(primary_key=True)
"""


def add_migration(project: Path, revision: str, table: str, downgrade: str) -> None:
    versions = project / "src/example_service/migrations/versions"
    text = ADD_TABLE.format(
        message=f"Add {table}.", revision=revision, table=table, downgrade=downgrade
    )
    (versions / f"{revision}_{table}.py").write_text(text)


def add_model(project: Path, name: str, table: str) -> None:
    models = project / "src/example_service/models.py"
    models.write_text(models.read_text() + MODEL.format(name=name, table=table))


def migration_checks(project: Path, expect_failures: bool = True) -> str:
    """The project's migration tests, on a template built from its own migrations and
    seed even when the worker's server has one of the same hash already."""
    return run(
        project,
        *("-m", "pytest", "-p", "no:cacheprovider", "-p", "no:randomly", "--db-rebuild"),
        "tests/test_migrations.py",
        expect_failures=expect_failures,
    )


def test_a_second_correct_migration_passes_every_check(bake: Bake) -> None:
    """A user's own migration and model are covered with no change to the tests."""
    project = bake()
    add_migration(project, "0002", "tag", downgrade='op.drop_table("tag")')
    add_model(project, "Tag", "tag")

    assert run_tests(project, "tests/test_migrations.py") == {"passed": 4}


def test_two_heads_fail_the_single_head_check(bake: Bake) -> None:
    project = bake()
    add_migration(project, "0002", "tag", downgrade='op.drop_table("tag")')
    add_migration(project, "0003", "label", downgrade='op.drop_table("label")')

    output = migration_checks(project)

    assert "FAILED tests/test_migrations.py::test_single_head" in output
    assert "migrations have 2 heads" in output


def test_a_missing_downgrade_fails_the_stairway(bake: Bake) -> None:
    project = bake()
    add_migration(project, "0002", "tag", downgrade="pass")
    add_model(project, "Tag", "tag")

    output = migration_checks(project)

    assert "FAILED tests/test_migrations.py::test_stairway_up_down_up" in output
    assert 'relation "tag" already exists' in output
    assert "FAILED tests/test_migrations.py::test_downgrade_to_base_leaves_no_trace" in output


def test_a_model_without_a_migration_fails_the_model_check(bake: Bake) -> None:
    project = bake()
    add_model(project, "Tag", "tag")

    output = migration_checks(project)

    assert "FAILED tests/test_migrations.py::test_models_match_the_migrated_schema" in output
    assert "add_table" in output
    assert "tag" in output
