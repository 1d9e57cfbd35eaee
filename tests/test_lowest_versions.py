"""The lower bounds in the rendered pyproject.toml are true: a project installed with the
lowest version of each direct dependency that its bounds allow (uv's `lowest-direct`
resolution; what they depend on is the newest) lints, type-checks and passes its tests.

Every bound must also be reachable: the version installed is of the release the bound
names (7.0 for types-psutil's 7.0.0.20250218), so a
bound below what another bound permits (pytest-asyncio 1.0 next to pytest 9, which it
does not support) fails here. A fixed sample of answers covers every dependency: one
project per driver, the app in one of them; on the embedded server.
"""

import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from tests import readme
from tests.conftest import Bake

UV = Path(sys.executable).parent / "uv"
SAMPLES = [
    {"framework": "fastapi"},
    {"driver": "psycopg", "test_isolation": "truncate"},
]


def bounds(project: Path) -> dict[str, Version]:
    """Each direct dependency (the test extra's too) and the version its `>=` names."""
    metadata = tomllib.loads((project / "pyproject.toml").read_text())["project"]
    requirements = [*metadata["dependencies"], *metadata["optional-dependencies"]["test"]]
    found: dict[str, Version] = {}
    for requirement in map(Requirement, requirements):
        [lowest] = [spec.version for spec in requirement.specifier if spec.operator == ">="]
        found[canonicalize_name(requirement.name)] = Version(lowest)
    return found


def install_lowest(project: Path) -> Path:
    """The project and its test extra in a new virtual environment, at the lowest
    versions; return the environment's bin directory."""
    python = project / ".venv/bin/python"
    commands: list[list[str | Path]] = [
        [UV, "venv", "--quiet", "--python", sys.executable, project / ".venv"],
        [
            UV,
            "pip",
            "install",
            "--quiet",
            "--python",
            python,
            "--resolution",
            "lowest-direct",
            "-e",
            f"{project}[test]",
        ],
    ]
    for command in commands:
        subprocess.run(command, check=True, capture_output=True, text=True, timeout=600)
    return python.parent


def installed(bin_directory: Path) -> dict[str, Version]:
    listing = subprocess.run(
        [UV, "pip", "list", "--python", bin_directory / "python", "--format", "json"],
        check=True,
        capture_output=True,
        text=True,
    )
    rows = json.loads(listing.stdout)
    return {canonicalize_name(row["name"]): Version(row["version"]) for row in rows}


def run_in(project: Path, bin_directory: Path, *command: str) -> None:
    environment = readme.environment(postgres_dsn=None)  # a user's shell, embedded server
    environment["PATH"] = f"{bin_directory}{os.pathsep}{environment['PATH']}"
    completed = subprocess.run(
        command, cwd=project, env=environment, capture_output=True, text=True, timeout=900
    )
    assert completed.returncode == 0, f"{' '.join(command)}:\n{completed.stdout}{completed.stderr}"


@pytest.mark.parametrize("answers", SAMPLES, ids=lambda answers: "-".join(answers.values()))
def test_the_lowest_versions_the_bounds_allow_pass_everything(
    bake: Bake, answers: dict[str, str]
) -> None:
    project = bake(**answers)
    bin_directory = install_lowest(project)

    versions = installed(bin_directory)
    unreached = {
        name: f"{bound} wanted, {versions[name]} installed"
        for name, bound in bounds(project).items()
        if versions[name].release[: len(bound.release)] != bound.release
    }
    assert unreached == {}
    run_in(project, bin_directory, "ruff", "check", ".")
    run_in(project, bin_directory, "ruff", "format", "--check", ".")
    run_in(project, bin_directory, "mypy")
    run_in(project, bin_directory, "pytest", "-p", "no:cacheprovider", "-n", "2")
