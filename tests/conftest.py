"""A fixture that bakes the template with given answers and checks the bake succeeded."""

import asyncio
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import platformdirs
import pytest

from tests import workers
from tests.answers import DRIVERS
from tests.leftovers import drop_templates, marked_databases

Bake = Callable[..., Path]
# An app the tests copy and adopt the test database into, with tests of its own.
collect_ignore = ["existing_project"]
# Overrides the `driver` fixture: the test runs once with each driver.
EACH_DRIVER = pytest.mark.parametrize("driver", DRIVERS)


@pytest.fixture
def driver() -> str:
    """The `driver` answer a test's project is baked with, where the test asks for it."""
    return "asyncpg"


@pytest.fixture
def bake(cookies: Any) -> Bake:
    """Bake with `answers` over the defaults; return the project directory."""

    def bake_answers(**answers: str) -> Path:
        result = cookies.bake(extra_context={**workers.ANSWERS, **answers})
        assert result.exception is None, result.exception
        assert result.exit_code == 0
        return Path(result.project_path)

    return bake_answers


@pytest.fixture(autouse=True)
def skip_smoke_test(monkeypatch: pytest.MonkeyPatch) -> None:
    """Bakes skip the post-generation smoke test unless a test removes this variable."""
    monkeypatch.setenv("SKIP_SMOKE_TEST", "1")


@pytest.fixture(autouse=True)
def leaves_nothing_on_the_server() -> Iterator[None]:
    """A test leaves no database of the rendered fixtures on POSTGRES_DSN's server: the
    templates its projects kept for later sessions are dropped, and no other may remain."""
    dsn = os.environ.get("POSTGRES_DSN")
    if not dsn:
        yield
        return
    before = asyncio.run(marked_databases(dsn))
    yield
    after = asyncio.run(marked_databases(dsn))
    made = {name: kind for name, kind in after.items() if name not in before}
    asyncio.run(drop_templates(dsn, {name for name, kind in made.items() if kind == "template"}))
    assert {name for name, kind in made.items() if kind != "template"} == set()


@pytest.fixture(autouse=True, scope="session")
def inner_runs_have_their_own_tmpdir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The rendered projects' own pytest runs keep their temporary files apart from ours.

    Run as root, the embedded server runs as another user, who must reach the project's
    .venv under this session's temporary directory. pytest makes its temporary root
    private again whenever a run uses tmp_path, so an inner run sharing that root would
    lock the server out of the project.
    """
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TMPDIR", str(tmp_path_factory.mktemp("inner-tmp")))
        yield


@pytest.fixture(autouse=True, scope="session")
def workers_kept_apart(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Under pytest-xdist, each worker's projects use names, an embedded server and a
    cookiecutter config of their own; their pytest runs are not xdist workers."""
    with pytest.MonkeyPatch.context() as patch:
        for name, value in workers.keep_apart(tmp_path_factory.mktemp("worker")).items():
            patch.setenv(name, value)
        for name in workers.XDIST_VARIABLES:
            patch.delenv(name, raising=False)
        yield


@pytest.fixture(autouse=True, scope="session")
def one_embedded_server_per_worker(workers_kept_apart: None) -> Iterator[None]:
    """The rendered projects' embedded servers keep their data in one directory per worker
    (TESTDB_PGDATA), which stays warm; each bake's default, keyed by its new path, would
    run initdb and build a template for every project. Tests of the default unset it."""
    with pytest.MonkeyPatch.context() as patch:
        pgdata = platformdirs.user_cache_path("template-tests") / "pgdata"
        patch.setenv("TESTDB_PGDATA", str(pgdata))
        yield


@pytest.fixture(autouse=True, scope="session")
def mypy_cache_shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Every mypy run of the session (one per rendered project) shares one cache, so only
    the first checks the libraries; mypy still rechecks every file that changed."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MYPY_CACHE_DIR", str(tmp_path_factory.mktemp("mypy-cache")))
        yield
