"""Per-test cost of a committing test's cleanup with seed data, in two strategies,
measured inside one rendered project.

seed_cleanup.py runs this as `measure_seed_cleanup.py RUNS WARMUP SIZE...`, with the
project's src/ and tests/ importable (its package is named `bench`), and reads the JSON
it prints: per seed size, each contender's median milliseconds per test less those of
the same test with no cleanup.
"""

import asyncio
import json
import statistics
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from bench.db import DBSessionManager
from bench.models import T000, T001, Base
from measure_isolation import BLOCK, bench_database
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from testdb import isolation, migrations, seeding, server
from testdb.leak_guard import LeakGuard

Strategy = Callable[[], AbstractAsyncContextManager[DBSessionManager]]
Body = Callable[[DBSessionManager], Awaitable[None]]


async def measure(sizes: list[int], runs: int, warmup: int) -> dict[str, Any]:
    async with server.postgres_server() as server_url:
        return {str(size): await measure_size(server_url, size, runs, warmup) for size in sizes}


async def measure_size(server_url: URL, size: int, runs: int, warmup: int) -> dict[str, float]:
    async def seed(session: AsyncSession) -> None:
        session.add_all(T000(name=f"seed {number}") for number in range(size))

    async def load(connection: AsyncConnection) -> None:
        await seeding.load(connection, seed, Base.metadata, Path("tests/seed.py"))

    async with bench_database(server_url) as url:
        await migrations.run_alembic(url, command.upgrade, "head", then=load)
        shared = DBSessionManager(url)
        guard = await LeakGuard.open(shared.engine, Base.metadata)
        async with shared.asessionmaker() as session:
            seeded_id = await session.scalar(sa.select(T000.id).limit(1))

        async def touched(manager: DBSessionManager) -> None:
            async with manager.asessionmaker() as session:
                session.add(T000(name="test"))
                await session.commit()

        async def untouched(manager: DBSessionManager) -> None:
            async with manager.asessionmaker() as session:
                parent_id = seeded_id
                if parent_id is None:  # no seed: a parent row of the test's own
                    parent = T000(name="parent")
                    session.add(parent)
                    await session.flush()
                    parent_id = parent.id
                session.add(T001(name="test", parent_id=parent_id))
                await session.commit()

        @asynccontextmanager
        async def no_cleanup() -> AsyncIterator[DBSessionManager]:
            yield shared

        def keep() -> AbstractAsyncContextManager[DBSessionManager]:
            committed: AbstractAsyncContextManager[DBSessionManager]
            committed = isolation.committed(shared, Base.metadata, guard)
            return committed

        def reinsert() -> AbstractAsyncContextManager[DBSessionManager]:
            return reinserting(keep())

        contenders: dict[str, tuple[Strategy, Body]] = {
            "no_cleanup_untouched": (no_cleanup, untouched),
            "keep_touched": (keep, touched),
            "reinsert_touched": (reinsert, touched),
            "keep_untouched": (keep, untouched),
            "reinsert_untouched": (reinsert, untouched),
        }
        times = await in_turns(contenders, runs, warmup)
        await guard.close()
        await shared.close()
    baseline = statistics.median(times.pop("no_cleanup_untouched"))
    return {name: statistics.median(values) - baseline for name, values in times.items()}


@asynccontextmanager
async def reinserting(
    committed: AbstractAsyncContextManager[DBSessionManager],
) -> AsyncIterator[DBSessionManager]:
    """`committed`, with the seed's tables emptied and the whole seed inserted again."""
    keep = seeding.delete_unseeded, seeding.restore

    async def delete_all(connection: AsyncConnection, table: sa.Table) -> None:
        await connection.execute(sa.delete(table))

    async def insert_all(
        connection: AsyncConnection, metadata: sa.MetaData, seeded: frozenset[str]
    ) -> None:
        preparer = connection.dialect.identifier_preparer
        for table in metadata.sorted_tables:
            if table.name in seeded:
                name, copy = preparer.format_table(table), seeding.copy_name(connection, table)
                await connection.execute(sa.text(f"INSERT INTO {name} SELECT * FROM {copy}"))
        changes = f"{seeding.SCHEMA}.{seeding.CHANGES}"
        await connection.execute(sa.text(f"DELETE FROM {changes}"))

    seeding.delete_unseeded, seeding.restore = delete_all, insert_all
    try:
        async with committed as manager:
            yield manager
    finally:
        seeding.delete_unseeded, seeding.restore = keep


async def in_turns(
    contenders: dict[str, tuple[Strategy, Body]], runs: int, warmup: int
) -> dict[str, list[float]]:
    """Milliseconds per test of each contender, taking turns block by block."""

    async def one_test(name: str) -> float:
        strategy, body = contenders[name]
        started = time.perf_counter()
        async with strategy() as manager:
            await body(manager)
        return (time.perf_counter() - started) * 1000

    for name in contenders:
        for _ in range(warmup):
            await one_test(name)
    times: dict[str, list[float]] = {name: [] for name in contenders}
    while len(times[next(iter(contenders))]) < runs:
        for name in contenders:
            times[name].extend([await one_test(name) for _ in range(min(BLOCK, runs))])
    return times


if __name__ == "__main__":
    runs, warmup, *sizes = map(int, sys.argv[1:])
    print(json.dumps(asyncio.run(measure(sizes, runs, warmup))))
