"""Per-test cost of each way of isolating tests, measured inside one rendered project.

isolation.py runs this as `measure_isolation.py RUNS [WARMUP]`, with the project's src/
and tests/ importable (its package is named `bench`), and reads the JSON it prints.
Every strategy runs the same small test body (add one row, commit), timed from set-up to
tear-down. `no_isolation` runs the body on
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
PROJECT = "bench"  # the database_name isolation.py renders the project with
Strategy = Callable[[], AbstractAsyncContextManager[DBSessionManager]]


async def body(manager: DBSessionManager) -> None:
    """The test every strategy runs: add one row and commit."""
    async with manager.asessionmaker() as session:
        await add_t000(session)
        await session.commit()


async def timed(runs: int, warmup: int, one: Callable[[], Awaitable[object]]) -> list[float]:
    """Milliseconds per call of `one`, after a warm-up."""
    times = []
    for run in range(warmup + runs):
        started = time.perf_counter()
        await one()
        if run >= warmup:
            times.append((time.perf_counter() - started) * 1000)
    return times


async def one_test(strategy: Strategy) -> float:
    started = time.perf_counter()
    async with strategy() as manager:
        await body(manager)
    return (time.perf_counter() - started) * 1000


async def in_turns(runs: int, warmup: int, named: dict[str, Strategy]) -> dict[str, list[float]]:
    """Milliseconds per test of each strategy, `runs` each, taking turns block by block."""
    for strategy in named.values():
        for _ in range(warmup):
            await one_test(strategy)
    times: dict[str, list[float]] = {name: [] for name in named}
    block = min(BLOCK, runs)
    while len(times[next(iter(named))]) < runs:
        for name, strategy in named.items():
            times[name].extend([await one_test(strategy) for _ in range(block)])
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


async def guard_share(runs: int, warmup: int, named: dict[str, Strategy]) -> list[float]:
    """Milliseconds the leak guard adds to a test: a guarded test less the unguarded one
    run just before it, pair by pair, so even slow drift of the machine cancels."""
    guarded, unguarded = named["savepoint_rollback"], named["savepoint_rollback_unguarded"]
    shares = []
    for run in range(warmup + runs):
        without = await one_test(unguarded)
        share = await one_test(guarded) - without
        if run >= warmup:
            shares.append(share)
    return shares


async def select_1(runs: int, warmup: int, shared: DBSessionManager) -> list[float]:
    """One round trip on an open connection: the floor under any per-test cost."""
    async with shared.engine.connect() as connection:
        return await timed(runs, warmup, lambda: connection.execute(sa.text("SELECT 1")))


def summary(times: list[float]) -> dict[str, float]:
    return {
        "median_ms": statistics.median(times),
        "p90_ms": statistics.quantiles(times, n=10)[-1],
        "runs": len(times),
    }


@asynccontextmanager
async def bench_database(server_url: URL) -> AsyncIterator[URL]:
    """A database of the benchmark's own on the server, made and dropped by the rendered
    project's own functions (the one place this script calls them)."""
    name = databases.run_database_name(f"{PROJECT}_test")
    async with databases.admin_connection(server_url) as connection:
        await databases.create_database(connection, name, kind="run", project=PROJECT)
    try:
        yield server_url.set(database=name)
    finally:
        async with databases.admin_connection(server_url) as connection:
            await databases.drop_database(connection, name)


async def measure(server_url: URL, runs: int, warmup: int) -> dict[str, list[float]]:
    async with bench_database(server_url) as url:
        await migrations.upgrade(url)
        shared = DBSessionManager(url)
        guard = await LeakGuard.open(shared.engine, Base.metadata)
        named = strategies(url, shared, guard)
        results = await in_turns(runs, warmup, named)
        results["guard_share"] = await guard_share(runs, warmup, named)
        results["select_1"] = await select_1(runs, warmup, shared)
        await guard.close()
        await shared.close()
        return results


async def main(runs: int, warmup: int) -> None:
    async with server.postgres_server() as server_url:
        results = await measure(server_url, runs, warmup)
    print(json.dumps({name: summary(times) for name, times in results.items()}))


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else WARMUP))
