"""The test database in three tiers: server and database, schema, data of one test.

    create_test_db  session   an empty `<database>_test` on POSTGRES_DSN's server, or
                              on an embedded PostgreSQL when POSTGRES_DSN is unset
    migrate_db      session   the schema, by Alembic's `upgrade head` (never create_all)
    db              function  a DBSessionManager on the test database; each test starts
                              with empty tables

Tests ask for `db` and get a migrated, empty database. The machinery that is not a
fixture lives in tests/testdb/.
"""

from collections.abc import AsyncIterator
from typing import Literal

import pytest
from sqlalchemy.engine import URL

from {{ cookiecutter.package_name }}.db import DBSessionManager
from {{ cookiecutter.package_name }}.models import Base

from testdb import databases, isolation, migrations, server

TEST_DATABASE = "{{ cookiecutter.database_name }}_test"
# How `db` keeps tests apart (a test marked db_commit always commits): "rollback" runs
# each test in a transaction that is rolled back; "truncate" commits for real and
# empties the tables after each test.
ISOLATION: Literal["rollback", "truncate"] = "{{ cookiecutter.test_isolation }}"


@pytest.fixture(scope="session")
async def postgres_server() -> AsyncIterator[URL]:
    """A URL on the server the test databases are made on."""
    async with server.postgres_server() as url:
        yield url


@pytest.fixture(scope="session")
async def create_test_db(postgres_server: URL) -> AsyncIterator[URL]:
    """A new, empty test database; POSTGRES_DSN names it while the tests run.

    A leftover of the same name from a crashed run is dropped first, but only if these
    fixtures made it. The database is dropped when the session ends.
    """
    name = databases.worker_database_name(TEST_DATABASE)
    url = await databases.create_database(postgres_server, name)
    try:
        with pytest.MonkeyPatch.context() as environment:
            dsn = url.render_as_string(hide_password=False)
            environment.setenv("POSTGRES_DSN", dsn)
            yield url
    finally:
        await databases.drop_database(postgres_server, name)


@pytest.fixture(scope="session")
async def migrate_db(create_test_db: URL) -> AsyncIterator[URL]:
    """The test database at the newest migration; downgraded to base at the end."""
    await migrations.upgrade(create_test_db)
    yield create_test_db
    await migrations.downgrade(create_test_db)


@pytest.fixture(scope="session")
async def shared_manager(migrate_db: URL) -> AsyncIterator[DBSessionManager]:
    """One DBSessionManager, and so one engine and pool, for the whole session."""
    manager = DBSessionManager(migrate_db)
    yield manager
    await manager.close()


@pytest.fixture
async def db(
    request: pytest.FixtureRequest, shared_manager: DBSessionManager
) -> AsyncIterator[DBSessionManager]:
    """A DBSessionManager on the migrated test database; every test starts empty.

    With ISOLATION "rollback", the test runs inside one transaction that is rolled
    back afterwards. Its sessions join that transaction with savepoints, so the code
    under test may commit, roll back and recover from errors as in production, while
    other connections see none of it. With "truncate", or for a test marked
    `@pytest.mark.db_commit` (other connections must see its data, or the code under
    test makes its own engine), sessions commit for real and the tables are emptied
    afterwards; `db_commit(reset_sequences=True)` also restarts identity sequences.
    """
    marker = request.node.get_closest_marker("db_commit")
    if marker is None and ISOLATION == "rollback":
        async with isolation.rolled_back(shared_manager.engine) as manager:
            yield manager
        return
    reset_sequences = bool(marker and marker.kwargs.get("reset_sequences"))
    async with isolation.committed(
        shared_manager, Base.metadata, reset_sequences=reset_sequences
    ) as manager:
        yield manager
