"""Benchmark: the rendered API suite through PgBouncer in transaction mode, against the
same suite connected to the server directly, with each driver.

    python benchmarks/pooler.py [--runs 7] [--drivers asyncpg psycopg] [--out DIR]
    python benchmarks/pooler.py --tiny --out DIR   # one run of one test file: it still runs

Needs POSTGRES_DSN (the server PgBouncer sits in front of) and `pgbouncer` on PATH. Renders
a `framework=fastapi` project per driver and runs its `tests/api` in one process (`-n 0`),
the two ways taking turns, `--runs` times each after a first session that builds the
template. Through PgBouncer the app's engine has DB_POOLER=transaction and the tests'
machinery POSTGRES_ADMIN_DSN, as the rendered README says. A test's time is pytest's
(set-up, call and tear-down, from its JUnit XML); the table shows the median over every
test of every run. Writes results/pooler.json and results/pooler.md.
"""

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

from projects import PYTHON, project_environment, render_project

# PgBouncer is started by the template tests' own helper, tests/pgbouncer.py.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.pgbouncer import PgBouncer, pgbouncer

DRIVERS = ["asyncpg", "psycopg"]
WAYS = ["direct", "through PgBouncer"]
RESULTS = Path(__file__).resolve().parent / "results"
TINY_HELP = "one run of tests/api/test_app.py per driver: a check that the benchmark runs"


def environment(project: Path, server: str, pooler: PgBouncer | None) -> dict[str, str]:
    """The project's environment, directly on `server` or through `pooler`."""
    result = project_environment(project)
    if pooler is None:
        return {**result, "POSTGRES_DSN": server}
    return {
        **result,
        "POSTGRES_DSN": pooler.dsn("postgres"),
        "POSTGRES_ADMIN_DSN": server,
        "DB_POOLER": "transaction",
    }


def test_times(project: Path, tests: str, environment: dict[str, str]) -> list[float]:
    """One session of `tests`; each test's seconds, from pytest's JUnit XML."""
    with tempfile.TemporaryDirectory() as directory:
        report = Path(directory) / "report.xml"
        command = [PYTHON, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-n", "0", tests]
        subprocess.run(
            [*command, f"--junitxml={report}"],
            cwd=project,
            env=environment,
            check=True,
            capture_output=True,
        )
        cases = ET.parse(report).getroot().iter("testcase")
        return [float(case.get("time", "0")) for case in cases]


def measure(
    project: Path, tests: str, runs: int, server: str, *, warm_up: bool = True
) -> dict[str, list[float]]:
    """Each way's test times over `runs` sessions, the ways taking turns, after a session
    that builds the template (--tiny measures nothing, so it leaves that out)."""
    times: dict[str, list[float]] = {way: [] for way in WAYS}
    with pgbouncer(server) as pooler:
        poolers = {"direct": None, "through PgBouncer": pooler}
        if warm_up:
            test_times(project, tests, environment(project, server, None))
        for _ in range(runs):
            for way in WAYS:
                times[way] += test_times(
                    project, tests, environment(project, server, poolers[way])
                )
    return times


def markdown(results: dict[str, dict[str, list[float]]]) -> str:
    lines = [
        "| driver | direct, median per test | through PgBouncer | difference |",
        "|---|---|---|---|",
    ]
    for driver, times in results.items():
        direct, pooled = (statistics.median(times[way]) * 1000 for way in WAYS)
        lines.append(
            f"| {driver} | {direct:.1f} ms | {pooled:.1f} ms | {pooled - direct:+.1f} ms |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--drivers", nargs="+", choices=DRIVERS, default=DRIVERS)
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--tiny", action="store_true", help=TINY_HELP)
    options = parser.parse_args()
    server = os.environ.get("POSTGRES_DSN") or sys.exit("set POSTGRES_DSN to the server")
    runs, tests = (1, "tests/api/test_app.py") if options.tiny else (options.runs, "tests/api")
    results = {}
    with tempfile.TemporaryDirectory() as directory:
        for driver in options.drivers:
            answers = {"driver": driver, "framework": "fastapi", "database_name": "pooler_bench"}
            project = render_project(Path(directory) / driver, 2, **answers)
            results[driver] = measure(project, tests, runs, server, warm_up=not options.tiny)
    options.out.mkdir(parents=True, exist_ok=True)
    table = markdown(results)
    machine = {"python": platform.python_version(), "machine": platform.machine()}
    (options.out / "pooler.json").write_text(json.dumps({**machine, "times": results}))
    (options.out / "pooler.md").write_text(table)
    print(table)


if __name__ == "__main__":
    main()
