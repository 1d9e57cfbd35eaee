"""Seed data: rows written once into the template, and kept in every test's database.

The project's seed (project.SEED) runs when the template is built, after the migrations
(a template is marked ready only after both). Then, in the same transaction, every table
it filled is copied, as it is, into a table of the same name in the schema testdb_seed,
so clones carry both the rows and their copy at no cost. A statement trigger on each of
those tables notes its name in testdb_seed.testdb_changes whenever a statement writes to
it: so whether a seeded table changed is one small query, however many rows the seed
has. A rolled-back test rolls its notes back with its changes. After a test that
committed, the cleanup takes each seeded table that changed and compares it with its
copy (row by row, as text, which every column type has): it deletes only the rows that
are not in the copy, children first, then inserts the copy's rows that are missing,
parents first, and clears the notes. An untouched seed costs nothing; a touched one is
not written again in full (the template's README has the measurements against emptying
the seed's tables and inserting the whole seed again).
"""

from collections.abc import Awaitable, Callable
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from testdb.seed_errors import describe

SCHEMA = "testdb_seed"
CHANGES = "testdb_changes"
NOTE_CHANGE = (
    f"CREATE FUNCTION {SCHEMA}.note_change() RETURNS trigger LANGUAGE plpgsql AS "
    f"$$BEGIN INSERT INTO {SCHEMA}.{CHANGES} VALUES (TG_TABLE_NAME); RETURN NULL; END$$"
)
Seed = Callable[[AsyncSession], Awaitable[None]]
# The sequences (identity and serial) of columns of the given tables, quoted.
OWNED_SEQUENCES = sa.text(
    "SELECT s.oid::regclass::text, quote_ident(a.attname), t.oid::regclass::text"
    " FROM pg_depend d JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S'"
    " JOIN pg_class t ON t.oid = d.refobjid"
    " JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid"
    " WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass"
    " AND t.oid::regclass::text = ANY(:tables)"
)


class SeedError(Exception):
    """The seed raised; the message names the seed's file and line, and the row."""


async def load(
    connection: AsyncConnection, seed: Seed, metadata: sa.MetaData, seed_file: Path
) -> None:
    """Run `seed` in `connection`'s transaction, then copy the tables it filled."""
    try:
        await run(connection, seed)
    except Exception as error:
        sql = isinstance(error, DBAPIError)
        failure = await row_by_row(connection, seed) if sql else error
        raise SeedError(describe(failure or error, seed_file)) from None
    await copy(connection, metadata)


async def run(connection: AsyncConnection, seed: Seed) -> None:
    """`seed` in a session of its own savepoint: a failure leaves the transaction
    usable, and a commit() in the seed only releases the savepoint."""
    async with AsyncSession(
        bind=connection,
        expire_on_commit=False,
        join_transaction_mode="create_savepoint",
    ) as session:
        await seed(session)
        await session.commit()


async def row_by_row(connection: AsyncConnection, seed: Seed) -> Exception | None:
    """Run the seed again, one INSERT per row, for the error of the very row (one
    INSERT of many rows says only that one of them failed)."""
    await connection.execution_options(insertmanyvalues_page_size=1)
    try:
        await run(connection, seed)
    except Exception as error:
        return error
    return None


async def copy(connection: AsyncConnection, metadata: sa.MetaData) -> None:
    """Copy every table with rows into SCHEMA; no schema at all if none has rows."""
    filled = [
        table
        for table in await connection.run_sync(migrated, metadata.sorted_tables)
        if await connection.scalar(sa.select(sa.exists().select_from(table)))
    ]
    if not filled:
        return
    preparer = connection.dialect.identifier_preparer
    await connection.execute(sa.text(f"CREATE SCHEMA {SCHEMA}"))
    # No key: rows of concurrent transactions never wait for each other.
    await connection.execute(sa.text(f"CREATE TABLE {SCHEMA}.{CHANGES} (name text)"))
    await connection.execute(sa.text(NOTE_CHANGE))
    for table in filled:
        source = preparer.format_table(table)
        await connection.execute(
            sa.text(f"CREATE TABLE {copy_name(connection, table)} AS TABLE {source}")
        )
        await connection.execute(
            sa.text(
                f"CREATE TRIGGER testdb_seed_changed AFTER INSERT OR UPDATE OR DELETE "
                f"OR TRUNCATE ON {source} FOR EACH STATEMENT "
                f"EXECUTE FUNCTION {SCHEMA}.note_change()"
            )
        )


