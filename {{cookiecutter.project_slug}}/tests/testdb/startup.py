"""When the embedded server starts: early, but only for a session that needs it.

A pytest plugin (registered by conftest.py). Once the tests are collected and selected,
the server starts in a thread if one of them uses the database, so it starts while
pytest sets up the first tests; a session whose tests use no database (a `-k` run of
pure unit tests, say) starts no PostgreSQL at all. With pytest-xdist each worker decides
for its own tests; the controller, which collects nothing, only stops a server that its
killed workers left without users.
"""

import pytest

from testdb import embedded, server

# Every database fixture depends on this one (see conftest.py).
SERVER_FIXTURE = "postgres_server"


@pytest.hookimpl(trylast=True)  # after -k, -m and other plugins have deselected tests
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    if any(SERVER_FIXTURE in getattr(item, "fixturenames", ()) for item in items):
        server.start_early()


def pytest_unconfigure(config: pytest.Config) -> None:
    is_controller = config.pluginmanager.getplugin("dsession") is not None
    if is_controller and not server.given_server():
        embedded.stop_if_abandoned(server.data_directory())
