"""Where a rendered project's embedded server keeps its data: by default in the user's
cache, keyed by the database name and the checkout's path, so two projects (two left on
the default names, say) never share a server by accident; TESTDB_PGDATA puts it where
it says."""

import shutil
from pathlib import Path

import platformdirs
import pytest

from tests import workers
from tests.conftest import Bake
from tests.leftovers import servers_on
from tests.rendered import run, run_tests

WHERE = (
    "import sys; sys.path.insert(0, 'tests'); "
    "from testdb import server; print(server.data_directory())"
)


def data_directory(project: Path) -> Path:
    """The data directory the project's own code picks."""
    return Path(run(project, "-c", WHERE).strip())


@pytest.fixture(autouse=True)
def default_place(monkeypatch: pytest.MonkeyPatch) -> None:
    """The template's suite pins the data directory; these tests look at the default."""
    monkeypatch.delenv("TESTDB_PGDATA")
    monkeypatch.delenv("POSTGRES_DSN", raising=False)


def test_two_checkouts_with_the_same_answers_get_a_server_each(bake: Bake) -> None:
    first, second = bake(), bake()

    places = [data_directory(first), data_directory(second)]

    assert places[0] != places[1]
    for place in places:
        assert place.parent.parent == platformdirs.user_cache_path("testdb")
        assert place.parent.name.startswith(f"{workers.DATABASE_NAME}-")
        assert place.name == "pgdata"
    assert data_directory(first) == places[0], "the same checkout, the same place"


def test_the_suite_runs_its_server_there_and_stops_it(bake: Bake) -> None:
    project = bake()
    place = data_directory(project)
    try:
        counts = run_tests(project, "tests/test_settings.py")

        assert counts == {"passed": 4}
        assert (place / "PG_VERSION").is_file()
        assert servers_on(place) == set()
    finally:
        shutil.rmtree(place.parent, ignore_errors=True)


def test_testdb_pgdata_puts_it_where_it_says(
    bake: Bake, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("TESTDB_PGDATA", str(tmp_path / "elsewhere"))

    assert data_directory(bake()) == tmp_path / "elsewhere"
