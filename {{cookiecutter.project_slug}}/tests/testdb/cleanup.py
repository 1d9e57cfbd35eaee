"""Empty the tables a committing test filled, so the next test starts from clean ones.

One query finds the tables that have rows; only those are emptied, children first, by
DELETE. That costs about the same at 10 tables as at 200, where one TRUNCATE of every
table grows with the number of tables (see the template's benchmarks). A TRUNCATE of
every table is used only when identity sequences must restart, which DELETE cannot do.
"""

from functools import cache

import sqlalchemy as sa
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine


async def empty_tables(
    engine: AsyncEngine, metadata: sa.MetaData, *, reset_sequences: bool = False
) -> None:
    async with engine.begin() as connection:
        if reset_sequences:
            await truncate(connection, metadata.sorted_tables)
            return
        for table in reversed(await tables_with_rows(connection, metadata)):
            await connection.execute(sa.delete(table))


async def tables_with_rows(
    connection: AsyncConnection, metadata: sa.MetaData
) -> list[sa.Table]:
    """The tables that have at least one row, parents before children, in one query."""
    tables = metadata.sorted_tables
    if not tables:
        return []
    probe = probe_query(metadata, connection.dialect)
    filled = set((await connection.execute(probe)).scalars())
    return [table for index, table in enumerate(tables) if index in filled]


@cache
def probe_query(metadata: sa.MetaData, dialect: Dialect) -> sa.TextClause:
    """`SELECT 0 WHERE EXISTS (SELECT * FROM t0) UNION ALL ...`, built once per
    metadata: building it takes SQLAlchemy longer than PostgreSQL takes to run it."""
    probes = [
        sa.select(sa.literal(index)).where(sa.exists().select_from(table))
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
