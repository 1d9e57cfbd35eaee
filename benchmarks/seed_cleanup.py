"""Benchmark: what a committing test's cleanup costs with seed data, in two strategies.

    python benchmarks/seed_cleanup.py [--runs 200] [--seeds 0 10 1000 10000] [--out DIR]
    python benchmarks/seed_cleanup.py --tiny --out DIR   # seconds: proves it still runs

A test marked db_commit (or every test with test_isolation=truncate) commits for real,
so afterwards its rows are deleted and the seed's rows must be there again. Two ways:

- keep (the rendered code, tests/testdb/seeding.py): delete only the rows that are not in
  the seed's copy, then insert the copy's rows that are missing;
- re-insert: delete every row of the seed's tables, then insert the whole copy again.

Both find the tables to clean with the same one query. Each test adds a row, either to
the seed's table (the cleanup must restore it) or to a child table next to it (the seed's
table is untouched). Per-test overhead is the test's time from set-up to tear-down less
the same test with no cleanup, median of `--runs`, the contenders taking turns in blocks
of 20. Renders a 2-table project (t000 seeded, t001 referring to it) and measures inside it
on the embedded PostgreSQL (measure_seed_cleanup.py). Writes
results/seed_cleanup.json and results/seed_cleanup.md (the table for the README).
"""

import argparse
import json
import subprocess
import sys
from pathlib import Path

from projects import PYTHON, project_environment, render_project, workdir

SEED_SIZES = [0, 10, 1000, 10000]
WARMUP = 20
RESULTS = Path(__file__).resolve().parent / "results"
MEASURE = Path(__file__).resolve().parent / "measure_seed_cleanup.py"
TINY_HELP = "3 tests per contender, seeds of 0 and 10 rows: a check that the benchmark runs"
LABELS = {
    "keep_touched": "keep: delete what is not seed, insert what is missing (default)",
    "reinsert_touched": "re-insert: delete the seed's tables, insert the whole seed",
    "keep_untouched": "keep, the seed's table untouched",
    "reinsert_untouched": "re-insert, the seed's table untouched",
}


def seed_label(rows: int) -> str:
    return "no seed" if not rows else f"seed of {rows:,} rows".replace(",", " ")


def markdown(results: dict[str, dict[str, float]]) -> str:
    sizes = list(results)
    header = " | ".join(seed_label(int(size)) for size in sizes)
    lines = [f"| cleanup after a committing test, median | {header} |"]
    lines.append("|---" * (len(sizes) + 1) + "|")
    for name, label in LABELS.items():
        cells = " | ".join(f"{results[size][name]:.2f} ms" for size in sizes)
        lines.append(f"| {label} | {cells} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200, help="timed tests per contender")
    parser.add_argument("--seeds", type=int, nargs="+", default=SEED_SIZES, help="seed rows")
    parser.add_argument("--out", type=Path, default=RESULTS, help="where to write results")
    parser.add_argument("--tiny", action="store_true", help=TINY_HELP)
    options = parser.parse_args()
    runs, sizes, warmup = options.runs, options.seeds, WARMUP
    if options.tiny:
        runs, sizes, warmup = 3, [0, 10], 1
    options.out.mkdir(parents=True, exist_ok=True)
    with workdir() as directory:
        project = render_project(directory, 2, package_name="bench", database_name="bench")
        completed = subprocess.run(
            [PYTHON, str(MEASURE), str(runs), str(warmup), *map(str, sizes)],
            cwd=project,
            env=project_environment(project),
            capture_output=True,
            text=True,
            check=False,
        )
    if completed.returncode:
        sys.exit(completed.stdout + completed.stderr)
    results = json.loads(completed.stdout)
    table = markdown(results)
    (options.out / "seed_cleanup.json").write_text(json.dumps(results, indent=2) + "\n")
    (options.out / "seed_cleanup.md").write_text(table + "\n")
    print(table)


if __name__ == "__main__":
    main()
