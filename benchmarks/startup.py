"""Benchmark: how long a test session takes to start, and what pytest-xdist gains.

    python benchmarks/startup.py [--repeat 3] [--out DIR]
    python benchmarks/startup.py --tiny --out DIR   # proves it still runs; 6 short sessions

1. Session start: from starting pytest to the start of its first test, for a test that
   uses the database less a test that does not, with 1, 20 and 100 migrations. Cold: no
   cached embedded server and no template database (initdb, then every migration).
   Warm: the next run, with both cached. The migrations after the first add columns, so
   the schema stays the same size and only the number of migrations changes. Then once
   more with 1 migration and a seed (tests/seed.py) of 10 000 rows: the warm start
   clones them with the template, so it should cost what it costs without them.
2. Parallel: 400 database tests with `-n 0` and with `-n 2`. In the waiting suites each
   test writes a row and waits 5, 20 or 50 ms on the server (a slow query), as suites
   that wait on the database do; in the busy suite each test writes ten rows and waits
   for nothing, so client and server keep the CPU busy (on 2 cores, both of them).

Each project runs in the .venv its smoke test made, with its `[test]` extra, as its users run it
(with --tiny: in this interpreter, one migration count, one run each, a 100-row seed,
4 load tests).
Writes results/startup.json and results/startup.md (the tables for the README).
"""

import argparse
import json
import shutil
import statistics
import subprocess
import time
from pathlib import Path

from projects import (
    PYTHON,
    data_directory,
    project_environment,
    render_project,
    venv_python,
    workdir,
    write_seed,
)

MIGRATION_COUNTS: tuple[int, ...] = (1, 20, 100)
SEED_ROWS = 10_000
LOAD_TEST_COUNT = 400
TINY_HELP = (
    "2 migrations, one run of each, a 100-row seed, 4 load tests: a check that the benchmark runs"
)
# Rows each load test writes, and seconds it waits on the server.
SUITES = {
    "busy: 10 rows, no wait": ("10", "0"),
    "waiting 5 ms": ("1", "0.005"),
    "waiting 20 ms": ("1", "0.02"),
    "waiting 50 ms": ("1", "0.05"),
}
RESULTS = Path(__file__).resolve().parent / "results"

FIRST_TESTS = """
import os
import time
from pathlib import Path

from bench.db import DBSessionManager


def note_the_time() -> None:
    Path(os.environ["STARTED_FILE"]).write_text(str(time.time()))


async def test_with_database(db: DBSessionManager) -> None:
    note_the_time()


def test_without_database() -> None:
    note_the_time()
"""
LOAD_TESTS = """
import os

import pytest
import sqlalchemy as sa

from bench.db import DBSessionManager
from bench.models import T000

from factories import add_t000

ROWS = int(os.environ["ROWS"])
WAIT = float(os.environ["SERVER_WAIT"])


@pytest.mark.parametrize("number", range(int(os.environ["TESTS"])))
async def test_load(db: DBSessionManager, number: int) -> None:
    async with db.asessionmaker() as session:
        for _ in range(ROWS):
            await add_t000(session)
        await session.commit()
        await session.execute(sa.select(sa.func.pg_sleep(WAIT)))
        count = await session.scalar(sa.select(sa.func.count()).select_from(T000))
        assert count == ROWS
"""
MIGRATION = '''"""Extra column {number}."""

import sqlalchemy as sa
from alembic import op

revision = "{number:04d}"
down_revision = "{previous:04d}"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("t000", sa.Column("extra_{number}", sa.Integer()))


def downgrade() -> None:
    op.drop_column("t000", "extra_{number}")
'''


def add_migrations(project: Path, count: int) -> None:
    """Chain `count - 1` more migrations after the initial one."""
    versions = project / "src/bench/migrations/versions"
    for number in range(2, count + 1):
        text = MIGRATION.format(number=number, previous=number - 1)
        (versions / f"{number:04d}_extra.py").write_text(text)


def startup_project(workdir: Path, migrations: int, seed_rows: int, *, smoke_test: bool) -> Path:
    """A project of 2 tables with `migrations` migrations and a seed of `seed_rows` rows."""
    slug = f"bench-startup-{migrations}" + (f"-seed-{seed_rows}" if seed_rows else "")
    project = render_project(
        workdir, 2, smoke_test=smoke_test, package_name="bench", project_slug=slug
    )
    add_migrations(project, migrations)
    write_seed(project, seed_rows)
    return project


def pytest_seconds(project: Path, *args: str, **environment: str) -> float:
    """Wall time of one pytest run, in the project's own virtual environment if it has
    one (the smoke test made it), else in this interpreter."""
    python = venv_python(project)
    started = time.perf_counter()
    subprocess.run(
        [
            python if python.exists() else PYTHON,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:randomly",
            *args,
        ],
        cwd=project,
        env={**project_environment(project), **environment},
        capture_output=True,
        check=True,
    )
    return time.perf_counter() - started


