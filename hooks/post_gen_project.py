"""Remove what the answers did not ask for, then prove the new project works: make its
.venv, install it, and run its own test suite.

The hook runs under whatever interpreter runs cookiecutter (often pipx's, without SQLAlchemy
or pytest), so the tests run in the project's own .venv, which the user keeps. A machine that
cannot run them (no network for the install, no embedded PostgreSQL for this platform) gets
a warning and keeps the project; only tests that run and fail make the hook fail.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path

# Rendered by cookiecutter: all answers, plus cookiecutter's and cruft's private keys.
ANSWERS = r""" {{ cookiecutter | tojson }} """

STEP_TIMEOUT = 900  # seconds; an install without network can hang on retries
RUN_BY_HAND = "python -m venv .venv && .venv/bin/pip install -e '.[test]' && .venv/bin/pytest"


class EnvironmentProblem(Exception):
    """This machine could not run the smoke test; the project itself may be fine."""


def skip_reason(answers: Mapping[str, object], environment: Mapping[str, str]) -> str | None:
    # cruft renders in temporary directories (twice per update): its context has `_commit`
    # and, unlike cookiecutter's, no `_output_dir`.
    if "_commit" in answers and "_output_dir" not in answers:
        return "cruft is rendering the template"
    if environment.get("SKIP_SMOKE_TEST") == "1":
        return "SKIP_SMOKE_TEST=1 is set"
    if not answers["run_smoke_test"]:
        return "run_smoke_test is no"
    return None


def say(message: str) -> None:
    print(f"smoke test: {message}", flush=True)


def step(message: str, command: list[str], project: Path) -> subprocess.CompletedProcess[str]:
    """Run one step, saying what it does and how long it took."""
    say(f"{message} ...")
    started = time.monotonic()
    try:
        completed = subprocess.run(
            command,
            cwd=project,
            env=step_environment(),
            capture_output=True,
            text=True,
            timeout=STEP_TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise EnvironmentProblem(f"{message} failed: {error}") from None
    say(f"{message}: done in {time.monotonic() - started:.1f} s")
    return completed


def step_environment() -> dict[str, str]:
    """The caller's environment, minus what would point the steps at another Python."""
    hidden = {"PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV"}
    return {name: value for name, value in os.environ.items() if name not in hidden}


def venv_python(project: Path) -> Path:
    scripts = "Scripts/python.exe" if os.name == "nt" else "bin/python"
    return project / ".venv" / scripts


def create_venv(project: Path, uv: str | None) -> Path:
    if uv:
        command = [uv, "venv", "--quiet", "--python", sys.executable, ".venv"]
    else:
        command = [sys.executable, "-m", "venv", ".venv"]
    completed = step(f"creating .venv with {'uv' if uv else 'venv'}", command, project)
    if completed.returncode != 0:
        raise EnvironmentProblem(f"creating .venv failed:\n{tail(completed)}")
    return venv_python(project)


def install(project: Path, python: Path, uv: str | None) -> None:
    if uv:
        # Compiled at install, as pip does, so no test run compiles every import again
        # where PYTHONDONTWRITEBYTECODE is set.
        command = [uv, "pip", "install", "--quiet", "--compile-bytecode", "--python", str(python)]
        command += ["-e", ".[test]"]
    else:
        command = [str(python), "-m", "pip", "install", "--quiet", "-e", ".[test]"]
    completed = step(f"installing -e '.[test]' with {'uv' if uv else 'pip'}", command, project)
    if completed.returncode != 0:
        raise EnvironmentProblem(f"installing the project failed:\n{tail(completed)}")


def run_tests(project: Path, python: Path) -> str:
    """Run the suite with the project's own pytest settings; return pytest's summary line."""
    command = [str(python), "-m", "pytest", "-c", "pyproject.toml", "--rootdir", "."]
    completed = step("running tests", [*command, "-p", "no:cacheprovider", "-q"], project)
    summary = completed.stdout.strip().splitlines()[-1] if completed.stdout.strip() else ""
    if completed.returncode == 0:
        return summary
    if completed.returncode == 1 and " failed" not in summary:
        # Errors in fixtures without failing tests: the database could not be reached.
        raise EnvironmentProblem(f"the tests could not reach a database:\n{tail(completed)}")
    print(completed.stdout + completed.stderr, file=sys.stderr)
    raise SystemExit(
        f"smoke test: the new project's tests failed ({summary or 'no summary'}); this is a "
        "bug in the template. Generate with SKIP_SMOKE_TEST=1 to keep the project anyway."
    )


def tail(completed: subprocess.CompletedProcess[str], lines: int = 15) -> str:
    output = (completed.stdout + completed.stderr).strip().splitlines()
    return "\n".join(output[-lines:])


def smoke_test(project: Path) -> None:
    uv = shutil.which("uv")
    python = create_venv(project, uv)
    install(project, python, uv)
    say(run_tests(project, python))
    say(f"the project's .venv is ready: cd {project.name} && . .venv/bin/activate")


def remove_api_files(project: Path, answers: Mapping[str, object]) -> None:
    """Cookiecutter renders every directory; without a framework the API's go again."""
    if answers["framework"] != "none":
        return
    shutil.rmtree(project / "src" / str(answers["package_name"]) / "api")
    shutil.rmtree(project / "tests" / "api")


def main() -> int:
    project = Path.cwd()
    answers = json.loads(ANSWERS)
    remove_api_files(project, answers)
    reason = skip_reason(answers, os.environ)
    if reason:
        say(f"skipped ({reason}); to run it later, in {project.name}: {RUN_BY_HAND}")
        return 0
    try:
        smoke_test(project)
    except EnvironmentProblem as problem:
        say(f"warning: {problem}")
        say(f"the project is kept; run the tests by hand in {project.name}: {RUN_BY_HAND}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
