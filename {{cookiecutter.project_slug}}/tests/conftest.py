"""The test database in three tiers: schema, database, data of one test.

    postgres_server session   POSTGRES_DSN's server, or an embedded PostgreSQL when it
                              is unset
    migrate_db      session   the schema: a template database migrated to head, with
                              the seed's rows (tests/seed.py), built only when a
                              migration or the seed changed (never create_all)
    create_test_db  session   this session's own database, cloned from the template;
                              POSTGRES_DSN names it while the tests run
    db              function  a DBSessionManager on it; each test starts with the
                              seed's rows only
    empty_db        function  a database with no schema, for testing migrations

Tests ask for `db`. The machinery that is not a fixture lives in tests/testdb/.
"""

from collections.abc import AsyncIterator, Callable
from typing import Literal

import pytest
from sqlalchemy.engine import URL

from testdb import (
    databases,
    interrupt,
    isolation,
    kept,
    migrations,
    roles,
    seeding,
    server,
    startup,
    templates,
)
from testdb.kept import pytest_runtest_makereport  # noqa: F401 - shows kept databases
from testdb.leak_guard import LeakGuard
from testdb.project import METADATA, NAME, DBSessionManager, read_environment_only
from testdb.stop import (
    pytest_testnodedown,  # noqa: F401 - stops xdist sessions too
    stop_session,
)

# How `db` keeps tests apart (a test marked db_commit always commits): "rollback" runs
# each test in a transaction that is rolled back; "truncate" commits for real and
# empties the tables after each test.
ISOLATION: Literal["rollback", "truncate"] = "{{ cookiecutter.test_isolation }}"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("test database")
    group.addoption(
        "--db-rebuild",
        action="store_true",
        help="rebuild the template database even if no migration changed",
    )
    group.addoption(
        "--db-clear-cache",
        action="store_true",
        help="delete the embedded PostgreSQL's data directory, then run as usual",
    )
    group.addoption(
        "--db-keep-failed",
        action="store_true",
        help="run each test committed in a database of its own; keep it if it fails",
    )
    group.addoption(
        "--db-clear-kept",
        action="store_true",
        help="drop the databases --db-keep-failed kept, then run as usual",
    )


def pytest_configure(config: pytest.Config) -> None:
    read_environment_only()
    if config.getoption("db_clear_cache") and not hasattr(config, "workerinput"):
        print(server.clear_cache())
    if config.getoption("db_clear_kept") and not hasattr(config, "workerinput"):
        print(kept.clear(NAME))
    if not config.getoption("collectonly"):
        # Starts the embedded server once the tests are collected, if they need it.
        config.pluginmanager.register(startup, "testdb.startup")
    # A CI timeout sends SIGTERM: end like Ctrl-C, so the teardown drops this
    # session's database and stops the embedded server.
    interrupt.install()


@pytest.fixture(scope="session")
async def postgres_server(pytestconfig: pytest.Config) -> AsyncIterator[URL]:
    """A URL on the server the test databases are made on; the session stops at once,
    with one line saying what to do, if the server cannot be reached."""
    try:
        async with server.postgres_server() as url:
            yield url
    except (server.ServerUnavailable, roles.NotAllowed) as error:
        stop_session(pytestconfig, str(error))


@pytest.fixture(scope="session")
async def migrate_db(request: pytest.FixtureRequest, postgres_server: URL) -> str:
    """The name of a template database at the newest migration, with the seed's rows.

    Its name carries a hash of the migrations and the seed: a changed migration or
    seed gets a new template, built once, and an unchanged one runs nothing at all.
    `--db-rebuild` forces a rebuild. Of several test processes, the first builds and
    the others wait.
    """
    rebuild = request.config.getoption("db_rebuild")
    return await ensure_template(request.config, postgres_server, rebuild=rebuild)


async def ensure_template(
    config: pytest.Config, server: URL, *, rebuild: bool = False
) -> str:
    try:
        async with databases.admin_connection(server) as connection:
            return await migrations.ensure_template(server, connection, rebuild=rebuild)
    except (roles.NotAllowed, migrations.EnvPyError, seeding.SeedError) as error:
        stop_session(config, str(error))


