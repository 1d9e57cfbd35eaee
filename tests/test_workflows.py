"""The CI workflows, the rendered project's and the template's, are valid GitHub Actions
workflows that test against PostgreSQL the way the READMEs say."""

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


def test_rendered_workflow_tests_against_a_postgres_service(bake: Bake) -> None:
    project = bake(python_version="3.12")

    job = validate(project / ".github/workflows/ci.yml")["jobs"]["test"]

    assert job["services"]["postgres"]["image"].startswith("postgres:")
    assert "pg_isready" in job["services"]["postgres"]["options"]
    assert job["env"]["POSTGRES_DSN"] == "postgresql://postgres:postgres@localhost:5432/postgres"
    assert step_commands(job)[:4] == [
        "python -m pip install -e '.[test]'",
        "ruff check . && ruff format --check .",
        "mypy",
        "pytest -n auto",
    ]
    setup = next(
        step for step in job["steps"] if step.get("uses", "").startswith("actions/setup-")
    )
    assert setup["with"]["python-version"] == "3.12"


def test_rendered_workflow_runs_cruft_check_when_made_with_cruft(bake: Bake) -> None:
    project = bake()

    job = validate(project / ".github/workflows/ci.yml")["jobs"]["test"]

    cruft = next(step for step in job["steps"] if "cruft check" in step.get("run", ""))
    assert cruft["if"] == "hashFiles('.cruft.json') != ''"


def test_template_workflow_covers_python_versions_with_and_without_a_server() -> None:
    workflow = validate(TEMPLATE / ".github/workflows/ci.yml")
    job = workflow["jobs"]["test"]

    matrix = job["strategy"]["matrix"]
    assert matrix["python-version"] == ["3.11", "3.12", "3.13"]
    assert matrix["postgres"] == ["embedded", "service"]
    assert "matrix.postgres == 'service'" in job["services"]["postgres"]["image"]
    assert "matrix.postgres == 'service'" in job["env"]["POSTGRES_DSN"]
    assert step_commands(job) == ["python -m pip install -r requirements-dev.txt", "pytest"]


@pytest.mark.parametrize("workflow", ["rendered", "template"])
def test_workflows_name_no_unrendered_template_syntax(bake: Bake, workflow: str) -> None:
    path = (bake() if workflow == "rendered" else TEMPLATE) / ".github/workflows/ci.yml"

    text = path.read_text()

    assert "cookiecutter" not in text
    assert ("${{" in text) == (workflow == "template")
