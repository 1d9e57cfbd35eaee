"""Settings come from the environment, then `.env`; while the tests run, application
code that reads POSTGRES_DSN reaches the test database, not yours."""

from pathlib import Path

import pytest
import sqlalchemy as sa

from {{ cookiecutter.package_name }}.db import DBSessionManager, postgres_dsn
from {{ cookiecutter.package_name }}.settings import (
    Settings,
    SettingsError,
    load_settings,
)

# The session's test database, or, under `pytest --db-keep-failed`, the test's own.
TEST_DATABASES = (
    "{{ cookiecutter.database_name }}_test",
    "{{ cookiecutter.database_name }}_kept_",
)


async def test_postgres_dsn_names_the_test_database(db: DBSessionManager) -> None:
    manager = DBSessionManager(postgres_dsn())
    try:
        async with manager.asessionmaker() as session:
            name = await session.scalar(sa.text("SELECT current_database()"))
    finally:
        await manager.close()

    assert name is not None
    assert name.startswith(TEST_DATABASES)


def test_the_environment_beats_dotenv(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dotenv = tmp_path / ".env"
    dotenv.write_text("POSTGRES_DSN=postgresql://from-dotenv/db\nDB_POOL_SIZE=3\n")
    monkeypatch.setitem(Settings.model_config, "env_file", dotenv)
    monkeypatch.setenv("POSTGRES_DSN", "postgresql://from-environment/db")
    monkeypatch.delenv("DB_POOL_SIZE", raising=False)

    settings = load_settings()

    assert settings.postgres_dsn == "postgresql://from-environment/db"
    assert settings.db_pool_size == 3


def test_the_tests_read_no_dotenv(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A developer's .env must not move a test run onto another database."""
    (tmp_path / ".env").write_text("DB_POOL_SIZE=1\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DB_POOL_SIZE", raising=False)

    assert load_settings().db_pool_size == Settings.model_fields["db_pool_size"].default


def test_a_bad_setting_is_one_line_naming_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DB_POOL_SIZE", "many")

    with pytest.raises(SettingsError, match=r"^DB_POOL_SIZE='many' is not allowed: "):
        load_settings()
