"""Application code that reads POSTGRES_DSN reaches the test database, not yours."""

import sqlalchemy as sa

from {{ cookiecutter.package_name }}.db import DBSessionManager, postgres_dsn

# The session's test database, or, under `pytest --db-keep-failed`, the test's own.
TEST_DATABASES = (
    "{{ cookiecutter.database_name }}_test",
    "{{ cookiecutter.database_name }}_kept_",
)


async def test_postgres_dsn_names_the_test_database(db: DBSessionManager) -> None:
    manager = DBSessionManager(postgres_dsn())
    try:
        async with manager.asessionmaker() as session:
            name = await session.scalar(sa.text("SELECT current_database()"))
    finally:
        await manager.close()

    assert name is not None
    assert name.startswith(TEST_DATABASES)
