"""Alembic environment: run migrations on an async engine, or on a connection handed in.

From the command line (`alembic upgrade head`) the URL comes from `sqlalchemy.url` or
POSTGRES_DSN (the environment, then `.env`); when it is missing or its database cannot
be reached, Alembic prints one line saying so (`FAILED: ...`), not a traceback.
Code that is already inside an event loop (the test fixtures) passes a connection in
`config.attributes["connection"]` instead, because `asyncio.run()` cannot start a
second loop there.
"""

import asyncio
from logging.config import fileConfig

from alembic import context
from alembic.util import CommandError
from sqlalchemy import pool
from sqlalchemy.engine import URL, Connection
from sqlalchemy.exc import SQLAlchemyError

from {{ cookiecutter.package_name }}.db import postgres_dsn
from {{ cookiecutter.package_name }}.dsn import async_url, create_engine
from {{ cookiecutter.package_name }}.models import Base

config = context.config
target_metadata = Base.metadata

if config.config_file_name and config.attributes.get("configure_logger", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)


def database_url() -> URL:
    try:
        return async_url(config.get_main_option("sqlalchemy.url") or postgres_dsn())
    except (RuntimeError, ValueError) as error:
        raise CommandError(str(error)) from None


def first_line(error: BaseException) -> str:
    """The driver's own words, e.g. `database "x" does not exist`."""
    while error.__cause__ is not None:
        error = error.__cause__
    return (str(error).strip().splitlines() or [type(error).__name__])[0]


def run_migrations_offline() -> None:
    """Print the SQL instead of running it (`alembic upgrade head --sql`)."""
    context.configure(
        url=database_url(), target_metadata=target_metadata, literal_binds=True
    )
    with context.begin_transaction():
        context.run_migrations()


def do_run_migrations(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        compare_server_default=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def run_async_migrations() -> None:
    url = database_url()
    engine = create_engine(url, poolclass=pool.NullPool)
    try:
        try:
            connection = await engine.connect()
        except (OSError, SQLAlchemyError) as error:
            where = url.render_as_string(hide_password=True)
            raise CommandError(
                f"cannot connect to {where}: {first_line(error)}; create that "
                "database or fix POSTGRES_DSN, or run alembic through "
                "`dev-db run -- alembic ...` (see the README)"
            ) from None
        try:
            await connection.run_sync(do_run_migrations)
        finally:
            await connection.close()
    finally:
        await engine.dispose()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is None:
        asyncio.run(run_async_migrations())
    else:
        do_run_migrations(connection)


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
