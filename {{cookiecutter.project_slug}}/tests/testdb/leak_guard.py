"""After each test: did anything outlive it? If so, fail that test and clean up.

A rolled-back test leaves nothing behind unless something committed outside its
transaction, e.g. an engine the code under test made itself from postgres_dsn(). So one
small query, on the guard's own connection while the test's connection rolls back, asks
only whether any transaction that wrote since the last check committed (the few
transaction ids assigned since then, by their status: the test's own are rolled back).
Its cost does not grow with the number of tables. Only when something committed (another
test process, autovacuum, or a leak) does a second query look for rows in the model
tables beyond the seed's (the probe of cleanup.py) and for the newest object id of
pg_class, pg_type, pg_proc and pg_namespace: a higher one than at the start is a new
table, index, view, sequence, type, function or schema. A leak fails the test that made
it, naming what leaked and what to do; the tables are emptied (the seed's rows put back)
and the new objects dropped, so the next test starts as it should.

Not seen: committed DROP or ALTER of objects that were there already, and rows in
tables outside the models (e.g. alembic_version).
"""

from contextlib import suppress
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from testdb import seeding
from testdb.cleanup import probe_query

NEWEST = (
    "SELECT greatest((SELECT max(oid) FROM pg_class), (SELECT max(oid) FROM pg_type),"
    " (SELECT max(oid) FROM pg_proc), (SELECT max(oid) FROM pg_namespace))::int8"
)
NEXT_XID = "pg_snapshot_xmax(pg_current_snapshot())::text::int8"
COMMITTED_SINCE = (
    f"SELECT EXISTS (SELECT FROM generate_series({{ "%s" if cookiecutter.driver == "psycopg" else "$1" }}::int8, {NEXT_XID} - 1) AS xid"
    " WHERE pg_xact_status(xid::text::xid8) = 'committed')"
)
NEW_OBJECTS = sa.text(
    "SELECT 1, 'SCHEMA', quote_ident(nspname) FROM pg_namespace"
    " WHERE oid::int8 > :newest"
    " UNION ALL SELECT CASE WHEN relkind IN ('r', 'p') THEN 2 ELSE 3 END,"
    " CASE relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW'"
    " WHEN 'S' THEN 'SEQUENCE' WHEN 'i' THEN 'INDEX' WHEN 'c' THEN 'TYPE'"
    " WHEN 'f' THEN 'FOREIGN TABLE' ELSE 'TABLE' END, oid::regclass::text"
    " FROM pg_class WHERE oid::int8 > :newest AND relkind <> 't'"
    " UNION ALL SELECT 4, 'TYPE', oid::regtype::text FROM pg_type"
    " WHERE oid::int8 > :newest AND typtype IN ('e', 'd', 'r', 'm')"
    " UNION ALL SELECT 5, 'ROUTINE', oid::regprocedure::text FROM pg_proc"
    " WHERE oid::int8 > :newest ORDER BY 1"
)
ROWS_LEAKED = (
    "rows outlived this rolled-back test in {tables}: something committed outside the "
    "test's transaction, most likely an engine or connection the code under test made "
    "itself (e.g. from postgres_dsn()). Give the code db (or its sessions from "
    "db.asessionmaker()), or mark the test @pytest.mark.db_commit. The tables were "
    "emptied, so later tests are not affected."
)
OBJECTS_LEAKED = (
    "objects made by this test outlived it: {objects}. Make schema in a migration; a "
    "test that must create objects should drop them before it ends. They were dropped, "
    "so later tests are not affected."
)


class LeakError(Exception):
    """Data or schema outlived the test that made it; the message says what to do."""


class LeakGuard:
    """Checks after each test, on a connection of its own that stays open."""

    def __init__(
        self,
        connection: AsyncConnection,
        metadata: sa.MetaData,
        seeded: frozenset[str] = frozenset(),
    ) -> None:
        self._connection = connection
        self._metadata = metadata
        self._tables = metadata.sorted_tables
        # The tables the seed filled: their rows are no leak (seeding.py).
        self.seeded = seeded
        probe = probe_query(metadata, connection.dialect, seeded)
        rows = str(probe) if self._tables else ""
        rows = rows or "SELECT 0 WHERE false"
        self._query = f"SELECT ({COMMITTED_SINCE}), {NEXT_XID}"
        self._after_commit = f"SELECT ARRAY({rows}), ({NEWEST})"
        self._driver: Any = None  # {{ cookiecutter.driver }}'s connection: the check runs on it directly
        self._newest = 0
        self._next_xid = 0

    @classmethod
    async def open(cls, engine: AsyncEngine, metadata: sa.MetaData) -> "LeakGuard":
        """A guard on the state of the database now, which must be clean."""
        connection = await engine.connect()
        await connection.execution_options(isolation_level="AUTOCOMMIT")
        guard = cls(connection, metadata, await seeding.seeded_tables(connection))
        # SQLAlchemy's own work per statement costs more than the query does.
        guard._driver = (await connection.get_raw_connection()).driver_connection
        await guard._start()
        return guard

    async def _start(self) -> None:
        """Take the current state as the clean one to compare later states with."""
        row = await self._fetchrow(f"SELECT {NEXT_XID}, ({NEWEST})")
        self._next_xid, self._newest = row[0], row[1] or 0

    async def _fetchrow(self, query: str, *parameters: int) -> Any:
        """One row of `query`, run on the driver's connection."""
{%- if cookiecutter.driver == "psycopg" %}
        cursor = await self._driver.execute(query, parameters or None)
        return await cursor.fetchone()
{%- else %}
        return await self._driver.fetchrow(query, *parameters)
{%- endif %}

    async def close(self) -> None:
        await self._connection.close()

    async def check(self) -> LeakError | None:
        """What outlived the test, cleaned up already; None if nothing did."""
        committed, self._next_xid = await self._fetchrow(self._query, self._next_xid)
        if not committed:
            return None
        filled, newest = await self._fetchrow(self._after_commit)
        if not filled and newest <= self._newest:
            return None
        messages = []
        if filled:
            tables = [self._tables[index] for index in filled]
            await self._empty(tables)
            names = ", ".join(table.name for table in tables)
            messages.append(ROWS_LEAKED.format(tables=names))
        if newest > self._newest:
            objects = await self._drop_new_objects()
            messages.append(OBJECTS_LEAKED.format(objects=", ".join(objects)))
        await self._start()
        return LeakError("\n".join(messages))

    async def _empty(self, tables: list[sa.Table]) -> None:
        preparer = self._connection.dialect.identifier_preparer
        names = ", ".join(preparer.format_table(table) for table in tables)
        await self._connection.exec_driver_sql(f"TRUNCATE {names} CASCADE")
        await seeding.restore(self._connection, self._metadata, self.seeded)

    async def _drop_new_objects(self) -> list[str]:
        """Drop what is newer than the start (schemas first: they take their contents
        along); afterwards the newest id left is the new start, so one object that
        cannot be dropped does not fail every later test."""
        found = await self._connection.execute(NEW_OBJECTS, {"newest": self._newest})
        objects = [(kind, name) for _, kind, name in found]
        for kind, name in objects:
            # One may refuse (e.g. an index a constraint needs): it is listed anyway.
            with suppress(sa.exc.DBAPIError):
                await self._connection.exec_driver_sql(
                    f"DROP {kind} IF EXISTS {name} CASCADE"
                )
        return [f"{kind} {name}" for kind, name in objects]
