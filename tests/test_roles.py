"""A rendered project's tests under roles other than the superuser: a CI role with
CREATEDB only uses templates and leftovers of other roles, and a role without CREATEDB
is stopped at once with the grant it needs. Roles are made on the server and dropped."""

import asyncio
import os
import secrets
import subprocess
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from tests.conftest import EACH_DRIVER, Bake
from tests.servers import needs_server
from tests.test_lifecycle import kill, start_pytest, wait_for

POSTGRES_DSN = os.environ.get("POSTGRES_DSN", "")
pytestmark = needs_server


async def execute(*statements: str) -> None:
    connection = await asyncpg.connect(POSTGRES_DSN)
    try:
        for statement in statements:
            await connection.execute(statement)
    finally:
        await connection.close()


@pytest.fixture
def role_dsn() -> Iterator[dict[str, str]]:
    """DSNs of two new roles, "createdb" (CREATEDB only) and "plain"; both dropped after,
    with the databases they own."""
    suffix = secrets.token_hex(3)
    names = {"createdb": f"ci_createdb_{suffix}", "plain": f"ci_plain_{suffix}"}
    asyncio.run(
        execute(
            f"CREATE ROLE {names['createdb']} LOGIN CREATEDB PASSWORD 'pw'",
            f"CREATE ROLE {names['plain']} LOGIN PASSWORD 'pw'",
        )
    )
    server = make_url(POSTGRES_DSN)
    yield {
        kind: server.set(username=name, password="pw").render_as_string(hide_password=False)
        for kind, name in names.items()
    }
    asyncio.run(drop_roles(*names.values()))


async def drop_roles(*names: str) -> None:
    connection = await asyncpg.connect(POSTGRES_DSN)
    try:
        for name in names:
            owned = await connection.fetch(
                "SELECT datname FROM pg_database WHERE pg_get_userbyid(datdba) = $1", name
            )
            for row in owned:
                await connection.execute(f'ALTER DATABASE "{row["datname"]}" IS_TEMPLATE false')
                await connection.execute(f'DROP DATABASE "{row["datname"]}" WITH (FORCE)')
            await connection.execute(f"DROP ROLE {name}")
    finally:
        await connection.close()


def finish(session: subprocess.Popen[str]) -> str:
    output = session.communicate(timeout=300)[0]
    assert session.returncode == 0, output
    return output


@EACH_DRIVER
def test_createdb_role_clones_a_template_another_role_built(
    bake: Bake, role_dsn: dict[str, str], driver: str
) -> None:
    project = bake(driver=driver)
    finish(start_pytest(project, "--db-rebuild", postgres_dsn=POSTGRES_DSN))

    output = finish(start_pytest(project, postgres_dsn=role_dsn["createdb"]))

    assert " passed" in output


def test_createdb_role_builds_a_template_for_changed_migrations(
    bake: Bake, role_dsn: dict[str, str]
) -> None:
    project = bake()
    migration = project / "src/example_service/migrations/versions/0001_initial.py"
    migration.write_text(migration.read_text() + f"\n# {secrets.token_hex(4)}\n")

    output = finish(start_pytest(project, postgres_dsn=role_dsn["createdb"]))

    assert " passed" in output


def test_createdb_role_cannot_rebuild_another_roles_template_and_says_what_to_grant(
    bake: Bake, role_dsn: dict[str, str]
) -> None:
    project = bake()
    finish(start_pytest(project, postgres_dsn=POSTGRES_DSN))
    role = make_url(role_dsn["createdb"]).username

    session = start_pytest(project, "--db-rebuild", postgres_dsn=role_dsn["createdb"])
    output = session.communicate(timeout=300)[0]

    assert session.returncode == pytest.ExitCode.USAGE_ERROR, output
    assert "may not rebuild template database" in output, output
    assert f"GRANT {make_url(POSTGRES_DSN).username} TO {role}" in output, output
    assert "Traceback" not in output


def test_sweep_skips_a_dead_sessions_database_of_another_role(
    bake: Bake, role_dsn: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = bake()
    (project / "tests/test_waits.py").write_text(WAITING_TEST)
    monkeypatch.setenv("WAIT_FILE", str(tmp_path / "waiting"))
    killed = start_pytest(project, "tests/test_waits.py", postgres_dsn=POSTGRES_DSN)
    wait_for(tmp_path / "waiting")
    kill(killed)
    (project / "tests/test_waits.py").unlink()

    output = finish(start_pytest(project, postgres_dsn=role_dsn["createdb"]))

    assert output.count("may not drop") == 1, output
    finish(start_pytest(project, postgres_dsn=POSTGRES_DSN))  # its owner sweeps it


@EACH_DRIVER
def test_role_without_createdb_stops_at_once_naming_the_grant(
    bake: Bake, role_dsn: dict[str, str], driver: str
) -> None:
    project = bake(driver=driver)
    role = make_url(role_dsn["plain"]).username

    session = start_pytest(project, postgres_dsn=role_dsn["plain"])
    output = session.communicate(timeout=60)[0]

    assert session.returncode == pytest.ExitCode.USAGE_ERROR, output
    assert f"role {role} may not create databases" in output
    assert f"ALTER ROLE {role} CREATEDB" in output
    assert "Traceback" not in output


WAITING_TEST = """
import os
from pathlib import Path

import sqlalchemy as sa

from example_service.db import DBSessionManager


async def test_waits(db: DBSessionManager) -> None:
    Path(os.environ["WAIT_FILE"]).touch()
    async with db.asessionmaker() as session:
        await session.execute(sa.text("SELECT pg_sleep(60)"))
"""
