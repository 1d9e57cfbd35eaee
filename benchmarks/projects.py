"""Render benchmark projects from the template, with as many tables as a run asks for."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

from cookiecutter.main import cookiecutter

TEMPLATE = Path(__file__).resolve().parents[1]
PYTHON = sys.executable  # the rendered projects run in this environment


def models_spec(tables: int) -> str:
    """`tables` tables in a tree of foreign keys, so TRUNCATE ... CASCADE has work to do."""
    specs = ["t000: name str(50), size int?"]
    for index in range(1, tables):
        specs.append(f"t{index:03d}: name str(50), size int?, parent_id -> t{index // 2:03d}")
    return "; ".join(specs)


def render_project(output: Path, tables: int, **answers: str) -> Path:
    """Render a project with `tables` tables into `output`, without the smoke test."""
    os.environ["SKIP_SMOKE_TEST"] = "1"
    context = {"project_name": f"Bench {tables}", "models": models_spec(tables), **answers}
    return Path(
        cookiecutter(str(TEMPLATE), no_input=True, extra_context=context, output_dir=output)
    )


def project_environment(project: Path) -> dict[str, str]:
    """This interpreter's environment, with the project's src/ and tests/ importable."""
    paths = [str(project / "src"), str(project / "tests")]
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join(paths)}
    environment.pop("POSTGRES_DSN", None)
    return environment


def venv_python(project: Path) -> Path:
    return project / ".venv" / "bin" / "python"


def install_venv(project: Path) -> None:
    """A .venv in `project` holding only its `[test]` extra, as its users make one.

    Session start is measured there: with no plugin or import of this repository's own
    test environment (pytest-cookies, cookiecutter, ...).
    """
    venv, python = str(project / ".venv"), str(venv_python(project))
    uv = shutil.which("uv") or shutil.which("uv", path=str(Path(sys.executable).parent))
    if uv:
        subprocess.run([uv, "venv", "--quiet", "--python", sys.executable, venv], check=True)
        # Compiled as pip does: with PYTHONDONTWRITEBYTECODE set, nothing else would.
        install = [uv, "pip", "install", "--quiet", "--compile-bytecode", "--python", python]
    else:
        subprocess.run([sys.executable, "-m", "venv", venv], check=True)
        install = [python, "-m", "pip", "install", "--quiet"]
    subprocess.run([*install, "-e", f"{project}[test]"], check=True)
