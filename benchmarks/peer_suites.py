"""The contenders of the peer benchmark, as test files written into a rendered project.

Every contender runs the same test body (add one row to t000 and commit) through its own
fixture; tests/ of the project is importable, so the helper modules below are too.

    ours        the rendered project's `db` (rolled-back transaction, savepoints)
    article     the article's three fixtures, verbatim, in tests/article/conftest.py
    noproc      pytest-postgresql: a database cloned from its template per test, on the
                same server (`postgresql_noproc`, schema made by its `load`)
    proc        the same on a server pytest-postgresql starts (`postgresql_proc`)
    tpg         testing.postgresql: a server per session (session start only)
    bare_sa     the body on one shared SQLAlchemy engine, nothing cleaned (baseline of
                ours and article)
    bare_pg     the body on one shared psycopg connection, nothing cleaned (baseline of
                noproc and proc)

The baselines write to a database of their own (`peer_bare`): rows they leave in the
session's test database would be leaks, which `db`'s leak guard fails.
"""

from pathlib import Path

# Contender: (directory under tests/, fixture the test asks for, whether the body is async).
CONTENDERS = {
    "ours": ("", "db", True),
    "article": ("article", "db", True),
    "noproc": ("pgpeer", "postgresql_noproc_client", False),
    "proc": ("pgproc", "postgresql_proc_client", False),
    "tpg": ("tpg", "tpg_connection", False),
    "bare_sa": ("", "bare_manager", True),
    "bare_pg": ("pgpeer", "bare_connection", False),
}
BASELINE = {"ours": "bare_sa", "article": "bare_sa", "noproc": "bare_pg", "proc": "bare_pg"}

ASYNC_TEST = """
import pytest

from bench.db import DBSessionManager
from factories import add_t000


@pytest.mark.parametrize("number", range({count}))
async def test_{name}({fixture}: DBSessionManager, number: int) -> None:
    async with {fixture}.asessionmaker() as session:
        await add_t000(session)
        await session.commit()
"""

SYNC_TEST = """
import pytest


@pytest.mark.parametrize("number", range({count}))
def test_{name}({fixture}, number: int) -> None:
    {fixture}.execute("INSERT INTO t000 (name) VALUES ('x')")
    {fixture}.commit()
"""

NO_DATABASE_TEST = """
def test_nothing() -> None:
    pass
"""

# Records how long each test's set-up, call and tear-down took: `-p peer_timing`.
TIMING_PLUGIN = """
import json
import os

import pytest

TIMES: list[tuple[str, str, float]] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    TIMES.append((report.nodeid, report.when, report.duration))


def pytest_sessionfinish() -> None:
    if "PEER_TIMINGS" in os.environ:
        with open(os.environ["PEER_TIMINGS"], "w") as file:
            json.dump(TIMES, file)
"""

# pytest-postgresql's template is made by the project's own migrations, as ours is.
SCHEMA_LOADER = """
import asyncio
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy.engine import URL

from testdb import migrations


def load_schema(host: str, port: int, user: str, dbname: str, password: str | None = None,
                **_: object) -> None:
    url = URL.create("postgresql+asyncpg", user, password, host, int(port), dbname)
    # In a thread of its own: pytest-asyncio's loop may be current in this one.
    with ThreadPoolExecutor(1) as thread:
        thread.submit(asyncio.run, migrations.upgrade(url)).result()
"""

NOPROC_CONFTEST = """
import os

import psycopg
import pytest
from pytest_postgresql import factories
from sqlalchemy.engine import URL, make_url

SERVER = make_url(os.environ["PEER_DSN"])

postgresql_noproc_server = factories.postgresql_noproc(
    host=SERVER.query.get("host") or SERVER.host,
    port=SERVER.port or 5432,
    user=SERVER.username,
    password=SERVER.password or None,
    dbname="peer_noproc",
    load=["peer_schema.load_schema"],
)
postgresql_noproc_client = factories.postgresql("postgresql_noproc_server")


@pytest.fixture(scope="session")
def bare_connection(bare_database: URL):
    dsn = bare_database.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(dsn) as connection:
        yield connection
"""

# The baselines' own database, a clone of the template: `-p peer_bare`.
BARE_PLUGIN = """
from collections.abc import AsyncIterator

import pytest
from sqlalchemy.engine import URL

from bench.db import DBSessionManager
from testdb import databases, templates


@pytest.fixture(scope="session")
async def bare_database(postgres_server: URL, migrate_db: str) -> AsyncIterator[URL]:
    project = migrate_db.rsplit("_template_", 1)[0]
    name = databases.run_database_name(f"{project}_test")
    async with databases.admin_connection(postgres_server) as connection:
        assert await templates.clone(connection, migrate_db, name)
    yield postgres_server.set(database=name)
    async with databases.admin_connection(postgres_server) as connection:
        await databases.drop_database(connection, name)


@pytest.fixture(scope="session")
async def bare_manager(bare_database: URL) -> AsyncIterator[DBSessionManager]:
    manager = DBSessionManager(bare_database)
    yield manager
    await manager.close()
"""

