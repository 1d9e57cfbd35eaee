"""Run a rendered project's tools (pytest, ruff, mypy, alembic) in this environment."""

import os
import re
import subprocess
import sys
from pathlib import Path

SUMMARY = re.compile(r"^=*\s*(?P<counts>\d+ \w+.*) in [\d.]+s", re.MULTILINE)


def python_in(
    project: Path, *arguments: str, postgres_dsn: str | None = None, timeout: int = 600
) -> "subprocess.CompletedProcess[str]":
    """Run `python <arguments>` in the project, with its src/ importable.

    POSTGRES_DSN is set to `postgres_dsn`, or removed so the embedded server is used.
    """
    return subprocess.run(
        [sys.executable, *arguments],
        cwd=project,
        env=environment_in(project, postgres_dsn),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def shell_in(project: Path, command: str, **variables: str) -> "subprocess.CompletedProcess[str]":
    """Run a command line in bash in the project, as a user types it with this
    environment's tools on PATH and the project's src/ importable; POSTGRES_DSN unset."""
    environment = environment_in(project)
    environment["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{environment['PATH']}"
    return subprocess.run(
        ["bash", "-c", command],
        cwd=project,
        env={**environment, **variables},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def environment_in(project: Path, postgres_dsn: str | None = None) -> dict[str, str]:
    """This environment, with the project's src/ importable and POSTGRES_DSN set to
    `postgres_dsn`, or removed so the embedded server is used."""
    environment = {**os.environ, "PYTHONPATH": str(project / "src")}
    environment.pop("POSTGRES_DSN", None)
    if postgres_dsn:
        environment["POSTGRES_DSN"] = postgres_dsn
    return environment


def run(
    project: Path, *arguments: str, postgres_dsn: str | None = None, expect_failures: bool = False
) -> str:
    """Run `python <arguments>` in the project (see python_in); return its output.

    The command must succeed, or with `expect_failures` end with exit status 1.
    """
    completed = python_in(project, *arguments, postgres_dsn=postgres_dsn)
    output = completed.stdout + completed.stderr
    expected_status = 1 if expect_failures else 0
    assert completed.returncode == expected_status, f"{' '.join(arguments)} failed:\n{output}"
    return output


def run_tests(
    project: Path, *args: str, postgres_dsn: str | None = None, expect_failures: bool = False
) -> dict[str, int]:
    """Run the project's pytest; return its summary counts, e.g. {"passed": 7}."""
    output = run(
        project,
        *("-m", "pytest", "-p", "no:cacheprovider", *args),
        postgres_dsn=postgres_dsn,
        expect_failures=expect_failures,
    )
    return summary(output)


def summary(output: str) -> dict[str, int]:
    """The counts of pytest's summary line in `output`, e.g. {"passed": 7}."""
    match = SUMMARY.search(output)
    assert match, f"no pytest summary line in:\n{output}"
    counts = {}
    for part in match["counts"].split(", "):
        number, outcome = part.split(" ", 1)
        counts[outcome] = int(number)
    return counts
