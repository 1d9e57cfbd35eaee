"""Migration safety in a rendered project (its README: Migration safety): squawk fails an
unsafe migration naming the rule and the file, and passes the README's CREATE INDEX
CONCURRENTLY migration, which the template database, the stairway and `alembic check`
take as well; a missing squawk or a bad lock_timeout is one line, never a traceback."""

import os
import re
import shlex
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

from tests.answers import DEFAULT_TEST_COUNT
from tests.conftest import Bake
from tests.readme import commands as readme_commands
from tests.readme import section, stop_at_first_failure
from tests.rendered import environment_in, run, run_tests, shell_in, summary

VERSIONS = "src/example_service/migrations/versions"
MIGRATION = '''"""{message}

Revision ID: {revision}
Revises: {down_revision}
"""

import sqlalchemy as sa
from alembic import op

revision = "{revision}"
down_revision = "{down_revision}"
branch_labels = None
depends_on = None


{body}'''
PLAIN_INDEX = """def upgrade() -> None:
    op.create_index("ix_product_name", "product", ["name"])


def downgrade() -> None:
    op.drop_index("ix_product_name", table_name="product")
"""
REQUIRED_COLUMN = """def upgrade() -> None:
    op.add_column("product", sa.Column("sku", sa.String(40), nullable=False))


def downgrade() -> None:
    op.drop_column("product", "sku")
"""
SQUAWK_TESTS = ("-p", "no:cacheprovider", "tests/test_migration_safety.py", "-k", "squawk")
FENCED_PYTHON = re.compile(r"^```python\n(.*?)^```", re.MULTILINE | re.DOTALL)
# A failed test's section in pytest's report: `____ test_name[param] ____`, up to the
# next one or to the next `==== ... ====` line (the short summary names every failure).
FAILURE_HEADER = re.compile(r"^_{3,} (\S+) _{3,}$", re.MULTILINE)
REPORT_SEPARATOR = re.compile(r"^={3,} ", re.MULTILINE)


def add_migration(project: Path, name: str, down_revision: str, body: str) -> Path:
    """Write versions/<name>.py, revision <the name's number>, after `down_revision`."""
    revision = name.split("_", 1)[0]
    path = project / VERSIONS / f"{name}.py"
    text = MIGRATION.format(
        message=name, revision=revision, down_revision=down_revision, body=body
    )
    path.write_text(text)
    return path


def squawk_tests(project: Path, python: str = sys.executable, **env: str) -> str:
    """The output of the project's squawk tests, which must fail."""
    completed = subprocess.run(
        [python, "-m", "pytest", *SQUAWK_TESTS],
        cwd=project,
        env={**environment_in(project), **env},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    output = completed.stdout + completed.stderr
    assert completed.returncode == 1, output
    return output


def failures(output: str) -> dict[str, str]:
    """Each failed test's id, e.g. `test_x[0002_a.py]`, and its section of the report."""
    parts = FAILURE_HEADER.split(output)
    sections = (REPORT_SEPARATOR.split(part, 1)[0] for part in parts[2::2])
    return dict(zip(parts[1::2], sections, strict=True))


def test_squawk_fails_each_unsafe_migration_naming_its_rule_and_file(bake: Bake) -> None:
    project = bake()
    add_migration(project, "0002_index_name", "0001", PLAIN_INDEX)
    add_migration(project, "0003_require_sku", "0002", REQUIRED_COLUMN)

    output = squawk_tests(project)

    assert summary(output) == {"failed": 2, "passed": 1, "deselected": 1}
    found = failures(output)
    index = found["test_squawk_passes_the_migration[0002_index_name.py]"]
    column = found["test_squawk_passes_the_migration[0003_require_sku.py]"]
    assert f"{VERSIONS}/0002_index_name.py:" in index
    assert "warning: require-concurrent-index-creation" in index
    assert "adding-required-field" not in index
    assert f"{VERSIONS}/0003_require_sku.py:" in column
    assert "warning: adding-required-field" in column
    assert "require-concurrent-index-creation" not in column
    assert "Traceback" not in output


def test_a_missing_squawk_is_one_line_saying_how_to_install_it(bake: Bake, tmp_path: Path) -> None:
    """A virtualenv that has everything but squawk (this environment's packages, through
    a .pth file; its own bin/ without squawk) and a PATH without squawk."""
    project = bake()
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", venv], check=True)
    python = str(venv / "bin/python")
    site = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    ours = {sysconfig.get_path("purelib"), sysconfig.get_path("platlib")}
    (Path(site) / "template_environment.pth").write_text("\n".join(sorted(ours)) + "\n")
    folders = os.environ["PATH"].split(os.pathsep)
    path = os.pathsep.join(f for f in folders if not (Path(f) / "squawk").exists())
    assert shutil.which("squawk", path=path) is None
    assert not (venv / "bin/squawk").exists()

    output = squawk_tests(project, python, PATH=path)

    report = failures(output)["test_squawk_passes_the_migration[0001_initial.py]"]
    assert report.strip() == (
        "squawk is not installed: pip install squawk-cli (the test extra has it: "
        "pip install -e '.[test]'), or npm install -g squawk-cli"
    )
    assert "Traceback" not in output


def test_a_bad_lock_timeout_is_one_line(bake: Bake) -> None:
    project = bake()
    value = "1s'; DROP TABLE product; --"

    completed = shell_in(
        project, f"alembic -x {shlex.quote('lock_timeout=' + value)} upgrade head --sql"
    )

    assert completed.returncode == 255  # Alembic's status for any `FAILED: ...`
    assert completed.stdout == (  # not even a BEGIN before it
        f"FAILED: lock_timeout: {value!r} is not a duration; use e.g. 500ms, 5s or 1min "
        "(0 waits without limit)\n"
    )
    assert "Traceback" not in completed.stderr


def test_the_readme_concurrent_index_migration_passes_every_check(bake: Bake) -> None:
    """The README's migration and model line, copied as they are: squawk passes it, the
    template database is built with it, the stairway and `alembic check` pass, and the
    section's commands work (dev-db is the project's console script)."""
    project = bake()
    readme = (project / "README.md").read_text()
    migration, model = FENCED_PYTHON.findall(section(readme, "Migration safety"))
    add_migration(project, "0002_indexed_sku", "0001", migration)
    models = project / "src/example_service/models.py"
    column = model.splitlines()[-1] + "\n"
    marker = '    __tablename__ = "product"\n'
    models.write_text(models.read_text().replace(marker, marker + column, 1))

    assert run_tests(project) == {"passed": DEFAULT_TEST_COUNT + 1}  # squawk on 0002 too
    run(project, "-m", "ruff", "check", ".")
    run(project, "-m", "ruff", "format", "--check", ".")

    shim = project.parent / "bin"
    shim.mkdir()
    (shim / "dev-db").write_text(
        f'#!/bin/sh\nexec "{sys.executable}" -m example_service.dev_db "$@"\n'
    )
    (shim / "dev-db").chmod(0o755)
    script = stop_at_first_failure(readme_commands(readme, "Migration safety"))
    try:
        completed = shell_in(project, f"PATH={shlex.quote(str(shim))}:$PATH\n{script}")
    finally:
        shell_in(project, f"{shim}/dev-db drop")
    output = completed.stdout + completed.stderr
    assert completed.returncode == 0, output
    assert "SET lock_timeout = '5s';" in output
    assert "CREATE INDEX CONCURRENTLY IF NOT EXISTS ix_product_sku ON product (sku);" in output
    assert "-- Running upgrade 0001 -> 0002" in output  # --sql printed the new one too
