"""The test database in three tiers: server and database, schema, data of one test.

    create_test_db  session   an empty `<database>_test` on POSTGRES_DSN's server, or
                              on an embedded PostgreSQL when POSTGRES_DSN is unset
    migrate_db      session   the schema, by Alembic's `upgrade head` (never create_all)
    db              function  a DBSessionManager on the test database; every table is
                              emptied after the test

Tests ask for `db` and get a migrated, empty database. The machinery that is not a
fixture lives in tests/testdb/.
"""

from collections.abc import AsyncIterator, Iterator

import pytest
from sqlalchemy.engine import URL

from {{ cookiecutter.package_name }}.db import DBSessionManager
from {{ cookiecutter.package_name }}.models import Base

from testdb import cleanup, databases, migrations, server

TEST_DATABASE = "{{ cookiecutter.database_name }}_test"


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[URL]:
    """A URL on the server the test databases are made on."""
    with server.postgres_server() as url:
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


@pytest.fixture
async def db(migrate_db: URL) -> AsyncIterator[DBSessionManager]:
    """A DBSessionManager on the migrated test database; tables are emptied after."""
    manager = DBSessionManager(migrate_db)
    try:
        yield manager
    finally:
        await cleanup.truncate_all_tables(manager.engine, Base.metadata)
        await manager.close()
