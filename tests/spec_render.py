"""Render the files made from the `models` answer without a whole bake, for the cheap properties.

The files are rendered by cookiecutter's own Jinja environment with the template's extension,
exactly as a bake renders them, into a project baked once with the default answers, so ruff
reads that project's settings.
"""

import functools
import io
import json
from pathlib import Path
from typing import Any

from alembic.operations import Operations
from alembic.runtime.migration import MigrationContext
from cookiecutter.environment import StrictEnvironment
from jinja2 import Template

TEMPLATE = Path(__file__).resolve().parents[1]
PROJECT = TEMPLATE / "{{cookiecutter.project_slug}}"
PACKAGE = "src/{{cookiecutter.package_name}}"
# The files whose text depends on the `models` answer, as paths in the template.
MODEL_FILES = (
    f"{PACKAGE}/models.py",
    f"{PACKAGE}/migrations/versions/0001_initial.py",
    "tests/factories.py",
    "tests/seed.py",
    "tests/test_data_migrations.py",
    "tests/test_models.py",
    "tests/test_isolation.py",
    "tests/test_fixtures_that_write.py",
)
# ... and with framework=fastapi.
API_FILES = (
    f"{PACKAGE}/api/routes.py",
    f"{PACKAGE}/api/schemas.py",
    "tests/api/test_isolation_over_http.py",
    "tests/api/test_routes.py",
    "tests/api/test_sessions_in_tests.py",
)


@functools.cache
def model_templates() -> dict[str, Template]:
    """MODEL_FILES and API_FILES compiled once: compiling takes far longer than rendering."""
    answers = json.loads((TEMPLATE / "cookiecutter.json").read_text())
    environment = StrictEnvironment(context={"cookiecutter": answers}, keep_trailing_newline=True)
    return {
        relative: environment.from_string((PROJECT / relative).read_text())
        for relative in MODEL_FILES + API_FILES
    }


def render_model_files(spec: str, project: Path, framework: str = "none") -> list[Path]:
    """Render MODEL_FILES (and API_FILES for fastapi) for `spec` over `project`, baked with
    the default answers and that framework; return their paths."""
    context = {
        "models": spec,
        "package_name": "example_service",
        "test_isolation": "rollback",
        "framework": framework,
    }
    written = []
    for relative in MODEL_FILES + (API_FILES if framework == "fastapi" else ()):
        template = model_templates()[relative]
        target = project / relative.replace("{{cookiecutter.package_name}}", "example_service")
        target.write_text(template.render(cookiecutter=context))
        written.append(target)
    return written


def migration_sql(migration: Path) -> str:
    """The SQL of the migration's upgrade and downgrade, compiled offline for PostgreSQL."""
    output = io.StringIO()
    context = MigrationContext.configure(
        dialect_name="postgresql", opts={"as_sql": True, "output_buffer": output}
    )
    namespace: dict[str, Any] = {}
    with Operations.context(context):
        exec(compile(migration.read_text(), str(migration), "exec"), namespace)
        namespace["upgrade"]()
        namespace["downgrade"]()
    return output.getvalue()
