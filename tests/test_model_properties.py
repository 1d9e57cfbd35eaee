"""Property-based proof of the `models` grammar: every spec the parser accepts renders code
that ruff, ruff format and mypy accept, whose migration compiles and applies and matches the
models, and whose suite passes; every spec it refuses is refused with one line, leaving
nothing on disk.

The cheap properties (parse, render, ruff, the migration's SQL compiled offline) run hundreds
of examples; the expensive one (bake, mypy --strict, the rendered suite on PostgreSQL: the
server POSTGRES_DSN names, else the embedded one) a few, with a fixed seed so every CI run
tries the same ones. framework=fastapi is covered too: the cheap properties render and lint
the API's files (routes, schemas and their tests) for every spec, and the expensive one
bakes two specs with each framework.
"""

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from cookiecutter.exceptions import FailedHookException
from cookiecutter.main import cookiecutter
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from template_extensions.model_spec import ModelSpecError, parse_models
from tests.rendered import run, run_tests
from tests.spec_render import TEMPLATE, migration_sql, render_model_files
from tests.spec_strategies import MUTATIONS, valid_specs

# The cheap properties check BATCH specs per example: 4 x 50 = 200 specs.
BATCH = 4
CHEAP = settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
EXPENSIVE = settings(max_examples=3, deadline=None, derandomize=True, database=None)
# The same, run once per framework: two specs each instead of three in all.
EXPENSIVE_EACH = settings(EXPENSIVE, max_examples=2)
LONGEST = (
    f"{'p' * 10}_{'q' * 19}: {'c' * 30} timestamptz? = now, big decimal(1000,999) unique,"
    f" {'s' * 30} str(10485760) = 'ab c';"
    f" {'r' * 18}: {'c' * 30} uuid index;"
    f" {'t' * 20}: {'k' * 20} -> {'r' * 18}, zz -> {'p' * 10}_{'q' * 19}?, {'y' * 30} jsonb"
)


@pytest.fixture(scope="module")
def default_projects(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Copies of a project baked once with the default answers and framework=fastapi (the
    most files); each example renders its specs' files over them, so one ruff run checks a
    batch of specs."""
    output = tmp_path_factory.mktemp("properties")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SKIP_SMOKE_TEST", "1")
        baked = Path(
            cookiecutter(
                str(TEMPLATE),
                no_input=True,
                extra_context={"framework": "fastapi"},
                output_dir=output / "baked",
            )
        )
    copies = [output / "batch" / f"project{number}" for number in range(BATCH)]
    for copy in copies:
        shutil.copytree(baked, copy)
    return copies


def ruff(directory: Path, files: list[Path], *arguments: str) -> None:
    command = [sys.executable, "-m", "ruff", *arguments, *map(str, files)]
    completed = subprocess.run(command, cwd=directory, capture_output=True, text=True, check=False)
    assert completed.returncode == 0, completed.stdout + completed.stderr


@CHEAP
@given(specs=st.lists(valid_specs(), min_size=BATCH, max_size=BATCH))
@example(specs=[LONGEST] * BATCH)
def test_valid_specs_parse_render_lint_clean_and_compile(
    specs: list[str], default_projects: list[Path]
) -> None:
    files = []
    for spec, project in zip(specs, default_projects, strict=True):
        tables = parse_models(spec, "fastapi")
        rendered = render_model_files(spec, project, "fastapi")
        files.extend(rendered)

        assert len(tables) == spec.count(";") + 1
        sql = migration_sql(rendered[1])
        for table in tables:
            assert f"CREATE TABLE {table.name} (" in sql
            for column in table.unique_columns:
                assert f"CONSTRAINT {table.unique_name(column)} UNIQUE" in sql
    batch = default_projects[0].parent
    ruff(batch, files, "check", "--quiet")
    ruff(batch, files, "format", "--check", "--quiet")


@settings(max_examples=300, deadline=None)
@given(spec=valid_specs(max_tables=12), mutation=st.sampled_from(MUTATIONS))
def test_a_mutated_spec_is_refused_with_one_line(
    spec: str, mutation: tuple[Callable[[str], str], str]
) -> None:
    mutate, message = mutation
    with pytest.raises(ModelSpecError) as error:
        parse_models(mutate(spec))

    assert message in str(error.value)
    assert str(error.value).startswith("models: ")
    assert "\n" not in str(error.value)


@EXPENSIVE
@given(spec=valid_specs(max_tables=8), mutation=st.sampled_from(MUTATIONS))
def test_a_refused_spec_leaves_nothing_on_disk(
    spec: str, mutation: tuple[Callable[[str], str], str], tmp_path_factory: pytest.TempPathFactory
) -> None:
    output = tmp_path_factory.mktemp("refused")
    with pytest.raises(FailedHookException):
        cookiecutter(
            str(TEMPLATE),
            no_input=True,
            extra_context={"models": mutation[0](spec)},
            output_dir=output,
        )

    assert list(output.iterdir()) == []


@pytest.mark.parametrize("framework", ["none", "fastapi"])
@EXPENSIVE_EACH
@given(spec=valid_specs(max_tables=12))
def test_a_valid_spec_renders_a_project_whose_suite_passes(
    spec: str, framework: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    output = tmp_path_factory.mktemp("valid")
    answers = {"models": spec, "framework": framework}
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SKIP_SMOKE_TEST", "1")
        project = Path(
            cookiecutter(str(TEMPLATE), no_input=True, extra_context=answers, output_dir=output)
        )

    run(project, "-m", "mypy", "--strict")
    counts = run_tests(project, postgres_dsn=os.environ.get("POSTGRES_DSN"))
    assert set(counts) == {"passed"}, counts
