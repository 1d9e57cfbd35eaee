"""Render benchmark projects from the template, with as many tables as a run asks for,
in a work directory that takes their embedded servers' data with it."""

import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from cookiecutter.main import cookiecutter

TEMPLATE = Path(__file__).resolve().parents[1]
PYTHON = sys.executable  # the rendered projects run in this environment


def models_spec(tables: int) -> str:
    """`tables` tables in a tree of foreign keys, so TRUNCATE ... CASCADE has work to do."""
    specs = ["t000: name str(50), size int?"]
    for index in range(1, tables):
        specs.append(f"t{index:03d}: name str(50), size int?, parent_id -> t{index // 2:03d}")
    return "; ".join(specs)


SEED = '''"""Seed data of the benchmark: {rows} rows in t000."""

from sqlalchemy.ext.asyncio import AsyncSession

from {package}.models import T000


async def seed(session: AsyncSession) -> None:
    session.add_all(T000(name=f"seed {{number}}") for number in range({rows}))
'''


def render_project(output: Path, tables: int, *, smoke_test: bool = False, **answers: str) -> Path:
    """Render a project with `tables` tables into `output`, with no seed data (the
    benchmarks measure the machinery; write_seed adds some).

    With `smoke_test`, the template's hook also makes the project's .venv, holding only
    its `[test]` extra, and runs its tests there, as it does for a user.
    """
    os.environ["SKIP_SMOKE_TEST"] = "0" if smoke_test else "1"
    context = {"project_name": f"Bench {tables}", "models": models_spec(tables), **answers}
    project = Path(
        cookiecutter(str(TEMPLATE), no_input=True, extra_context=context, output_dir=output)
    )
    write_seed(project, 0)
    return project


def write_seed(project: Path, rows: int) -> None:
    """Make the project's tests/seed.py add `rows` rows to table t000."""
    [models] = (project / "src").glob("*/models.py")
    text = SEED.format(rows=rows, package=models.parent.name)
    (project / "tests/seed.py").write_text(text)


def project_environment(project: Path) -> dict[str, str]:
    """This interpreter's environment, with the project's src/ and tests/ importable."""
    paths = [str(project / "src"), str(project / "tests")]
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join(paths)}
    # A user's own data directory is never the benchmark's to start cold (delete).
    for name in ("POSTGRES_DSN", "TESTDB_PGDATA"):
        environment.pop(name, None)
    return environment


def data_directory(project: Path) -> Path:
    """Where the project's embedded server keeps its data (its own code says)."""
    where = "from testdb import server; print(server.data_directory())"
    python = venv_python(project)
    completed = subprocess.run(
        [python if python.exists() else PYTHON, "-c", where],
        cwd=project,
        env=project_environment(project),
        capture_output=True,
        text=True,
        check=True,
    )
    return Path(completed.stdout.strip())


@contextlib.contextmanager
def workdir() -> Iterator[Path]:
    """A temporary directory to render projects in. Each project's embedded server keeps
    its data in the user's cache, keyed by the project's path: once the directory is
    gone nothing would use that data again, so it goes too."""
    with tempfile.TemporaryDirectory() as directory:
        try:
            yield Path(directory)
        finally:
            for server in Path(directory).glob("**/tests/testdb/server.py"):
                shutil.rmtree(data_directory(server.parents[2]).parent, ignore_errors=True)


def venv_python(project: Path) -> Path:
    return project / ".venv" / "bin" / "python"
