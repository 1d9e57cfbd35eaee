"""What an embedded PostgreSQL of the rendered fixtures could leave behind."""

import tempfile
from pathlib import Path

import psutil


def embedded_servers() -> set[int]:
    """Embedded PostgreSQL servers the rendered fixtures start (their data dir is pgtest-*)."""
    return {
        process.pid
        for process in psutil.process_iter(["name", "cmdline"])
        if process.info["name"] == "postgres"
        and "pgtest-" in " ".join(process.info["cmdline"] or ())
    }


def embedded_data_dirs() -> set[Path]:
    return set(Path(tempfile.gettempdir()).glob("pgtest-*"))
