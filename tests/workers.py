"""Keeps the pytest-xdist workers of the template's suite out of each other's way.

Each worker's rendered projects get database names of their own (`example_db_gw0`, ...),
an embedded server of their own (a cache directory of their own) and inner pytest runs
that do not think they are xdist workers themselves. So a worker's checks for leftovers
judge only what its own tests made. Run without xdist, nothing changes.
"""

import os
import re
from pathlib import Path

import yaml

# Read when the module is imported, before keep_apart() hides it from inner runs.
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
# What xdist tells its workers; a rendered project's pytest would take it as its own.
XDIST_VARIABLES = ("PYTEST_XDIST_WORKER", "PYTEST_XDIST_TESTRUNUID", "PYTEST_XDIST_WORKER_COUNT")


def database_name(base: str = "example_db") -> str:
    """`base`, tagged with this worker (`base_gw0`) when running under xdist."""
    return f"{base}_{WORKER}" if WORKER else base


# The database name a project baked with the default answers gets in this worker, and
# the answer that gives it to bakes that pass their own cookiecutter config.
DATABASE_NAME = database_name()
ANSWERS = {"database_name": DATABASE_NAME} if WORKER else {}


def made_here(project: str) -> bool:
    """Whether a project's database name (a marker's `project`) is this worker's."""
    return not WORKER or re.search(rf"_{WORKER}(_|$)", project) is not None


def keep_apart(scratch: Path) -> dict[str, str]:
    """The environment variables to set for a worker (none without xdist).

    Embedded servers live in the user's cache directory, keyed by project: each worker
    gets one of its own, but keeps pip's and uv's shared (and warm) caches. Every
    cookiecutter call defaults to this worker's database name through a user config.
    """
    if not WORKER:
        return {}
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    config = scratch / "cookiecutter.yaml"
    config.write_text(
        yaml.safe_dump(
            {
                "cookiecutters_dir": str(scratch / "cookiecutters"),
                "replay_dir": str(scratch / "replay"),
                "default_context": {"database_name": DATABASE_NAME},
            }
        )
    )
    return {
        "PIP_CACHE_DIR": os.environ.get("PIP_CACHE_DIR", str(cache / "pip")),
        "UV_CACHE_DIR": os.environ.get("UV_CACHE_DIR", str(cache / "uv")),
        "XDG_CACHE_HOME": str(cache / f"template-tests-{WORKER}"),
        "COOKIECUTTER_CONFIG": str(config),
    }
