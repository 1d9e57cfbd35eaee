"""Every benchmark still runs against the current template: each one's --tiny mode, which
renders the same projects and runs the same code as a full run, on a few tests only.

No timing is asserted (speed claims come from full runs, see the README); these tests
prove a full run would produce its tables, so a change that breaks a benchmark fails CI,
and that a run leaves no embedded server's data behind in the user's cache.
"""

import json
import subprocess
import sys
from pathlib import Path

import platformdirs

from tests.servers import needs_server

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


def run_tiny(script: str, out: Path) -> str:
    """Run `benchmarks/<script> --tiny --out <out>`; return its output (the tables)."""
    cache = platformdirs.user_cache_path("testdb")
    before = set(cache.glob("*")) if cache.exists() else set()
    completed = subprocess.run(
        [sys.executable, str(BENCHMARKS / script), "--tiny", "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert (set(cache.glob("*")) if cache.exists() else set()) == before
    return completed.stdout


def table_rows(markdown: str) -> list[list[str]]:
    """The cells of every row of the Markdown tables in `markdown`, separators left out."""
    return [
        [cell.strip() for cell in line.strip("|").split("|")]
        for line in markdown.splitlines()
        if line.startswith("|") and not line.startswith("|---")
    ]


def test_isolation_benchmark_measures_every_strategy(tmp_path: Path) -> None:
    printed = run_tiny("isolation.py", tmp_path)

    written = (tmp_path / "isolation.md").read_text()
    assert written.strip() in printed
    labels = [row[0] for row in table_rows(written)]
    assert table_rows(written)[0] == [
        "per-test overhead, median",
        "2 tables, asyncpg",
        "2 tables, psycopg",
    ]
    assert "savepoint rollback + leak guard (default)" in labels
    assert "savepoint rollback, without the leak guard" in labels
    assert "the leak guard's share (guarded less unguarded, test by test)" in labels
    assert "article: engine per test + TRUNCATE CASCADE" in labels
    for row in table_rows(written)[1:]:
        assert all(cell.endswith(" ms") or "ms (" in cell for cell in row[1:]), row
    assert (tmp_path / "isolation.png").read_bytes().startswith(b"\x89PNG")


def test_startup_benchmark_measures_start_and_parallel_runs(tmp_path: Path) -> None:
    run_tiny("startup.py", tmp_path)

    rows = table_rows((tmp_path / "startup.md").read_text())
    assert rows[0][0] == "migrations"
    assert rows[1][0] == "2"
    assert rows[2][0] == "2, with a seed of 100 rows"
    assert rows[3][:3] == ["4 database tests", "`-n 0`", "`-n 2`"]
    assert rows[4][0] == "busy: 10 rows, no wait"


def test_seed_cleanup_benchmark_measures_both_strategies(tmp_path: Path) -> None:
    printed = run_tiny("seed_cleanup.py", tmp_path)

    written = (tmp_path / "seed_cleanup.md").read_text()
    assert written.strip() in printed
    rows = table_rows(written)
    assert rows[0][1:] == ["no seed", "seed of 10 rows"]
    labels = [row[0] for row in rows[1:]]
    assert labels[0].startswith("keep: delete what is not seed")
    assert labels[1].startswith("re-insert: delete the seed's tables")
    for row in rows[1:]:
        assert all(cell.endswith(" ms") for cell in row[1:]), row


def test_peer_benchmark_compares_every_contender(tmp_path: Path) -> None:
    """Builds the peers' own virtual environment (from the package index) on first use."""
    run_tiny("peers.py", tmp_path)

    rows = table_rows((tmp_path / "peers.md").read_text())
    labels = [row[0] for row in rows]
    for contender in (
        "this project: `db` (rollback)",
        "the article's fixtures",
        "pytest-postgresql `postgresql_noproc`",
        "this project, embedded server",
    ):
        assert contender in labels
    assert "session start, beyond a no-database session" in labels
    assert "4 tests at 2 tables, wall time" in labels
    assert json.loads((tmp_path / "peers.json").read_text())["overhead"]["2"]["noproc"]


@needs_server
def test_pooler_benchmark_times_each_driver_both_ways(tmp_path: Path) -> None:
    run_tiny("pooler.py", tmp_path)

    rows = table_rows((tmp_path / "pooler.md").read_text())
    assert rows[0] == ["driver", "direct, median per test", "through PgBouncer", "difference"]
    assert [row[0] for row in rows[1:]] == ["asyncpg", "psycopg"]
    times = json.loads((tmp_path / "pooler.json").read_text())["times"]
    assert all(times[driver]["through PgBouncer"] for driver in ("asyncpg", "psycopg"))
