"""Alembic environment: run migrations on an async engine, or on a connection handed in.

From the command line (`alembic upgrade head`) the URL comes from `sqlalchemy.url` or
POSTGRES_DSN (the environment, then `.env`); when it is missing or its database cannot
be reached, Alembic prints one line saying so (`FAILED: ...`), not a traceback.
Code that is already inside an event loop (the test fixtures) passes a connection in
`config.attributes["connection"]` instead, because `asyncio.run()` cannot start a
second loop there. `alembic upgrade <from>:<to> --sql` prints the SQL without a database
(the tests lint it with squawk, README: Migration safety).

Every run first sets PostgreSQL's `lock_timeout` (LOCK_TIMEOUT, or
`alembic -x lock_timeout=30s upgrade head`; `0` waits without limit): a migration that
waits for a lock on a busy table fails after that long, with one line, instead of
queueing every other query on the table behind it. Run it again when it is quieter.
"""

import asyncio
import re
from logging.config import fileConfig

from alembic import context
from alembic.util import CommandError
from sqlalchemy import pool
from sqlalchemy.engine import URL, Connection
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from {{ cookiecutter.package_name }}.db import postgres_dsn
from {{ cookiecutter.package_name }}.dsn import async_url, create_engine
from {{ cookiecutter.package_name }}.models import Base

config = context.config
target_metadata = Base.metadata
LOCK_TIMEOUT = "5s"
# A PostgreSQL duration: a number, then a unit (none means milliseconds).
DURATION = re.compile(r"[0-9]+ ?(us|ms|s|min|h|d)?")
LOCK_NOT_AVAILABLE = "55P03"  # PostgreSQL's SQLSTATE when lock_timeout ran out

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


def lock_timeout() -> str:
    """`-x lock_timeout=...`, else LOCK_TIMEOUT; checked, as it is written into SQL."""
    value = context.get_x_argument(as_dictionary=True).get("lock_timeout", LOCK_TIMEOUT)
    if not DURATION.fullmatch(value):
        raise CommandError(
            f"lock_timeout: {value!r} is not a duration; use e.g. 500ms, 5s or 1min "
            "(0 waits without limit)"
        )
    return value


def run_migrations() -> None:
    timeout = lock_timeout()
    with context.begin_transaction():
        # SET, not SET LOCAL: it outlasts the commit of an autocommit_block().
        context.execute(f"SET lock_timeout = '{timeout}'")
        context.run_migrations()


def run_migrations_offline() -> None:
    """Print the SQL instead of running it (`alembic upgrade head --sql`); it needs
    only the dialect, no database."""
    context.configure(
        dialect_name="postgresql", target_metadata=target_metadata, literal_binds=True
    )
    run_migrations()


def do_run_migrations(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        compare_server_default=True,
    )
    run_migrations()


def lock_timeout_ran_out(error: DBAPIError) -> CommandError:
    statement = " ".join(str(error.statement).split())
    return CommandError(
        f"waited longer than lock_timeout ({lock_timeout()}) for a lock another "
        f"session holds, at: {statement}; run it again when the table is quieter, or "
        "let this run wait longer: alembic -x lock_timeout=30s ..."
    )


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
        except DBAPIError as error:
            if getattr(error.orig, "sqlstate", None) != LOCK_NOT_AVAILABLE:
                raise
            raise lock_timeout_ran_out(error) from None
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
