"""A rendered project's migrations run from Alembic's command line and from its Python API."""

import asyncio
import os
import secrets
from collections.abc import Iterator

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from tests.conftest import EACH_DRIVER, Bake
from tests.rendered import run

POSTGRES_DSN = os.environ.get("POSTGRES_DSN", "")
pytestmark = pytest.mark.skipif(
    not POSTGRES_DSN, reason="set POSTGRES_DSN to a PostgreSQL server to run this too"
)

ARTICLE_STYLE_UPGRADE = """
import sys
from alembic import command
from alembic.config import Config

config = Config("alembic.ini")
config.set_main_option("sqlalchemy.url", sys.argv[1])
command.upgrade(config, "head")
"""


async def execute(dsn: str, statement: str) -> None:
    connection = await asyncpg.connect(dsn)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


async def table_names(dsn: str) -> set[str]:
    connection = await asyncpg.connect(dsn)
    try:
        rows = await connection.fetch(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
        )
        return {row["tablename"] for row in rows}
    finally:
        await connection.close()


@pytest.fixture
def scratch_dsn() -> Iterator[str]:
    """A database of this test's own on POSTGRES_DSN's server, dropped afterwards."""
    name = f"template_alembic_{secrets.token_hex(4)}"
    asyncio.run(execute(POSTGRES_DSN, f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(POSTGRES_DSN).set(database=name).render_as_string(hide_password=False)
    finally:
        asyncio.run(execute(POSTGRES_DSN, f'DROP DATABASE "{name}" WITH (FORCE)'))


@EACH_DRIVER
def test_upgrade_check_and_downgrade_from_the_command_line(
    bake: Bake, scratch_dsn: str, driver: str
) -> None:
    project = bake(driver=driver)

    upgrade = run(project, "-m", "alembic", "upgrade", "head", postgres_dsn=scratch_dsn)
    assert "Running upgrade  -> 0001" in upgrade
    assert asyncio.run(table_names(scratch_dsn)) == {"alembic_version", "product", "review"}

    check = run(project, "-m", "alembic", "check", postgres_dsn=scratch_dsn)
    assert "No new upgrade operations detected" in check

    run(project, "-m", "alembic", "downgrade", "base", postgres_dsn=scratch_dsn)
    assert asyncio.run(table_names(scratch_dsn)) == {"alembic_version"}


def test_offline_mode_prints_the_sql(bake: Bake, scratch_dsn: str) -> None:
    project = bake()

    sql = run(project, "-m", "alembic", "upgrade", "head", "--sql", postgres_dsn=scratch_dsn)

    assert "CREATE TABLE product" in sql
    assert "REFERENCES product (id) ON DELETE CASCADE" in sql
    assert asyncio.run(table_names(scratch_dsn)) == set()


def test_upgrade_through_the_api_with_sqlalchemy_url_set(bake: Bake, scratch_dsn: str) -> None:
    """As the article's migrate_db fixture does it: Config("alembic.ini") plus the URL."""
    project = bake()

    run(project, "-c", ARTICLE_STYLE_UPGRADE, scratch_dsn)

    assert asyncio.run(table_names(scratch_dsn)) == {"alembic_version", "product", "review"}
