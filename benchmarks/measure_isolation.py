"""Per-test cost of each way of isolating tests, measured inside one rendered project.

isolation.py runs this with the project's src/ and tests/ importable (its package is
named `bench`) and reads the JSON it prints. Every strategy runs the same small test body
(add one row, commit), timed from set-up to tear-down. `no_isolation` runs the body on
the shared engine and cleans nothing: a strategy's overhead is its time less that one's.
The strategies take turns in blocks of BLOCK tests, so a slow spell of the machine hits
them all, while the disk work a TRUNCATE leaves behind mostly lands in its own block.
"""

import asyncio
import json
import statistics
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

import sqlalchemy as sa
from bench.db import DBSessionManager
from bench.models import Base
from factories import add_t000
from sqlalchemy.engine import URL
from testdb import cleanup, databases, isolation, migrations, server
from testdb.leak_guard import LeakGuard

WARMUP = 20
BLOCK = 20
DATABASE = "bench_isolation"
Strategy = Callable[[], AbstractAsyncContextManager[DBSessionManager]]


async def body(manager: DBSessionManager) -> None:
    """The test every strategy runs: add one row and commit."""
    async with manager.asessionmaker() as session:
        await add_t000(session)
        await session.commit()


async def timed(runs: int, one: Callable[[], Awaitable[object]]) -> list[float]:
    """Milliseconds per call of `one`, after a warm-up."""
    times = []
    for run in range(WARMUP + runs):
        started = time.perf_counter()
        await one()
        if run >= WARMUP:
            times.append((time.perf_counter() - started) * 1000)
    return times


async def one_test(strategy: Strategy) -> float:
    started = time.perf_counter()
    async with strategy() as manager:
        await body(manager)
    return (time.perf_counter() - started) * 1000


async def in_turns(runs: int, named: dict[str, Strategy]) -> dict[str, list[float]]:
    """Milliseconds per test of each strategy, `runs` each, taking turns block by block."""
    for strategy in named.values():
        for _ in range(WARMUP):
            await one_test(strategy)
    times: dict[str, list[float]] = {name: [] for name in named}
    while len(times[next(iter(named))]) < runs:
        for name, strategy in named.items():
            times[name].extend([await one_test(strategy) for _ in range(BLOCK)])
    return times


def strategies(url: URL, shared: DBSessionManager, guard: LeakGuard) -> dict[str, Strategy]:
    metadata = Base.metadata

    @asynccontextmanager
    async def article() -> AsyncIterator[DBSessionManager]:
        """The article's db fixture: a new engine per test, one TRUNCATE ... CASCADE after."""
        manager = DBSessionManager(url)
        yield manager
        tables = ", ".join(f'"{name}"' for name in metadata.tables)
        async with manager.asessionmaker() as session:
            await session.execute(sa.text(f"TRUNCATE TABLE {tables} CASCADE"))
            await session.commit()
        await manager.close()

    @asynccontextmanager
    async def truncate_shared_engine() -> AsyncIterator[DBSessionManager]:
        yield shared
        async with shared.engine.begin() as connection:
            await cleanup.truncate(connection, metadata.sorted_tables)

    @asynccontextmanager
    async def no_isolation() -> AsyncIterator[DBSessionManager]:
        yield shared

    return {
        "no_isolation": no_isolation,
        "article": article,
        "truncate_shared_engine": truncate_shared_engine,
        "delete_filled_tables": lambda: isolation.committed(shared, metadata),
        "savepoint_rollback_unguarded": lambda: isolation.rolled_back(shared.engine),
        "savepoint_rollback": lambda: isolation.rolled_back(shared.engine, guard),
    }


async def select_1(runs: int, shared: DBSessionManager) -> list[float]:
    """One round trip on an open connection: the floor under any per-test cost."""
    async with shared.engine.connect() as connection:
        return await timed(runs, lambda: connection.execute(sa.text("SELECT 1")))


def summary(times: list[float]) -> dict[str, float]:
    return {
        "median_ms": statistics.median(times),
        "p90_ms": statistics.quantiles(times, n=10)[-1],
        "runs": len(times),
    }


async def measure(server_url: URL, runs: int) -> dict[str, list[float]]:
    async with databases.admin_connection(server_url) as connection:
        await databases.drop_database(connection, DATABASE)  # left by an interrupted run
        await databases.create_database(connection, DATABASE)
    url = server_url.set(database=DATABASE)
    try:
        await migrations.upgrade(url)
        shared = DBSessionManager(url)
        guard = await LeakGuard.open(shared.engine, Base.metadata)
        results = await in_turns(runs, strategies(url, shared, guard))
        results["select_1"] = await select_1(runs, shared)
        await guard.close()
        await shared.close()
        return results
    finally:
        async with databases.admin_connection(server_url) as connection:
            await databases.drop_database(connection, DATABASE)


async def main(runs: int) -> None:
    async with server.postgres_server() as server_url:
        results = await measure(server_url, runs)
    print(json.dumps({name: summary(times) for name, times in results.items()}))


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1])))
