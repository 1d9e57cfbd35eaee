"""Test a data migration on the rows it changes: migrate an empty database to just
before the revision, add rows to the tables as they were then, run that one migration
and read the rows it left (README: Testing a data migration).

    async with migrating(empty_db, to="0002") as step:  # at 0001
        await step.insert("person", {"full_name": "Ada Lovelace"})
        await step.upgrade()  # runs 0002, and only 0002
        rows = await step.rows("person", "first_name", "last_name")
    assert rows == [{"first_name": "Ada", "last_name": "Lovelace"}]

Tables are read from the database at each step, not from the models, which describe
only the newest revision. Each call is a transaction of its own on a new connection,
committed: a migration sees the rows, and no driver keeps a plan of a table it changed.
A revision, table or column that is not there fails the test with one line naming
those that are.
"""

from collections.abc import AsyncIterator, Iterable, Mapping
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy.engine import URL, Connection
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.pool import NullPool

from testdb import migrations
from testdb.project import create_engine

BASE = "base"  # Alembic's name for the state before the first migration


class MigrationTestError(LookupError):
    """A revision, table or column that is not there; the message names what is."""


def migrating(url: URL, *, to: str) -> AbstractAsyncContextManager["Step"]:
    """`url`'s empty database migrated to the revision before `to` (base before the
    first); `to` is a revision id, or anything Alembic resolves to one ("head")."""
    __tracebackhide__ = True
    target, before = revisions_around(to)  # fails at once, on the test's line
    return migrated(url, before, target)


@asynccontextmanager
async def migrated(url: URL, before: str, to: str) -> AsyncIterator["Step"]:
    if before != BASE:
        await migrations.upgrade(url, before)
    engine = create_engine(url, poolclass=NullPool)
    try:
        yield Step(url, engine, before, to)
    finally:
        await engine.dispose()


def revisions_around(to: str) -> tuple[str, str]:
    """The id `to` names, and the one before it."""
    __tracebackhide__ = True
    script = ScriptDirectory.from_config(migrations.alembic_config())
    try:
        found = script.get_revision(to)
    except CommandError:
        found = None
    if found is None:
        newest_first = [each.revision for each in script.walk_revisions()]
        known = ", ".join(reversed(newest_first))
        raise MigrationTestError(f"no revision {to!r}; the revisions are {known}")
    down = found.down_revision
    if down is not None and not isinstance(down, str):
        raise MigrationTestError(
            f"revision {found.revision} merges {', '.join(down)}: test those instead"
        )
    return found.revision, down or BASE


@dataclass
class Step:
    """A database at `before` or `to`, one migration apart; `revision` says which."""

    url: URL
    engine: AsyncEngine
    before: str
    to: str
    revision: str = field(init=False)

    def __post_init__(self) -> None:
        self.revision = self.before

    async def upgrade(self) -> None:
        """Run the migration under test: from `before` to `to`."""
        __tracebackhide__ = True
        self.expect_at(self.before, "upgrade")
        await migrations.upgrade(self.url, self.to)
        self.revision = self.to

    async def downgrade(self) -> None:
        """Run its downgrade: from `to` back to `before`."""
        __tracebackhide__ = True
        self.expect_at(self.to, "downgrade")
        await migrations.downgrade(self.url, self.before)
        self.revision = self.before

    async def insert(self, table: str, *rows: Mapping[str, Any]) -> None:
        """Add `rows` (column name to value) to `table` as it is at this revision."""
        __tracebackhide__ = True
        async with self.engine.begin() as connection:
            found = await self.table(connection, table)
            for row in rows:
                self.columns(found, row)
                await connection.execute(found.insert().values(dict(row)))

    async def rows(self, table: str, *columns: str) -> list[dict[str, Any]]:
        """`table`'s rows with `columns` (all, if none are named), sorted by their
        text, so that a comparison does not depend on the order PostgreSQL keeps."""
        __tracebackhide__ = True
        async with self.engine.connect() as connection:
            found = await self.table(connection, table)
            selected = self.columns(found, columns) if columns else list(found.columns)
            order = sa.cast(sa.tuple_(*selected), sa.Text)
            result = await connection.execute(sa.select(*selected).order_by(order))
            return [dict(row) for row in result.mappings()]

    async def table(self, connection: AsyncConnection, name: str) -> sa.Table:
        """`name` as it is at this revision, or one line naming the tables there."""
        __tracebackhide__ = True
        names = await connection.run_sync(table_names)
        if name not in names:
            there = ", ".join(sorted(set(names) - {"alembic_version"})) or "none"
            raise MigrationTestError(
                f"no table {name!r} at {self.where}; the tables there: {there}"
            )
        return await connection.run_sync(reflect, name)

    def columns(self, table: sa.Table, names: Iterable[str]) -> list[Any]:
        """The columns of `table` named, or one line naming those it has instead."""
        __tracebackhide__ = True
        missing = [name for name in names if name not in table.columns]
        if missing:
            has = ", ".join(table.columns.keys())
            raise MigrationTestError(
                f"no column {missing[0]!r} in {table.name} at {self.where}; "
                f"its columns: {has}"
            )
        return [table.columns[name] for name in names]

    def expect_at(self, revision: str, action: str) -> None:
        __tracebackhide__ = True
        if self.revision != revision:
            raise MigrationTestError(
                f"cannot {action}: the database is already at {self.where}"
            )

    @property
    def where(self) -> str:
        return f"revision {self.revision}" if self.revision != BASE else BASE


def table_names(connection: Connection) -> list[str]:
    return sa.inspect(connection).get_table_names()


def reflect(connection: Connection, name: str) -> sa.Table:
    return sa.Table(name, sa.MetaData(), autoload_with=connection)
