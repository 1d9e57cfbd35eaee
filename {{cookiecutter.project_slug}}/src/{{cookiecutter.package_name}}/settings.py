"""Settings read the way Python services read them: the environment, then `.env`.

A variable set in the environment beats the same one in `.env`, so `.env` holds a
developer's defaults and CI or a shell overrides them. The tests read no `.env`
(tests/conftest.py turns it off), so a developer's file never moves a test run.
"""

from pydantic import ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from {{ cookiecutter.package_name }}.dsn import Pooler


class Settings(BaseSettings):
    """Each field comes from the variable of the same name in capitals."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    postgres_dsn: str | None = None
    """The database, e.g. postgresql://user:password@localhost:5432/name."""
    db_pool_size: int = 5
    """Connections the engine keeps open."""
    db_max_overflow: int = 10
    """Connections it may open beyond the pool when busy."""
    db_echo: bool = False
    """Log every SQL statement."""
    db_pooler: Pooler = "none"
    """"transaction" when POSTGRES_DSN names a pooler in transaction mode (PgBouncer,
    Supabase's port 6543, Neon's -pooler host): no statement is kept prepared."""


class SettingsError(ValueError):
    """A setting has a value it cannot take; the message names it in one line."""


def load_settings() -> Settings:
    """The settings as they are now (the tests change POSTGRES_DSN while running)."""
    try:
        return Settings()
    except ValidationError as error:
        problem = error.errors()[0]
        name = str(problem["loc"][0]).upper() if problem["loc"] else "settings"
        raise SettingsError(
            f"{name}={problem['input']!r} is not allowed: {problem['msg']}"
        ) from None
