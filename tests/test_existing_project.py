"""The rendered README's "Using the test database in an existing project", followed to the
letter on a small app laid out the common way (tests/existing_project/): a module-level
FastAPI `app` whose routes take `Depends(get_session)`, settings that build the database
URL from host and port, and the env.py `alembic init -t async` writes, which calls
`asyncio.run()`.

The README's blocks are used as written: its bash blocks run in one shell, its
`tests/testdb/project.py` replaces the copied one, its `run_migrations_online` replaces
env.py's, its `client` fixture ends the copied conftest.py and its pytest table replaces
the app's. The app's own database settings point at a closed port, so a test that
reached it would fail. Before env.py is changed, the session stops with the one line
the README promises; after, the app's tests pass, embedded and on POSTGRES_DSN's server.
"""

import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from cookiecutter.main import cookiecutter

from tests.leftovers import servers_on
from tests.readme import blocks, commands, environment, stop_at_first_failure
from tests.rendered import summary
from tests.template_copy import TEMPLATE
from tests.workers import database_name

POSTGRES_DSN = os.environ.get("POSTGRES_DSN", "")
SECTION = "Using the test database in an existing project"
APP = Path(__file__).parent / "existing_project"
# The app's own database: nothing listens there.
APP_DATABASE = {"DB_HOST": "127.0.0.1", "DB_PORT": "9"}
PYTEST_TABLE = re.compile(r"^\[tool\.pytest\.ini_options\]\n(?:(?!\[).*\n)*", re.M)
ENV_PY_LINE = "env.py called asyncio.run() inside the tests' event loop"


@pytest.fixture
def workspace() -> Iterator[Path]:
    """A rendered project and, next to it, the app as `shop`, in a directory every user
    may enter (run as root, the embedded server runs as another user)."""
    parent = Path(tempfile.mkdtemp(prefix="existing-project-"))
    parent.chmod(0o755)
    try:
        answers = {"database_name": database_name()}
        cookiecutter(str(TEMPLATE), no_input=True, extra_context=answers, output_dir=parent)
        shutil.copytree(APP, parent / "shop")
        yield parent
    finally:
        shutil.rmtree(parent)


def shell(directory: Path, script: str, postgres_dsn: str | None = None) -> tuple[int, str]:
    """Run `script` in bash in `directory`, in the app's virtual environment."""
    completed = subprocess.run(
        ["bash", "-c", f". {directory.parent / 'shop/.venv/bin/activate'}\n{script}"],
        cwd=directory,
        env={**environment(postgres_dsn), **APP_DATABASE},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=900,
        check=False,
    )
    return completed.returncode, completed.stdout


def install_app(shop: Path) -> None:
    """The app as it was: its virtual environment, with its own dependencies."""
    subprocess.run(["python3", "-m", "venv", shop / ".venv"], check=True)
    status, output = shell(shop, "pip install --quiet -e '.[test]'")
    assert status == 0, output


def adopt(project: Path, shop: Path, readme: str) -> None:
    """Every step of the README but the env.py change, as written."""
    status, output = shell(project, stop_at_first_failure(commands(readme, SECTION)[:-1]))
    assert status == 0, output
    project_py, _, client = blocks(readme, SECTION, "python")
    (shop / "tests/testdb/project.py").write_text(project_py)
    with (shop / "tests/conftest.py").open("a") as conftest:
        conftest.write("\n\n" + client)
    [settings] = blocks(readme, SECTION, "toml")
    pyproject = shop / "pyproject.toml"
    merged, count = PYTEST_TABLE.subn(lambda _: settings, pyproject.read_text())
    assert count == 1
    pyproject.write_text(merged)


def change_env_py(shop: Path, readme: str) -> None:
    """Replace env.py's run_migrations_online with the README's."""
    function = blocks(readme, SECTION, "python")[1]
    env_py = shop / "migrations/env.py"
    old = re.compile(r"^def run_migrations_online\(.*?(?=^\S)", re.M | re.S)
    changed, count = old.subn(lambda _: function + "\n\n", env_py.read_text())
    assert count == 1
    env_py.write_text(changed)


def test_an_existing_app_adopts_the_test_database(workspace: Path) -> None:
    [project] = [path for path in workspace.iterdir() if path.name != "shop"]
    shop = workspace / "shop"
    readme = (project / "README.md").read_text()
    run_tests = commands(readme, SECTION)[-1]
    install_app(shop)
    adopt(project, shop, readme)

    status, output = shell(shop, run_tests)
    assert status == pytest.ExitCode.USAGE_ERROR, output
    assert ENV_PY_LINE in output, output
    assert "Traceback" not in output

    change_env_py(shop, readme)
    for postgres_dsn in [None, *([POSTGRES_DSN] if POSTGRES_DSN else [])]:
        status, output = shell(shop, run_tests, postgres_dsn)
        assert status == 0, output
        assert summary(output) == {"passed": 3}, output
    assert servers_on(Path(os.environ["TESTDB_PGDATA"])) == set()
