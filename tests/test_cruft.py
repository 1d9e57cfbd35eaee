"""Projects made with cruft stay linked to the template: an update applies template changes,
and the smoke test never runs while cruft renders."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.template_copy import commit_all, git, template_repo

MIGRATION = '"""A migration the user wrote."""\n'


def cruft(*arguments: str, cwd: Path) -> str:
    environment = {name: value for name, value in os.environ.items() if name != "SKIP_SMOKE_TEST"}
    completed = subprocess.run(
        [sys.executable, "-m", "cruft", *arguments],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=300,
        check=False,
    )
    output = completed.stdout + completed.stderr
    assert completed.returncode == 0, output
    return output


def test_cruft_create_then_update_applies_the_template_change(tmp_path: Path) -> None:
    template = template_repo(tmp_path / "template")
    created = cruft("create", str(template), "--no-input", cwd=tmp_path)
    project = tmp_path / "example-service"
    git(project, "init", "--quiet", "--initial-branch=main")
    commit_all(project, "generated")

    readme = template / "{{cookiecutter.project_slug}}/README.md"
    readme.write_text(readme.read_text() + "\nA line added by a later template commit.\n")
    commit_all(template, "template change")
    updated = cruft("update", "-y", cwd=project)

    assert "smoke test: skipped (cruft is rendering the template)" in created
    assert "smoke test: skipped (cruft is rendering the template)" in updated
    assert "A line added by a later template commit." in (project / "README.md").read_text()
    assert (
        json.loads((project / ".cruft.json").read_text())["commit"]
        == git(template, "rev-parse", "HEAD").strip()
    )
    assert not (project / ".venv").exists()


def test_update_keeps_the_users_model_and_migration(tmp_path: Path) -> None:
    template = template_repo(tmp_path / "template")
    cruft("create", str(template), "--no-input", cwd=tmp_path)
    project = tmp_path / "example-service"
    models = project / "src/example_service/models.py"
    models.write_text(models.read_text() + "\n# the user's own model would be here\n")
    migration = project / "src/example_service/migrations/versions/0002_users_own.py"
    migration.write_text(MIGRATION)
    git(project, "init", "--quiet", "--initial-branch=main")
    commit_all(project, "generated, then grown")

    for path in ("README.md", "src/{{cookiecutter.package_name}}/models.py"):
        changed = template / "{{cookiecutter.project_slug}}" / path
        changed.write_text(changed.read_text() + "\n# changed by a later template commit\n")
    commit_all(template, "template change")
    cruft("update", "-y", cwd=project)

    assert "# changed by a later template commit" in (project / "README.md").read_text()
    assert "# the user's own model would be here" in models.read_text()
    assert "# changed by a later template commit" not in models.read_text()
    assert migration.read_text() == MIGRATION


@pytest.mark.parametrize("command", [["check"], ["diff", "--exit-code"]])
def test_cruft_check_and_diff_see_an_unchanged_project_as_current(
    tmp_path: Path, command: list[str]
) -> None:
    template = template_repo(tmp_path / "template")
    cruft("create", str(template), "--no-input", cwd=tmp_path)

    cruft(*command, cwd=tmp_path / "example-service")
