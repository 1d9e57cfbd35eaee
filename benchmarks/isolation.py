"""Benchmark: what isolating one test costs, at 10, 50 and 200 tables.

    python benchmarks/isolation.py [--runs 300] [--tables 10 50 200] [--out DIR]
    python benchmarks/isolation.py --tiny --out DIR   # seconds: proves it still runs

Renders a project per table count (every table in a tree of foreign keys), measures each
strategy inside it on the embedded PostgreSQL (measure_isolation.py), and writes
results/isolation.json, results/isolation.md (the table for the README) and
results/isolation.png (per-test overhead against the number of tables).
"""

import argparse
import json
import platform
import subprocess
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
from projects import PYTHON, project_environment, render_project

TABLE_COUNTS = [10, 50, 200]
WARMUP = 20  # tests per strategy before the timed ones
TINY_HELP = "3 tests per strategy on 2 tables: a check that the benchmark still runs"
RESULTS = Path(__file__).resolve().parent / "results"
MEASURE = Path(__file__).resolve().parent / "measure_isolation.py"
LABELS = {
    "article": "article: engine per test + TRUNCATE CASCADE",
    "truncate_shared_engine": "TRUNCATE, shared engine",
    "delete_filled_tables": "DELETE of the filled tables (db_commit, truncate mode)",
    "savepoint_rollback_unguarded": "savepoint rollback, without the leak guard",
    "savepoint_rollback": "savepoint rollback + leak guard (default)",
}
Results = dict[int, dict[str, dict[str, float]]]


def measure(tables: int, runs: int, warmup: int, workdir: Path) -> dict[str, dict[str, float]]:
    project = render_project(workdir, tables, package_name="bench", database_name="bench")
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


def markdown(results: Results) -> str:
    header = "| per-test overhead, median | " + " | ".join(f"{n} tables" for n in results) + " |"
    lines = [header, "|---" * (len(results) + 1) + "|"]
    for strategy, label in LABELS.items():
        cells = []
        for per_count in results.values():
            ratio = overhead(per_count, "article") / overhead(per_count, strategy)
            less = "" if strategy == "article" else f" ({ratio:.1f}x less)"
            cells.append(f"{overhead(per_count, strategy):.2f} ms{less}")
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    floor = " | ".join(f"{r['select_1']['median_ms']:.2f} ms" for r in results.values())
    bare = " | ".join(f"{r['no_isolation']['median_ms']:.2f} ms" for r in results.values())
    lines.append(f"| one `SELECT 1` round trip (the floor) | {floor} |")
    lines.append(f"| the test itself, no isolation (subtracted above) | {bare} |")
    return "\n".join(lines)


def chart(results: Results, path: Path) -> None:
    plt.switch_backend("agg")  # no display needed
    figure, axes = plt.subplots(figsize=(8, 5.5))
    counts = list(results)
    for strategy, label in LABELS.items():
        axes.plot(counts, [overhead(results[n], strategy) for n in counts], "o-", label=label)
    axes.plot(
        counts, [results[n]["select_1"]["median_ms"] for n in counts], "k:", label="one round trip"
    )
    axes.set(xlabel="tables", ylabel="per-test overhead, ms (log)", yscale="log", xticks=counts)
    axes.set_title(f"Isolating one test ({platform.machine()}, embedded PostgreSQL)")
    axes.legend(fontsize="small", loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=2)
    figure.tight_layout()
    figure.savefig(path, dpi=120)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=300, help="tests per strategy and size")
    parser.add_argument("--tables", type=int, nargs="+", default=TABLE_COUNTS)
    parser.add_argument("--out", type=Path, default=RESULTS, help="where to write results")
    parser.add_argument("--tiny", action="store_true", help=TINY_HELP)
    options = parser.parse_args()
    runs, warmup, counts = options.runs, WARMUP, options.tables
    if options.tiny:
        runs, warmup, counts = 3, 1, [2]
    options.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as workdir:
        results = {n: measure(n, runs, warmup, Path(workdir) / str(n)) for n in counts}
    (options.out / "isolation.json").write_text(json.dumps(results, indent=2) + "\n")
    (options.out / "isolation.md").write_text(markdown(results) + "\n")
    chart(results, options.out / "isolation.png")
    print(markdown(results))


if __name__ == "__main__":
    main()
