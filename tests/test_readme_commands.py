"""The rendered README's commands work as written: a new user with no PostgreSQL server
goes from `pip install` to "add a column, write its migration, run the tests" with them,
then serves the app and calls it.

The project is baked with framework=fastapi, whose README is the default one plus the
app's section. The fenced bash blocks of the README's test, migration,
development-database and app sections are run literally, in order, in one shell in a
freshly baked project, with POSTGRES_DSN unset (the embedded server). Then, when the
template's tests have a server, the same walk again in the same shell after the
`export POSTGRES_DSN=...` the README asks of such users: a second user's day, on a server.
Between the sections each walk makes the user's one edit: a new column in the models.
"""

import asyncio
import os
import re
import secrets
import shlex
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from cookiecutter.main import cookiecutter

from tests.leftovers import drop_project_databases
from tests.readme import commands, environment, stop_at_first_failure
from tests.template_copy import TEMPLATE
from tests.workers import database_name as worker_database_name

POSTGRES_DSN = os.environ.get("POSTGRES_DSN", "")
TEST_SECTION = "Run the tests"
EDIT_THEN_RUN = ("Migrations", "A development database", "Run the app")
# The column each walk adds to the first model: embedded, then on the server.
NEW_COLUMNS = ("sku", "barcode")


def add_column(models: Path, column: str) -> str:
    """A command making the user's edit: a new nullable column on the first model."""
    line = f"    {column}: Mapped[str | None] = mapped_column(sa.String(40))\n"
    edit = (
        "import pathlib, re, sys\n"
        "path = pathlib.Path(sys.argv[1])\n"
        "new = lambda m: m[1] + sys.argv[2]\n"
        "path.write_text(re.sub(r'(__tablename__ = .*\\n)', new, path.read_text(), count=1))\n"
    )
    return f"python -c {shlex.quote(edit)} {shlex.quote(str(models))} {shlex.quote(line)}"


def walk(readme: str, project: Path, column: str) -> list[str]:
    """The README's commands from install to the app, with the edit adding `column`."""
    tests = commands(readme, TEST_SECTION)
    lines = [*tests, add_column(project / "src/example_service/models.py", column)]
    lines += [line for title in EDIT_THEN_RUN for line in commands(readme, title)]
    return lines + [line for line in tests if line.startswith("ruff ")]  # the new migration too


@pytest.fixture
def database_name() -> Iterator[str]:
    """A database name of this test's own; on the server, its databases are dropped after."""
    name = worker_database_name(f"readme_{secrets.token_hex(3)}")
    yield name
    if POSTGRES_DSN:
        asyncio.run(drop_project_databases(POSTGRES_DSN, name))


@pytest.fixture
def project(database_name: str) -> Iterator[Path]:
    """A new project in a directory every user may enter.

    Run as root, the embedded server runs as another user, which must reach the server
    binaries in the project's .venv: pytest's own temporary directories admit only root.
    """
    parent = Path(tempfile.mkdtemp(prefix="readme-commands-"))
    parent.chmod(0o755)
    try:
        answers = {"database_name": database_name, "framework": "fastapi"}
        yield Path(
            cookiecutter(str(TEMPLATE), no_input=True, extra_context=answers, output_dir=parent)
        )
    finally:
        shutil.rmtree(parent)


def test_readme_from_install_to_a_tested_migration(project: Path, database_name: str) -> None:
    readme = (project / "README.md").read_text()
    servers: list[str | None] = [None, POSTGRES_DSN] if POSTGRES_DSN else [None]
    lines = walk(readme, project, NEW_COLUMNS[0])
    if POSTGRES_DSN:
        lines += [f"export POSTGRES_DSN={shlex.quote(POSTGRES_DSN)}"]
        lines += walk(readme, project, NEW_COLUMNS[1])
    try:
        completed = subprocess.run(
            ["bash", "-c", stop_at_first_failure(lines)],
            cwd=project,
            env=environment(None),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=1200,
            check=False,
        )
    finally:
        drop_dev_databases(project, servers)
    output = completed.stdout
    assert completed.returncode == 0, output

    for column in NEW_COLUMNS[: len(servers)]:
        assert f"Detected added column 'product.{column}'" in output
    migrations = (project / "src/example_service/migrations/versions").glob("*_add_a_column.py")
    assert ["op.add_column" in path.read_text() for path in migrations] == [True] * len(servers)
    summaries = re.findall(r"\b(\d+) passed in", output)
    assert len(summaries) == 2 * len(servers), output  # before each edit, after its migration
    assert output.count(f"dropped {database_name}_dev") == len(servers)
    assert output.count('"GET /product HTTP/1.1" 200 OK') == len(servers)
    assert output.count("Finished server process") == len(servers)  # stopped when told to


def drop_dev_databases(project: Path, servers: list[str | None]) -> None:
    """What a failed run may have left: the development database on each server."""
    dev_db = project / ".venv/bin/dev-db"
    if dev_db.exists():
        for postgres_dsn in servers:
            shell = environment(postgres_dsn)
            subprocess.run([dev_db, "drop"], cwd=project, env=shell, check=False)
