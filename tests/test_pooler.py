"""Behind PgBouncer in transaction mode (what hosted PostgreSQL puts in front of apps),
with DB_POOLER=transaction, the app's engine works with either driver: the rendered API
suite passes with the app's connections through it, and many concurrent clients meet no
"prepared statement ... already exists/does not exist". The tests' machinery talks to the
server itself (POSTGRES_ADMIN_DSN)."""

import asyncio
from collections.abc import Iterator
from contextlib import suppress
from types import ModuleType

import asyncpg
import pytest
import sqlalchemy as sa

from tests import leftovers, workers
from tests.answers import API_TEST_COUNT
from tests.conftest import Bake
from tests.pgbouncer import PgBouncer, pgbouncer
from tests.rendered import python_in, summary
from tests.servers import POSTGRES_DSN, needs_server
from tests.test_dsn import dsn, psycopg_dsn

pytestmark = needs_server
DRIVERS = pytest.mark.parametrize("driver", ["asyncpg", "psycopg"])
DSN_MODULES = {"asyncpg": dsn, "psycopg": psycopg_dsn}
CLIENTS = 40
TRANSACTIONS = 25  # per client
LOAD_TIMEOUT = 120  # seconds


@pytest.fixture(scope="module")
def pooler() -> Iterator[PgBouncer]:
    with pgbouncer(POSTGRES_DSN) as running:
        yield running


@DRIVERS
def test_the_api_suite_runs_through_pgbouncer(
    bake: Bake, pooler: PgBouncer, monkeypatch: pytest.MonkeyPatch, driver: str
) -> None:
    project = bake(driver=driver, framework="fastapi")
    monkeypatch.setenv("POSTGRES_ADMIN_DSN", POSTGRES_DSN)
    monkeypatch.setenv("DB_POOLER", "transaction")

    completed = python_in(
        project,
        *("-m", "pytest", "-p", "no:cacheprovider", "-n", "2", "tests/api"),
        postgres_dsn=pooler.dsn("postgres"),
    )

    output = completed.stdout + completed.stderr
    assert summary(output) == {"passed": API_TEST_COUNT["default"]}, output
    assert "prepared statement" not in output
    log = pooler.log.read_text()
    # The app's connections went through PgBouncer, to the test databases.
    assert f"login attempt: db={workers.DATABASE_NAME}_test" in log
    assert not asyncio.run(leftovers.session_databases(POSTGRES_DSN))


async def load(module: ModuleType, url: str, pooler: str) -> list[str]:
    """CLIENTS engines' connections, each running TRANSACTIONS transactions of a few
    statements at once through the pooler; the errors they met."""
    engine = module.create_engine(
        url, pooler=pooler, pool_size=CLIENTS, max_overflow=0, pool_timeout=LOAD_TIMEOUT
    )
    statements = [sa.text(f"SELECT CAST(:n AS integer) + {i}") for i in range(3)]

    async def client(number: int) -> str | None:
        """Transactions that commit, that end in a rollback, and that fail."""
        try:
            for round_ in range(TRANSACTIONS):
                async with engine.connect() as connection:
                    for statement in statements:
                        value = await connection.scalar(statement, {"n": number + round_})
                        assert value is not None
                    if round_ % 3 == 0:
                        await connection.commit()
                    elif round_ % 3 == 1:
                        with suppress(sa.exc.DBAPIError):
                            await connection.scalar(statements[0], {"n": "not a number"})
        except Exception as error:
            return str(error).splitlines()[0]
        return None

    try:
        async with asyncio.timeout(LOAD_TIMEOUT):
            results = await asyncio.gather(*(client(n) for n in range(CLIENTS)))
    finally:
        await engine.dispose()
    return [error for error in results if error]


@DRIVERS
def test_many_clients_through_pgbouncer_meet_no_prepared_statement_errors(
    pooler: PgBouncer, driver: str
) -> None:
    errors = asyncio.run(load(DSN_MODULES[driver], pooler.dsn("postgres"), "transaction"))

    assert errors == []
    assert asyncio.run(prepared_statements_left(pooler)) == 0


async def prepared_statements_left(pooler: PgBouncer) -> int:
    """Statements left prepared on PgBouncer's server connections (a transaction of
    each of several clients reaches one of them)."""
    url = pooler.url.set(drivername="postgresql").render_as_string(hide_password=False)
    found = 0
    for _ in range(4):
        connection = await asyncpg.connect(url, statement_cache_size=0)
        try:
            async with connection.transaction():
                found += await connection.fetchval("SELECT count(*) FROM pg_prepared_statements")
        finally:
            await connection.close()
    return found


def test_without_db_pooler_the_same_load_meets_prepared_statement_errors() -> None:
    """The load above is one that needs DB_POOLER=transaction: asyncpg names its
    statements per connection, so two clients' names meet on one server connection.
    (psycopg prepares a statement only on its fifth use on a connection, and the
    load does not reliably reach that.) A PgBouncer of its own keeps the statements
    this leaves prepared from the other tests' count."""
    with pgbouncer(POSTGRES_DSN) as pooler:
        errors = asyncio.run(load(dsn, pooler.dsn("postgres"), "none"))

    assert any("prepared statement" in error for error in errors), errors
