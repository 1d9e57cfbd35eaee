"""Migration safety, for every migration in
src/{{ cookiecutter.package_name }}/migrations/versions/, yours included.

squawk lints each migration's SQL on its own, as `alembic upgrade <previous>:<revision>
--sql` prints it, with no database: a plain CREATE INDEX on an existing table, or a NOT
NULL column without a default, fails naming squawk's rule and the migration's file. The
rules it leaves out, and why, are in .squawk.toml. And a migration that waits for a lock
another session holds fails after env.py's lock_timeout, instead of waiting with every
later query on the table queued behind it. README: Migration safety.
"""

import argparse
import io
import shutil
import subprocess
import sysconfig
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.script import Script
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

from testdb import migrations
from testdb.project import ALEMBIC_INI, METADATA, create_engine

PROJECT = ALEMBIC_INI.parent
INSTALL_SQUAWK = (
    "squawk is not installed: pip install squawk-cli (the test extra has it: "
    "pip install -e '.[test]'), or npm install -g squawk-cli"
)
# One line per finding: the file, the line in the SQL, the rule and what it found.
SQUAWK_OPTIONS = ("--config", ".squawk.toml", "--reporter", "gcc")
# Short, so the test is quick; the held lock is let go after HELD, so that a migration
# with no lock_timeout ends this test after HELD instead of hanging it.
LOCK_TIMEOUT = "200ms"
HELD = 5


def squawk() -> str:
    """The squawk beside this Python (in a virtualenv not activated), or on PATH."""
    for folder in (sysconfig.get_path("scripts"), None):
        found = shutil.which("squawk", path=folder)
        if found:
            return found
    pytest.fail(INSTALL_SQUAWK, pytrace=False)


def upgrade_range(revision: Script) -> str:
    """`<previous>:<revision>`; a merge's SQL starts from its first parent."""
    previous = revision.down_revision
    if isinstance(previous, tuple | list):
        previous = previous[0]
    return f"{previous}:{revision.revision}" if previous else revision.revision


def upgrade_sql(revision: Script) -> str:
    """What `alembic upgrade <previous>:<revision> --sql` prints."""
    config = migrations.alembic_config()
    config.output_buffer = io.StringIO()
    command.upgrade(config, upgrade_range(revision), sql=True)
    return config.output_buffer.getvalue()


@pytest.mark.parametrize(
    "revision", migrations.revisions(), ids=lambda revision: Path(revision.path).name
)
def test_squawk_passes_the_migration(revision: Script) -> None:
    path = Path(revision.path).relative_to(PROJECT).as_posix()
    linted = subprocess.run(
        [squawk(), *SQUAWK_OPTIONS, "--stdin-filepath", path],
        input=upgrade_sql(revision),
        cwd=PROJECT,
        capture_output=True,
        text=True,
        check=False,
    )
    if linted.returncode != 0:
        pytest.fail(
            f"squawk: {path} is not safe to run on a busy database (line numbers are "
            f"of `alembic upgrade {upgrade_range(revision)} --sql`; each rule is "
            "explained at https://squawkhq.com/docs/<rule>):\n"
            f"{linted.stdout}{linted.stderr}",
            pytrace=False,
        )


def downgrade_waiting_briefly(config: Config, revision: str) -> None:
    """`alembic -x lock_timeout=200ms downgrade <revision>`."""
    config.cmd_opts = argparse.Namespace(x=[f"lock_timeout={LOCK_TIMEOUT}"])
    command.downgrade(config, revision)


@asynccontextmanager
async def reading(url: URL, table: sa.Table) -> AsyncIterator[None]:
    """Another session that has read `table` in a transaction it keeps open (for HELD
    seconds at most): no one may drop or alter the table until it ends."""
    engine = create_engine(url, poolclass=NullPool)
    connection = await engine.connect()
    try:
        await connection.execute(
            sa.text(f"SET idle_in_transaction_session_timeout = '{HELD}s'")
        )
        await connection.execute(sa.select(table).limit(1))
        yield
    finally:
        with suppress(DBAPIError):  # the server may have ended it after HELD
            await connection.close()
        await engine.dispose()


async def test_a_migration_waiting_for_a_lock_fails_after_the_lock_timeout(
    empty_db: URL,
) -> None:
    """The downgrade must drop a table another session is reading: it gives up after
    lock_timeout rather than wait, with every later query on the table behind it."""
    await migrations.upgrade(empty_db, "head")
    async with reading(empty_db, METADATA.sorted_tables[0]):
        started = time.monotonic()
        with pytest.raises(DBAPIError, match="lock timeout") as failed:
            await migrations.run_alembic(empty_db, downgrade_waiting_briefly, "base")
        waited = time.monotonic() - started
    assert waited < HELD / 2, f"the downgrade waited {waited:.1f} s: {failed.value}"
