"""The two ways a test's data is kept from the next test.

rolled_back: the test runs inside one transaction on one connection; every session
    joins it with a SAVEPOINT, so `commit()` only releases a savepoint. Rolling the
    transaction back afterwards costs about one round trip, however many tables.
    joined.py stops code that would get out of that transaction; the leak guard,
    checking while the connection rolls back, catches what got out anyway.
committed: sessions commit for real, so other connections see the data; afterwards
    the tables the test filled are emptied, and the seed's rows put back.
"""

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
)

from testdb import joined
from testdb.cleanup import empty_tables
from testdb.leak_guard import LeakError, LeakGuard
from testdb.project import DBSessionManager


class JoinedSessionManager(DBSessionManager):
    """A DBSessionManager whose sessions join the transaction of a borrowed connection.

    It owns no engine (the test session does), so `close()` leaves it alone.
    """

    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection
        self._joined_sessionmaker = async_sessionmaker(
            bind=connection,
            expire_on_commit=False,
            join_transaction_mode="create_savepoint",
        )

    @property
    def engine(self) -> AsyncEngine:
        """The shared engine, whose connect() and begin() fail (see joined.py)."""
        return joined.JoinedEngine(self._connection.engine)

    @property
    def asessionmaker(self) -> async_sessionmaker[AsyncSession]:
        return self._joined_sessionmaker

    async def close(self) -> None:
        """Nothing to dispose: the connection and its engine belong to the fixtures."""


@asynccontextmanager
async def rolled_back(
    engine: AsyncEngine,
    guard: LeakGuard | None = None,
    *,
    test_failed: Callable[[], bool] = lambda: False,
) -> AsyncIterator[DBSessionManager]:
    """Sessions inside an outer transaction that is rolled back when the block ends.

    Raises, when the block ends, what got out of the transaction (`guard`) and what
    tried to but was stopped, if the code under test hid that and the test passed.
    """
    checking: asyncio.Task[LeakError | None] | None = None
    try:
        async with engine.connect() as connection:
            await connection.begin()
            watch = joined.watch(connection)
            try:
                yield JoinedSessionManager(connection)
            finally:
                joined.unwatch(connection)
                if guard is not None:
                    # Its query runs on its own connection while this one rolls
                    # back and goes back to the pool, so it adds little to the test.
                    checking = asyncio.create_task(guard.check())
                await end(connection, replace=watch.replace_connection)
    finally:
        leak = await checking if checking else None
    if leak:
        raise leak
    if watch.problem and not test_failed():
        raise watch.problem


async def end(connection: AsyncConnection, *, replace: bool) -> None:
    """Roll back; a connection the test may have left confused is closed instead, and
    the pool opens a new one for a later test."""
    if not replace:
        try:
            await connection.rollback()
            return
        except Exception:
            pass  # whatever failed here, the connection is replaced
    await connection.invalidate()


@asynccontextmanager
async def committed(
    manager: DBSessionManager,
    metadata: sa.MetaData,
    guard: LeakGuard | None = None,
    *,
    reset_sequences: bool = False,
) -> AsyncIterator[DBSessionManager]:
    """`manager` as it is, committing for real; tables are emptied afterwards (the
    seed's rows, which `guard` knows, are kept or put back), and
    objects the test made and left are reported by `guard` and dropped.

    With `reset_sequences`, identity sequences restart before the test, so the test
    itself sees ids from 1 whatever ran before it.
    """
    seeded = guard.seeded if guard else frozenset()
    if reset_sequences:
        await empty_tables(
            manager.engine, metadata, seeded=seeded, reset_sequences=True
        )
    try:
        yield manager
    finally:
        await empty_tables(manager.engine, metadata, seeded=seeded)
    leak = await guard.check() if guard else None
    if leak:
        raise leak