@pytest.fixture(scope="session")
async def create_test_db(
    request: pytest.FixtureRequest, postgres_server: URL, migrate_db: str
) -> AsyncIterator[URL]:
    """This session's own database, a clone of the template; dropped at the end.

    Databases left by crashed or killed sessions are dropped first; those of sessions
    still running, and any database these fixtures did not make, are left alone.
    """
    name = databases.run_database_name(f"{NAME}_test")
    async with databases.admin_connection(postgres_server) as connection:
        await databases.sweep(connection, NAME, say=tell(request.config))
        while not await templates.clone(connection, migrate_db, name):
            # Retired meanwhile: build it again.
            migrate_db = await ensure_template(request.config, postgres_server)
    url = postgres_server.set(database=name)
    try:
        with pytest.MonkeyPatch.context() as environment:
            dsn = server.app_url(url).render_as_string(hide_password=False)
            environment.setenv("POSTGRES_DSN", dsn)
            yield url
    finally:
        async with databases.admin_connection(postgres_server) as connection:
            await databases.drop_database(connection, name)


def tell(config: pytest.Config) -> Callable[[str], None]:
    """Write a line to the terminal, past pytest's capture of output."""
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    capture = config.pluginmanager.get_plugin("capturemanager")
    if reporter is None or capture is None:
        return print

    def write_line(line: str) -> None:
        with capture.global_and_fixture_disabled():
            reporter.write_line(line)

    return write_line


@pytest.fixture
async def empty_db(postgres_server: URL) -> AsyncIterator[URL]:
    """A database of the test's own with no schema at all, for testing migrations."""
    name = databases.run_database_name(f"{NAME}_test_m")
    async with databases.admin_connection(postgres_server) as connection:
        await databases.create_database(connection, name, kind="run", project=NAME)
    try:
        yield postgres_server.set(database=name)
    finally:
        async with databases.admin_connection(postgres_server) as connection:
            await databases.drop_database(connection, name)


@pytest.fixture(scope="session")
async def shared_manager(create_test_db: URL) -> AsyncIterator[DBSessionManager]:
    """One DBSessionManager, and so one engine and pool, for the whole session; behind
    a pooler (POSTGRES_ADMIN_DSN set), it connects through POSTGRES_DSN's."""
    manager = DBSessionManager(server.app_url(create_test_db))
    yield manager
    await manager.close()


@pytest.fixture(scope="session")
async def leak_guard(shared_manager: DBSessionManager) -> AsyncIterator[LeakGuard]:
    """Fails a test whose rows or objects outlived it (see testdb/leak_guard.py)."""
    guard = await LeakGuard.open(shared_manager.engine, METADATA)
    yield guard
    await guard.close()


@pytest.fixture
async def db(
    request: pytest.FixtureRequest,
    shared_manager: DBSessionManager,
    leak_guard: LeakGuard,
) -> AsyncIterator[DBSessionManager]:
    """A DBSessionManager on the migrated test database; every test starts with the
    seed's rows (tests/seed.py) and nothing else.

    With ISOLATION "rollback", the test runs inside one transaction that is rolled
    back afterwards. Its sessions join that transaction with savepoints, so the code
    under test may commit, roll back and recover from errors as in production, while
    other connections see none of it. With "truncate", or for a test marked
    `@pytest.mark.db_commit` (other connections must see its data, or the code under
    test makes its own engine), sessions commit for real and the tables are emptied
    afterwards; `db_commit(reset_sequences=True)` also restarts identity sequences
    before the test (a seeded table's right after the seed's values).

    In rollback mode, `db.engine.connect()`/`begin()` and sessions used concurrently
    fail at once (they would work outside the test's transaction: use db_commit), and
    rows or objects that outlived the test fail it and are cleaned up.
    With `--db-keep-failed`, each test commits in a database of its own, kept if the
    test fails (see tests/testdb/kept.py).
    """
    if request.config.getoption("db_keep_failed"):
        url = request.getfixturevalue("postgres_server")
        template = request.getfixturevalue("migrate_db")
        async with kept.kept_if_failed(request, url, template, NAME) as manager:
            yield manager
        return
    marker = request.node.get_closest_marker("db_commit")
    if marker is None and ISOLATION == "rollback":
        failures = request.session.testsfailed
        async with isolation.rolled_back(
            shared_manager.engine,
            leak_guard,
            test_failed=lambda: request.session.testsfailed > failures,
        ) as manager:
            yield manager
        return
    reset_sequences = bool(marker and marker.kwargs.get("reset_sequences"))
    async with isolation.committed(
        shared_manager, METADATA, leak_guard, reset_sequences=reset_sequences
    ) as manager:
        yield manager
