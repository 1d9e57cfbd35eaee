"""Several projects and checkouts on one server: each touches only its own databases,
templates of different migrations live side by side, and old ones are retired by a
policy, never while a session may clone them."""

import shutil
from pathlib import Path

import pytest

from tests.conftest import Bake
from tests.rendered import run_tests
from tests.servers import SERVERS
from tests.test_lifecycle import start_pytest, wait_for
from tests.workers import database_name

LOG = ("-p", "no:randomly", "-o", "log_cli=true", "--log-cli-level=INFO")
BUILDING = "building template database"

# Written into a baked project: a test that signals it runs, waits for a file, and then
# still needs its database.
HELD_TEST = """
import asyncio
import os
from pathlib import Path

import sqlalchemy as sa

from example_service.db import DBSessionManager


async def test_database_outlives_the_other_projects_session(db: DBSessionManager) -> None:
    Path(os.environ["WAIT_FILE"]).touch()
    while not Path(os.environ["RELEASE_FILE"]).exists():
        await asyncio.sleep(0.1)
    async with db.asessionmaker() as session:
        assert await session.scalar(sa.text("SELECT 1")) == 1
"""

# Written into a baked project: a template that vanishes before it is cloned is rebuilt,
# and retirement keeps the few most recently used templates.
TEMPLATE_TESTS = """
import secrets
import time

import sqlalchemy as sa
from sqlalchemy.engine import URL

from testdb import databases, migrations, templates
from testdb.project import NAME as DATABASE


async def test_a_vanished_template_is_rebuilt(postgres_server: URL, migrate_db: str) -> None:
    name = databases.run_database_name(f"{DATABASE}_test")
    async with databases.admin_connection(postgres_server) as connection:
        await databases.drop_database(connection, migrate_db)
        assert not await templates.clone(connection, migrate_db, name)
        rebuilt = await migrations.ensure_template(postgres_server, connection)
        assert await templates.clone(connection, rebuilt, name)
        await databases.drop_database(connection, name)


async def test_templates_past_the_policy_are_retired(postgres_server: URL) -> None:
    now = time.time()
    ages = {"recent": [1, 2, 3, 4], "beyond five": [5], "stale": [24 * 8]}
    made = {}
    async with databases.admin_connection(postgres_server) as connection:
        for kind, hours in ages.items():
            for age in hours:
                name = f"{DATABASE}_template_{secrets.token_hex(6)}"
                used = now - age * 3600
                await databases.create_database(
                    connection,
                    name,
                    kind="template",
                    project=DATABASE,
                    ready=True,
                    used=used,
                )
                made[name] = kind
        found = await databases.our_databases(
            connection, kind="template", project=DATABASE
        )
        await templates.retire(connection, {n: found[n] for n in made})
        left = await databases.our_databases(
            connection, kind="template", project=DATABASE
        )
        for name in set(made) & set(left):
            await databases.drop_database(connection, name)
    assert {made[name] for name in set(made) & set(left)} == {"recent"}
    assert len(set(made) & set(left)) == templates.RETAIN_COUNT - 1
"""


@SERVERS
def test_projects_with_prefix_related_names_leave_each_other_alone(
    bake: Bake, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, postgres_dsn: str
) -> None:
    shop = bake(database_name=database_name("shop"))
    other = bake(database_name=f"{database_name('shop')}_template")
    (other / "tests/test_held.py").write_text(HELD_TEST.lstrip())
    monkeypatch.setenv("WAIT_FILE", str(tmp_path / "waiting"))
    monkeypatch.setenv("RELEASE_FILE", str(tmp_path / "release"))
    held = start_pytest(other, "tests/test_held.py", postgres_dsn=postgres_dsn)
    wait_for(tmp_path / "waiting")

    try:
        run_tests(shop, "--db-rebuild", postgres_dsn=postgres_dsn)
    finally:
        (tmp_path / "release").touch()
    output = held.communicate(timeout=300)[0]

    assert held.returncode == 0, output


@SERVERS
def test_checkouts_with_different_migrations_run_side_by_side(
    bake: Bake, tmp_path: Path, postgres_dsn: str
) -> None:
    first = bake()
    second = tmp_path / "second"
    shutil.copytree(first, second)
    migration = second / "src/example_service/migrations/versions/0001_initial.py"
    migration.write_text(migration.read_text() + "\n# another branch\n")
    probe = "tests/test_settings.py"

    sessions = [
        start_pytest(checkout, probe, postgres_dsn=postgres_dsn)
        for checkout in (first, second, first, second)
    ]
    outputs = [session.communicate(timeout=600)[0] for session in sessions]
    assert [session.returncode for session in sessions] == [0] * 4, outputs

    for checkout in (first, second):
        session = start_pytest(checkout, probe, *LOG, postgres_dsn=postgres_dsn)
        output = session.communicate(timeout=300)[0]
        assert session.returncode == 0, output
        assert BUILDING not in output, "the checkout's template was dropped"


@SERVERS
def test_vanished_templates_are_rebuilt_and_old_ones_retired(
    bake: Bake, postgres_dsn: str
) -> None:
    project = bake()
    (project / "tests/test_templates.py").write_text(TEMPLATE_TESTS.lstrip())

    counts = run_tests(project, "tests/test_templates.py", postgres_dsn=postgres_dsn)

    assert counts == {"passed": 2}
