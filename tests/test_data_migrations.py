"""The rendered `migrating` helper tests a data migration on its rows: the README's example
test passes for a user's second migration that splits a column and copies the data, fails
showing the rows for one that forgets to copy them, and a revision or column that is not
there fails the test with one line naming what is."""

import re
from pathlib import Path

from tests.conftest import Bake
from tests.rendered import run, run_tests, summary

MODELS = "person: full_name str(200)"
SPLIT = '''"""Split person.full_name into first_name and last_name.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("person", sa.Column("first_name", sa.String(100), nullable=True))
    op.add_column("person", sa.Column("last_name", sa.String(100), nullable=True))
{copy}    op.drop_column("person", "full_name")


def downgrade() -> None:
    op.add_column("person", sa.Column("full_name", sa.String(200), nullable=True))
    op.execute("UPDATE person SET full_name = concat_ws(' ', first_name, last_name)")
    op.alter_column("person", "full_name", nullable=False)
    op.drop_column("person", "last_name")
    op.drop_column("person", "first_name")
'''
COPY = """    op.execute(
        "UPDATE person SET first_name = split_part(full_name, ' ', 1),"
        " last_name = substring(full_name from ' (.*)')"
    )
"""
EXAMPLE = "tests/test_0002_split_full_name.py"
MISSING = """from sqlalchemy.engine import URL

from testdb.data_migrations import migrating


async def test_no_such_revision(empty_db: URL) -> None:
    async with migrating(empty_db, to="0003"):
        pass


async def test_no_such_column_yet(empty_db: URL) -> None:
    async with migrating(empty_db, to="0002") as step:
        await step.insert("person", {"first_name": "Ada"})
"""


def readme_example(project: Path) -> str:
    """The test module the rendered README shows under "Testing a data migration"."""
    readme = (project / "README.md").read_text()
    section = re.search(r"^### Testing a data migration\n(.*?)(?=^##)", readme, re.M | re.S)
    assert section, "the rendered README has no section 'Testing a data migration'"
    block = re.search(r"^```python\n(.*?)^```", section[1], re.M | re.S)
    assert block, "that section has no python block"
    return block[1]


def project_with_split(bake: Bake, *, copies_data: bool) -> Path:
    """A project with a person table, a 0002 that splits its full_name, and the README's
    example test of 0002."""
    project = bake(models=MODELS)
    versions = project / "src/example_service/migrations/versions"
    (versions / "0002_split_full_name.py").write_text(
        SPLIT.format(copy=COPY if copies_data else "")
    )
    (project / EXAMPLE).write_text(readme_example(project))
    return project


def test_a_data_migration_that_copies_the_data_passes(bake: Bake) -> None:
    project = project_with_split(bake, copies_data=True)

    run(project, "-m", "ruff", "check", EXAMPLE)
    run(project, "-m", "ruff", "format", "--check", EXAMPLE)
    run(project, "-m", "mypy", "--strict")
    assert run_tests(project, "tests/test_data_migrations.py", EXAMPLE) == {"passed": 2}


def test_a_data_migration_that_forgets_the_data_fails_showing_the_rows(bake: Bake) -> None:
    project = project_with_split(bake, copies_data=False)

    output = run(project, "-m", "pytest", "-p", "no:cacheprovider", EXAMPLE, expect_failures=True)

    assert f"FAILED {EXAMPLE}::test_0002_splits_full_name" in output
    assert (
        "At index 0 diff: {'first_name': None, 'last_name': None}"
        " != {'first_name': 'Ada', 'last_name': 'Lovelace'}"
    ) in output


def test_a_revision_or_column_that_is_not_there_fails_with_one_line(bake: Bake) -> None:
    project = project_with_split(bake, copies_data=True)
    (project / "tests/test_missing.py").write_text(MISSING)

    output = run(
        project,
        *("-m", "pytest", "-p", "no:cacheprovider", "tests/test_missing.py"),
        expect_failures=True,
    )

    error = "testdb.data_migrations.MigrationTestError: "
    assert f"{error}no revision '0003'; the revisions are 0001, 0002\n" in output
    assert (
        f"{error}no column 'first_name' in person at revision 0001; its columns: id, full_name\n"
    ) in output
    assert summary(output) == {"failed": 2}
