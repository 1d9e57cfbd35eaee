"""The project tests/testdb serves: the only module of it that imports the project.

To use the test database in another project, copy tests/testdb/ and tests/conftest.py
there and make this module describe that project: the settings below (a SEED that
adds nothing, if it has no seed data) and how it connects (README: "Using the test
database in an existing project").
"""

from pathlib import Path

from {{ cookiecutter.package_name }}.db import DBSessionManager
from {{ cookiecutter.package_name }}.dsn import BadDSN, async_url, create_engine
from {{ cookiecutter.package_name }}.models import Base
from {{ cookiecutter.package_name }}.settings import Settings

from seed import seed

# Names the test databases (<NAME>_test_..., <NAME>_template_...) and keys the embedded
# server's data directory.
NAME = "{{ cookiecutter.database_name }}"
# The project's Alembic configuration; its script_location holds the migrations.
ALEMBIC_INI = Path(__file__).resolve().parents[2] / "alembic.ini"
# The tables: what the leak guard watches and a db_commit test's cleanup empties.
METADATA = Base.metadata
# The rows every test database starts with: run once into the template, after the
# migrations; SEED_FILE is part of the template's hash (README: "Seed data").
SEED = seed
SEED_FILE = Path(__file__).resolve().parents[1] / "seed.py"


def read_environment_only() -> None:
    """The tests read their settings from the environment only (POSTGRES_DSN names
    the test database): a developer's .env never moves a test run."""
    Settings.model_config["env_file"] = None


__all__ = [
    "ALEMBIC_INI",
    "METADATA",
    "NAME",
    "SEED",
    "SEED_FILE",
    "BadDSN",
    "DBSessionManager",
    "async_url",
    "create_engine",
    "read_environment_only",
]
