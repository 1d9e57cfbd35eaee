"""The peers' virtual environment: other tools the peer benchmark compares against.

The peers (pytest-postgresql, testing.postgresql and their drivers) are never
dependencies of the template or of a rendered project: they live in a virtual environment
of the benchmark's own, made on first use next to the user's cache and kept, keyed by a
hash of what it holds, so a later run (or a changed pin) finds the right one. It also
holds the rendered project's own dependencies, so every contender runs in one interpreter.
"""

import hashlib
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import platformdirs

# Pinned, so two runs of the benchmark compare the same versions.
PEERS = (
    "pytest-postgresql==10.0.0",
    "psycopg[binary]>=3.2",
    "testing.postgresql==1.3.0",
    "pg8000>=1.31",
)


def project_requirements(project: Path) -> list[str]:
    """The rendered project's dependencies and its `[test]` extra."""
    metadata = tomllib.loads((project / "pyproject.toml").read_text())["project"]
    return [*metadata["dependencies"], *metadata["optional-dependencies"]["test"]]


def peers_python(project: Path) -> Path:
    """The interpreter of the peers' environment, made if it does not exist yet."""
    requirements = sorted({*project_requirements(project), *PEERS})
    key = hashlib.sha256("\n".join(requirements).encode()).hexdigest()[:12]
    root = platformdirs.user_cache_path("cookiecutter-async-sqlalchemy-benchmarks")
    venv = root / f"peers-{key}"
    python = venv / "bin" / "python"
    if not python.exists():
        shutil.rmtree(venv, ignore_errors=True)  # a half-made one from an interrupted run
        try:
            install(venv, requirements)
        except BaseException:
            shutil.rmtree(venv, ignore_errors=True)
            raise
    return python


def install(venv: Path, requirements: list[str]) -> None:
    """uv when it is at hand (seconds), else venv and pip."""
    uv = shutil.which("uv") or shutil.which("uv", path=str(Path(sys.executable).parent))
    python = venv / "bin" / "python"
    if uv:
        run(uv, "venv", "--quiet", "--python", sys.executable, str(venv))
        run(uv, "pip", "install", "--quiet", "--python", str(python), *requirements)
    else:
        run(sys.executable, "-m", "venv", str(venv))
        run(str(python), "-m", "pip", "install", "--quiet", *requirements)


def run(*command: str) -> None:
    completed = subprocess.run(command, capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        raise RuntimeError(f"{' '.join(command[:3])} failed:\n{completed.stderr}")
