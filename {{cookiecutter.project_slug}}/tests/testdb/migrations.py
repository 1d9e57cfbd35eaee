"""Run the project's Alembic migrations on a test database from inside the tests' loop.

The tests hand Alembic's env.py a connection in `config.attributes["connection"]`, as
Alembic's cookbook does for async code ("Programmatic API use (connection sharing)"):
an env.py that instead connects by itself would migrate whatever database its own
settings name, and its `asyncio.run()` cannot start inside the tests' running loop.
Either way the build stops with one line saying what env.py must do.
"""

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.script import Script, ScriptDirectory
from sqlalchemy.engine import URL, Connection
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.pool import NullPool

from testdb import seeding, templates
from testdb.project import (
    ALEMBIC_INI,
    METADATA,
    NAME,
    SEED,
    SEED_FILE,
    create_engine,
)

USE_THE_CONNECTION = (
    "make env.py run the migrations on config.attributes['connection'] when it is "
    "given (README: Using the test database in an existing project)"
)


class EnvPyError(Exception):
    """env.py did not migrate the database it was handed; the message says why."""


def alembic_config(connection: Connection | None = None) -> Config:
    """The project's alembic.ini, told to use `connection` and leave logging alone."""
    config = Config(ALEMBIC_INI)
    config.attributes["connection"] = connection
    config.attributes["configure_logger"] = False
    return config


def revisions() -> list[Script]:
    """Every revision, base first."""
    script = ScriptDirectory.from_config(alembic_config())
    return list(reversed(list(script.walk_revisions())))


def migrations_directory() -> Path:
    """The directory of env.py and versions/, from alembic.ini's script_location."""
    return Path(ScriptDirectory.from_config(alembic_config()).dir)


async def ensure_template(
    server: URL, connection: AsyncConnection, *, rebuild: bool = False
) -> str:
    """The name of the project's template database at head, with the seed's rows (see
    templates.py)."""
    return await templates.ensure_template(
        server,
        connection,
        project=NAME,
        migrations=migrations_directory(),
        migrate=upgrade_and_seed,
        # The seed, and the code that loads it and lays out its copy.
        hashed=(SEED_FILE, Path(seeding.__file__)),
        rebuild=rebuild,
    )


async def upgrade_and_seed(url: URL) -> None:
    """Migrate to head, then write the seed's rows (seeding.py)."""
    await run_alembic(url, command.upgrade, "head", then=seed)


async def seed(connection: AsyncConnection) -> None:
    await seeding.load(connection, SEED, METADATA, SEED_FILE)


async def run_alembic(
    url: URL,
    command_: Callable[..., Any],
    *args: str,
    then: Callable[[AsyncConnection], Awaitable[None]] | None = None,
) -> None:
    """Run e.g. `command.upgrade, "head"` on a short-lived engine, then `then` in a
    transaction of its own.

    env.py begins and commits the transaction itself, as on the command line, so a
    migration may leave it for an `op.get_context().autocommit_block()` (CREATE INDEX
    CONCURRENTLY cannot run inside a transaction); whatever env.py left open is
    committed after. The engine is disposed afterwards, so no pooled connection keeps
    type information cached from before the migration.
    """
    engine = create_engine(url, poolclass=NullPool)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(lambda sync: on(sync, command_, *args))
            await connection.commit()
            if then is not None:
                async with connection.begin():
                    await then(connection)
    finally:
        await engine.dispose()


def on(connection: Connection, command_: Callable[..., Any], *args: str) -> None:
    """Run the command with env.py handed `connection`; check it used that one."""
    try:
        command_(alembic_config(connection), *args)
    except RuntimeError as error:
        if "running event loop" not in str(error):
            raise
        raise EnvPyError(
            f"env.py called asyncio.run() inside the tests' event loop; "
            f"{USE_THE_CONNECTION}"
        ) from None
    if command_ is command.upgrade and not has_version_table(connection):
        raise EnvPyError(
            f"env.py migrated another database than {connection.engine.url.database}, "
            f"the one it was handed; {USE_THE_CONNECTION}"
        )


def has_version_table(connection: Connection) -> bool:
    found = connection.scalar(sa.text("SELECT to_regclass('alembic_version')"))
    return found is not None


async def upgrade(url: URL, revision: str = "head") -> None:
    await run_alembic(url, command.upgrade, revision)


async def downgrade(url: URL, revision: str) -> None:
    await run_alembic(url, command.downgrade, revision)


async def check(url: URL) -> None:
    """Raise AutogenerateDiffsDetected if the models differ from the migrated schema."""
    await run_alembic(url, command.check)