def to_first_test(project: Path, test: str) -> float:
    """Seconds from starting pytest to the start of `test`."""
    started_file = project / "started"
    started = time.time()
    pytest_seconds(project, f"tests/test_first.py::{test}", STARTED_FILE=str(started_file))
    return float(started_file.read_text()) - started


def session_start(project: Path, repeat: int) -> dict[str, float]:
    """Each run with the database is paired with a run without it just before, so the
    machine's drift over minutes (seen here: clones 16 ms, then 40 ms) cancels out."""
    (project / "tests/test_first.py").write_text(FIRST_TESTS.lstrip())
    empty, extra = [], []
    for run in range(repeat + 1):
        empty.append(to_first_test(project, "test_without_database"))
        if run == 0:  # the first run with the database starts cold
            shutil.rmtree(data_directory(project), ignore_errors=True)
        extra.append(to_first_test(project, "test_with_database") - empty[-1])
    return {
        "empty_run_s": statistics.median(empty),
        "cold_extra_s": extra[0],
        "warm_extra_s": statistics.median(extra[1:]),
    }


def parallel(
    project: Path, repeat: int, suites: dict[str, tuple[str, str]], tests: int
) -> dict[str, dict[str, float]]:
    """`-n 0` and `-n 2` runs alternate; the speed-up is the median of the pairs'."""
    (project / "tests/test_load.py").write_text(LOAD_TESTS.lstrip())
    results = {}
    for suite, (rows, wait) in suites.items():
        pairs = [
            [
                pytest_seconds(
                    project,
                    *("-n", workers, "tests/test_load.py"),
                    ROWS=rows,
                    SERVER_WAIT=wait,
                    TESTS=str(tests),
                )
                for workers in ("0", "2")
            ]
            for _ in range(repeat)
        ]
        speedups = [n0 / n2 for n0, n2 in pairs]
        results[suite] = {
            "n0_s": statistics.median(n0 for n0, _ in pairs),
            "n2_s": statistics.median(n2 for _, n2 in pairs),
            "speedup": statistics.median(speedups),
            "speedup_min": min(speedups),
            "speedup_max": max(speedups),
        }
    return results


def markdown(
    start: dict[str, dict[str, float]], load: dict[str, dict[str, float]], tests: int
) -> str:
    lines = [
        "| migrations | pytest to first test, no database | cold start adds | warm start adds |",
        "|---|---|---|---|",
    ]
    for count, row in start.items():
        lines.append(
            f"| {count} | {row['empty_run_s']:.2f} s | {row['cold_extra_s']:.2f} s "
            f"| {row['warm_extra_s']:.2f} s |"
        )
    lines += [
        "",
        f"| {tests} database tests | `-n 0` | `-n 2` | speed-up (median) | lowest, highest |",
        "|---|---|---|---|---|",
    ]
    for suite, times in load.items():
        lines.append(
            f"| {suite} | {times['n0_s']:.1f} s | {times['n2_s']:.1f} s "
            f"| {times['speedup']:.2f}x | {times['speedup_min']:.2f}x, "
            f"{times['speedup_max']:.2f}x |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per warm measurement")
    parser.add_argument("--out", type=Path, default=RESULTS, help="where to write results")
    parser.add_argument("--tiny", action="store_true", help=TINY_HELP)
    options = parser.parse_args()
    repeat, counts, suites, tests = options.repeat, MIGRATION_COUNTS, SUITES, LOAD_TEST_COUNT
    seed_rows = SEED_ROWS
    if options.tiny:
        repeat, counts, suites, tests = 1, (2,), dict(list(SUITES.items())[:1]), 4
        seed_rows = 100
    options.out.mkdir(parents=True, exist_ok=True)
    start = {}
    with workdir() as directory:
        for count in counts:
            project = startup_project(directory, count, 0, smoke_test=not options.tiny)
            start[str(count)] = session_start(project, repeat)
        load = parallel(project, repeat, suites, tests)
        seeded = startup_project(directory, counts[0], seed_rows, smoke_test=not options.tiny)
        rows = f"{seed_rows:,}".replace(",", " ")
        label = f"{counts[0]}, with a seed of {rows} rows"
        start[label] = session_start(seeded, repeat)
    table = markdown(start, load, tests)
    results = {"start": start, "load": load}
    (options.out / "startup.json").write_text(json.dumps(results, indent=2) + "\n")
    (options.out / "startup.md").write_text(table + "\n")
    print(table)


if __name__ == "__main__":
    main()
