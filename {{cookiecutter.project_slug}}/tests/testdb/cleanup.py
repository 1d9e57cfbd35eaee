"""Empty the tables a committing test filled, so the next test starts from clean ones.

One query finds the tables that have rows (and the seeded tables that changed, see
seeding.py); only those are emptied, children first, by DELETE, and the seed's rows put
back. That costs about the same at 10 tables as at 200, where one TRUNCATE of every
table grows with the number of tables (see the template's benchmarks). A TRUNCATE of
every table is used only when identity sequences must restart, which DELETE cannot do.
"""

from functools import cache

import sqlalchemy as sa
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from testdb import seeding

NOTHING: frozenset[str] = frozenset()


async def empty_tables(
    engine: AsyncEngine,
    metadata: sa.MetaData,
    *,
    seeded: frozenset[str] = NOTHING,
    reset_sequences: bool = False,
) -> None:
    """Delete what the test left; the seed's tables keep (or get back) their rows."""
    async with engine.begin() as connection:
        if reset_sequences:
            await truncate(connection, metadata.sorted_tables)
            await seeding.restore(connection, metadata, seeded)
            await seeding.continue_sequences(connection, metadata, seeded)
            return
        filled = await tables_with_rows(connection, metadata, seeded)
        for table in reversed(filled):
            if table.name in seeded:
                await seeding.delete_unseeded(connection, table)
            else:
                await connection.execute(sa.delete(table))
        if any(table.name in seeded for table in filled):
            await seeding.restore(connection, metadata, seeded)


async def tables_with_rows(
    connection: AsyncConnection,
    metadata: sa.MetaData,
    seeded: frozenset[str] = NOTHING,
) -> list[sa.Table]:
    """The tables that have rows, and the seeded ones that changed, parents before
    children, in one query."""
    tables = metadata.sorted_tables
    if not tables:
        return []
    probe = probe_query(metadata, connection.dialect, seeded)
    filled = set((await connection.execute(probe)).scalars())
    return [table for index, table in enumerate(tables) if index in filled]


@cache
def probe_query(
    metadata: sa.MetaData, dialect: Dialect, seeded: frozenset[str] = NOTHING
) -> sa.TextClause:
    """`SELECT 0 WHERE EXISTS (SELECT * FROM t0) UNION ALL ...`, built once per
    metadata: building it takes SQLAlchemy longer than PostgreSQL takes to run it.
    A seeded table counts when a statement wrote to it (seeding.py)."""
    probes = [
        sa.select(sa.literal(index)).where(
            seeding.changed(table)
            if table.name in seeded
            else sa.exists().select_from(table)
        )
        for index, table in enumerate(metadata.sorted_tables)
    ]
    compiled = sa.union_all(*probes).compile(
        dialect=dialect, compile_kwargs={"literal_binds": True}
    )
    return sa.text(str(compiled))


async def truncate(connection: AsyncConnection, tables: list[sa.Table]) -> None:
    """One TRUNCATE of `tables`, restarting their identity sequences."""
    if not tables:
        return
    preparer = connection.dialect.identifier_preparer
    names = ", ".join(preparer.format_table(table) for table in tables)
    await connection.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