PROC_CONFTEST = """
from pytest_postgresql import factories

postgresql_proc_server = factories.postgresql_proc(port=None, load=["peer_schema.load_schema"])
postgresql_proc_client = factories.postgresql("postgresql_proc_server")
"""

TPG_CONFTEST = """
import psycopg
import pytest
import testing.postgresql

from peer_schema import load_schema


@pytest.fixture(scope="session")
def tpg_server():
    with testing.postgresql.Postgresql() as server:
        parameters = server.dsn()
        load_schema(parameters["host"], parameters["port"], parameters["user"],
                    parameters["database"])
        yield server


@pytest.fixture
def tpg_connection(tpg_server):
    parameters = tpg_server.dsn()
    connection = psycopg.connect(
        host=parameters["host"], port=parameters["port"], user=parameters["user"],
        dbname=parameters["database"],
    )
    yield connection
    connection.close()
"""

# The article's fixtures, verbatim (only the imports and `os_environ_patch`, which the
# article does not show, are ours: it points POSTGRES_DSN at the article's database).
ARTICLE_CONFTEST = """
import os
from typing import AsyncGenerator
from urllib.parse import unquote

import pytest
import pytest_asyncio
from alembic import command
from alembic.config import Config
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from bench.db import DBSessionManager
from bench.dsn import async_url
from bench.models import Base


@pytest.fixture(scope='session')
def os_environ_patch():
    # Unquoted: alembic.ini's parser takes a % (as in host=%2Ftmp) for interpolation.
    server = async_url(os.environ['PEER_DSN'])
    test_url = server.set(database='example_db_test')
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv('POSTGRES_DSN_ORIGINAL', unquote(server.render_as_string(False)))
        patch.setenv('POSTGRES_DSN', unquote(test_url.render_as_string(False)))
        yield


@pytest_asyncio.fixture(scope='session')
async def create_test_db(os_environ_patch):
    test_db_name = 'example_db_test'
    engine = create_async_engine(
        os.environ['POSTGRES_DSN_ORIGINAL'],
        isolation_level='AUTOCOMMIT',
    )

    create_db_op = text(f'CREATE DATABASE {test_db_name}')
    drop_db_op = text(f'DROP DATABASE IF EXISTS {test_db_name} WITH (FORCE)')
    async with engine.begin() as conn:
        await conn.execute(create_db_op)

    yield
    async with engine.connect() as conn:
        await conn.execute(drop_db_op)


@pytest.fixture(scope='session')
def migrate_db(create_test_db):
    config = Config('alembic.ini')
    test_db_url = os.environ['POSTGRES_DSN']
    config.set_main_option('sqlalchemy.url', test_db_url)
    command.upgrade(config, 'head')
    yield
    command.downgrade(config, 'base')


@pytest_asyncio.fixture
async def db(migrate_db) -> AsyncGenerator[DBSessionManager, None]:
    postgres_dsn = os.environ['POSTGRES_DSN']
    db_manager = DBSessionManager(postgres_dsn)
    yield db_manager
    target_metadata = Base.metadata
    tables = target_metadata.tables.keys()
    all_tables_str = ', '.join(f'"{t}"' for t in tables)
    async with db_manager.asessionmaker() as s:
        await s.execute(text(f'TRUNCATE TABLE {all_tables_str} CASCADE'))
        await s.commit()
    await db_manager.close()
"""

CONFTESTS = {
    "article": ARTICLE_CONFTEST,
    "pgpeer": NOPROC_CONFTEST,
    "pgproc": PROC_CONFTEST,
    "tpg": TPG_CONFTEST,
}


def write_helpers(project: Path) -> None:
    """The timing plugin, the schema loader and every contender's conftest."""
    tests = project / "tests"
    (tests / "peer_timing.py").write_text(TIMING_PLUGIN.lstrip())
    (tests / "peer_bare.py").write_text(BARE_PLUGIN.lstrip())
    (tests / "peer_schema.py").write_text(SCHEMA_LOADER.lstrip())
    (tests / "test_peer_nothing.py").write_text(NO_DATABASE_TEST.lstrip())
    for directory, text in CONFTESTS.items():
        (tests / directory).mkdir(exist_ok=True)
        (tests / directory / "conftest.py").write_text(text.lstrip())


def write_tests(project: Path, contender: str, block: int, count: int) -> str:
    """A file of `count` tests of `contender` (block number `block`); its path."""
    directory, fixture, is_async = CONTENDERS[contender]
    name = f"{contender}_b{block:03d}"
    text = (ASYNC_TEST if is_async else SYNC_TEST).format(count=count, name=name, fixture=fixture)
    path = Path("tests") / directory / f"test_{name}.py"
    (project / path).write_text(text.lstrip())
    return str(path)
