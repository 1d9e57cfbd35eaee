"""The two ways a test's data is kept from the next test.

rolled_back: the test runs inside one transaction on one connection; every session
    joins it with a SAVEPOINT, so `commit()` only releases a savepoint. Rolling the
    transaction back afterwards costs about one round trip, however many tables.
committed: sessions commit for real, so other connections see the data; afterwards
    the tables the test filled are emptied.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
)

from {{ cookiecutter.package_name }}.db import DBSessionManager

from testdb.cleanup import empty_tables


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
        return self._connection.engine

    @property
    def asessionmaker(self) -> async_sessionmaker[AsyncSession]:
        return self._joined_sessionmaker

    async def close(self) -> None:
        """Nothing to dispose: the connection and its engine belong to the fixtures."""


@asynccontextmanager
async def rolled_back(engine: AsyncEngine) -> AsyncIterator[DBSessionManager]:
    """Sessions inside an outer transaction that is rolled back when the block ends."""
    async with engine.connect() as connection:
        transaction = await connection.begin()
        try:
            yield JoinedSessionManager(connection)
        finally:
            if transaction.is_active:
                await transaction.rollback()


@asynccontextmanager
async def committed(
    manager: DBSessionManager, metadata: sa.MetaData, *, reset_sequences: bool = False
) -> AsyncIterator[DBSessionManager]:
    """`manager` as it is, committing for real; tables are emptied afterwards.

    With `reset_sequences`, identity sequences restart before the test, so the test
    itself sees ids from 1 whatever ran before it.
    """
    if reset_sequences:
        await empty_tables(manager.engine, metadata, reset_sequences=True)
    try:
        yield manager
    finally:
        await empty_tables(manager.engine, metadata)