def migrated(connection: sa.Connection, tables: list[sa.Table]) -> list[sa.Table]:
    """The `tables` the migrations made. A model whose migration is not written yet has
    no table: `alembic check` (tests/test_migrations.py) names it, the seed skips it."""
    inspector = sa.inspect(connection)
    return [table for table in tables if inspector.has_table(table.name, table.schema)]


async def forget(connection: AsyncConnection) -> None:
    """Drop the copy and the triggers: for a database no test cleans (dev-db)."""
    await connection.execute(sa.text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))


async def seeded_tables(connection: AsyncConnection | AsyncSession) -> frozenset[str]:
    """The names of the tables the seed filled (those with a copy)."""
    query = sa.text(
        "SELECT tablename FROM pg_tables"
        " WHERE schemaname = :schema AND tablename <> :log"
    )
    found = await connection.execute(query, {"schema": SCHEMA, "log": CHANGES})
    return frozenset(found.scalars())


async def seed_counts(connection: AsyncConnection | AsyncSession) -> dict[str, int]:
    """How many rows the seed wrote into each table it filled, by table name: what
    every test starts with."""
    counts = {}
    for name in await seeded_tables(connection):
        query = sa.select(sa.func.count()).select_from(sa.table(name, schema=SCHEMA))
        counts[name] = (await connection.execute(query)).scalar_one()
    return counts


def copy_name(connection: AsyncConnection, table: sa.Table) -> str:
    """The quoted name of `table`'s copy."""
    quoted = connection.dialect.identifier_preparer.quote_identifier(table.name)
    return f"{SCHEMA}.{quoted}"


def changed(table: sa.Table) -> sa.Exists:
    """True when a statement wrote to the seeded `table` (its trigger noted it)."""
    changes = sa.table(CHANGES, sa.column("name", sa.Text()), schema=SCHEMA)
    return sa.exists().where(changes.c.name == table.name)


async def delete_unseeded(connection: AsyncConnection, table: sa.Table) -> None:
    """Delete the rows of `table` that are not in its copy (new or changed ones)."""
    quoted = connection.dialect.identifier_preparer.format_table(table)
    await connection.execute(
        sa.text(
            f"DELETE FROM {quoted} AS r WHERE r::text NOT IN "
            f"(SELECT s::text FROM {copy_name(connection, table)} AS s)"
        )
    )


async def restore(
    connection: AsyncConnection, metadata: sa.MetaData, seeded: frozenset[str]
) -> None:
    """Insert the seed rows that are missing, parents first; forget the changes."""
    if not seeded:
        return
    preparer = connection.dialect.identifier_preparer
    for table in metadata.sorted_tables:
        if table.name not in seeded:
            continue
        quoted = preparer.format_table(table)
        await connection.execute(
            sa.text(
                f"INSERT INTO {quoted} OVERRIDING SYSTEM VALUE "
                f"SELECT * FROM {copy_name(connection, table)} AS s "
                f"WHERE s::text NOT IN (SELECT r::text FROM {quoted} AS r)"
            )
        )
    await connection.execute(sa.text(f"DELETE FROM {SCHEMA}.{CHANGES}"))


async def continue_sequences(
    connection: AsyncConnection, metadata: sa.MetaData, seeded: frozenset[str]
) -> None:
    """After identity sequences restarted, set those of the seeded tables past the
    seed's values, so the next row does not take a seed row's number."""
    tables = [name for name, table in metadata.tables.items() if table.name in seeded]
    found = await connection.execute(OWNED_SEQUENCES, {"tables": tables})
    for sequence, column, table in found:
        await connection.execute(
            sa.text(
                f"SELECT setval(CAST(:sequence AS regclass), "
                f"(SELECT coalesce(max({column}), 0) + 1 FROM {table}), false)"
            ),
            {"sequence": sequence},
        )
