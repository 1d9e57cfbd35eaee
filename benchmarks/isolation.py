"""Benchmark: what isolating one test costs, at 10, 50 and 200 tables, with each driver.

    python benchmarks/isolation.py [--runs 300] [--tables 10 50 200]
                                   [--drivers asyncpg psycopg] [--out DIR]
    python benchmarks/isolation.py --tiny --out DIR   # seconds: proves it still runs

Renders a project per driver and table count (every table in a tree of foreign keys),
measures each strategy inside it on the embedded PostgreSQL (measure_isolation.py), and
writes results/isolation.json, results/isolation.md (the table for the README, the drivers
side by side) and results/isolation.png (per-test overhead against the number of tables).
"""

import argparse
import json
import platform
import subprocess
from pathlib import Path

import matplotlib.pyplot as plt
from projects import PYTHON, project_environment, render_project, workdir

TABLE_COUNTS = [10, 50, 200]
DRIVERS = ["asyncpg", "psycopg"]
WARMUP = 20  # tests per strategy before the timed ones
TINY_HELP = "3 tests per strategy on 2 tables, each driver: a check that the benchmark runs"
RESULTS = Path(__file__).resolve().parent / "results"
MEASURE = Path(__file__).resolve().parent / "measure_isolation.py"
LABELS = {
    "article": "article: engine per test + TRUNCATE CASCADE",
    "truncate_shared_engine": "TRUNCATE, shared engine",
    "delete_filled_tables": "DELETE of the filled tables (db_commit, truncate mode)",
    "savepoint_rollback_unguarded": "savepoint rollback, without the leak guard",
    "savepoint_rollback": "savepoint rollback + leak guard (default)",
}
# driver -> table count -> strategy -> summary
Results = dict[str, dict[int, dict[str, dict[str, float]]]]


def measure(
    driver: str, tables: int, runs: int, warmup: int, workdir: Path
) -> dict[str, dict[str, float]]:
    project = render_project(
        workdir, tables, package_name="bench", database_name="bench", driver=driver
    )
    completed = subprocess.run(
        [PYTHON, str(MEASURE), str(runs), str(warmup)],
        cwd=project,
        env=project_environment(project),
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, dict[str, float]] = json.loads(completed.stdout)
    return result


def overhead(results: dict[str, dict[str, float]], strategy: str) -> float:
    """A strategy's median per-test time less that of the same test with no isolation."""
    return results[strategy]["median_ms"] - results["no_isolation"]["median_ms"]


def columns(results: Results) -> list[tuple[str, int]]:
    """(driver, table count) per column: each table count, its drivers side by side."""
    counts = next(iter(results.values()))
    return [(driver, count) for count in counts for driver in results]


def markdown(results: Results) -> str:
    shown = columns(results)
    names = " | ".join(f"{count} tables, {driver}" for driver, count in shown)
    lines = [f"| per-test overhead, median | {names} |", "|---" * (len(shown) + 1) + "|"]
    for strategy, label in LABELS.items():
        cells = []
        for driver, count in shown:
            measured = results[driver][count]
            ratio = overhead(measured, "article") / overhead(measured, strategy)
            less = "" if strategy == "article" else f" ({ratio:.1f}x less)"
            cells.append(f"{overhead(measured, strategy):.2f} ms{less}")
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    for key, label in (
        ("guard_share", "the leak guard's share (guarded less unguarded, test by test)"),
        ("select_1", "one `SELECT 1` round trip (the floor)"),
        ("no_isolation", "the test itself, no isolation (subtracted above)"),
    ):
        cells = [f"{results[driver][count][key]['median_ms']:.2f} ms" for driver, count in shown]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def chart(results: Results, path: Path) -> None:
    """One line per strategy and driver: solid for the first driver, dashed for the next."""
    plt.switch_backend("agg")  # no display needed
    figure, axes = plt.subplots(figsize=(8, 6.5))
    for driver, style in zip(results, ["o-", "s--", "^:"], strict=False):
        by_count = results[driver]
        counts = list(by_count)
        for number, (strategy, label) in enumerate(LABELS.items()):
            overheads = [overhead(by_count[n], strategy) for n in counts]
            axes.plot(counts, overheads, style, color=f"C{number}", label=f"{label}, {driver}")
        floor = [by_count[n]["select_1"]["median_ms"] for n in counts]
        axes.plot(counts, floor, "k" + style[1:], label=f"one round trip, {driver}")
    counts = [count for _, count in columns(results)]
    axes.set(xlabel="tables", ylabel="per-test overhead, ms (log)", yscale="log", xticks=counts)
    axes.set_title(f"Isolating one test ({platform.machine()}, embedded PostgreSQL)")
    axes.legend(fontsize="x-small", loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=2)
    figure.tight_layout()
    figure.savefig(path, dpi=120)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=300, help="tests per strategy and size")
    parser.add_argument("--tables", type=int, nargs="+", default=TABLE_COUNTS)
    parser.add_argument("--drivers", nargs="+", default=DRIVERS, choices=DRIVERS)
    parser.add_argument("--out", type=Path, default=RESULTS, help="where to write results")
    parser.add_argument("--tiny", action="store_true", help=TINY_HELP)
    options = parser.parse_args()
    runs, warmup, counts = options.runs, WARMUP, options.tables
    if options.tiny:
        runs, warmup, counts = 3, 1, [2]
    options.out.mkdir(parents=True, exist_ok=True)
    with workdir() as directory:
        results = {
            driver: {
                n: measure(driver, n, runs, warmup, directory / f"{driver}-{n}") for n in counts
            }
            for driver in options.drivers
        }
    (options.out / "isolation.json").write_text(json.dumps(results, indent=2) + "\n")
    (options.out / "isolation.md").write_text(markdown(results) + "\n")
    chart(results, options.out / "isolation.png")
    print(markdown(results))


if __name__ == "__main__":
    main()
