"""A test file for a project baked with the default answers: every way the issue found to
leak data out of a rolled-back test or to break the tests after it, written as a user
would write it, among tests that check the database is clean when they start.

LEAKS names each leaking test and a part of the message it must fail with; every other
test in the file must pass, in any order.
"""

LEAKS = {
    "test_engine_begin": "db.engine.begin() would open a connection outside",
    "test_engine_connect_and_commit": "db.engine.connect() would open a connection outside",
    "test_commit_of_the_sessions_connection": "transaction was ended through its connection",
    "test_raw_commit_statement": "a raw COMMIT statement",
    "test_engine_of_its_own": "rows outlived this rolled-back test in product",
    "test_concurrent_sessions": "sessions of this test were used concurrently",
    "test_concurrent_sessions_error_swallowed": "sessions of this test were used concurrently",
    "test_table_of_its_own": "objects made by this test outlived it: TABLE scratch",
}
CHECKS = 4

# The sequence the test of reset_sequences needs: an identity column the models do not
# know, so the file runs without the project's own check that models match migrations.
MIGRATION = """
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    op.add_column("product", sa.Column("number", sa.Integer, sa.Identity()))


def downgrade() -> None:
    op.drop_column("product", "number")
"""

LEAK_TESTS = '''
import asyncio

import pytest
import sqlalchemy as sa

from example_service.db import DBSessionManager, postgres_dsn
from example_service.models import Base, Product

from factories import add_product, add_review
from testdb import seeding

INSERT = sa.insert(Product).values(name="leak")


@pytest.mark.parametrize("check", range(CHECKS))
async def test_starts_clean(db: DBSessionManager, check: int) -> None:
    """Clean: the seed's rows (tests/seed.py) and no others."""
    async with db.asessionmaker() as session:
        seeded = await seeding.seed_counts(session)
        for table in Base.metadata.sorted_tables:
            count = sa.select(sa.func.count()).select_from(table)
            expected = seeded.get(table.name, 0)
            assert await session.scalar(count) == expected, f"{table.name} has rows"
        # Prepared with the column types of the schema (psycopg prepares on the fifth
        # run): a stale plan cache would fail.
        for _ in range(6):
            products = (await session.scalars(sa.select(Product))).all()
            assert [product.name for product in products] == ["seed"]
        await add_review(session)
        await session.commit()


async def test_engine_begin(db: DBSessionManager) -> None:
    async with db.engine.begin() as connection:
        await connection.execute(INSERT)


async def test_engine_connect_and_commit(db: DBSessionManager) -> None:
    async with db.engine.connect() as connection:
        await connection.execute(INSERT)
        await connection.commit()


async def test_commit_of_the_sessions_connection(db: DBSessionManager) -> None:
    async with db.asessionmaker() as session:
        await add_product(session)
        await (await session.connection()).commit()


async def test_raw_commit_statement(db: DBSessionManager) -> None:
    async with db.asessionmaker() as session:
        await add_product(session)
        await session.execute(sa.text("COMMIT"))


async def test_engine_of_its_own(db: DBSessionManager) -> None:
    manager = DBSessionManager(postgres_dsn())
    try:
        async with manager.asessionmaker() as session:
            await add_product(session)
            await session.commit()
    finally:
        await manager.close()


async def add_and_commit(db: DBSessionManager) -> None:
    async with db.asessionmaker() as session:
        await add_review(session)
        await session.commit()


async def test_concurrent_sessions(db: DBSessionManager) -> None:
    await asyncio.gather(*(add_and_commit(db) for _ in range(3)))


async def test_concurrent_sessions_error_swallowed(db: DBSessionManager) -> None:
    """As a web app does: the request fails, the error becomes a response."""
    await asyncio.gather(*(add_and_commit(db) for _ in range(3)), return_exceptions=True)


async def test_schema_change_stays_inside(db: DBSessionManager) -> None:
    async with db.asessionmaker() as session:
        for _ in range(6):  # prepared on this connection before the schema changes
            await session.scalars(sa.select(Product))
        await session.execute(sa.text("ALTER TABLE product ALTER COLUMN name TYPE text"))
        await add_product(session)
        await session.commit()
        assert len((await session.scalars(sa.select(Product))).all()) == 2  # and the seed's


async def test_table_of_its_own(db: DBSessionManager) -> None:
    manager = DBSessionManager(postgres_dsn())
    try:
        async with manager.engine.begin() as connection:
            await connection.execute(sa.text("CREATE TABLE scratch (id int)"))
    finally:
        await manager.close()


@pytest.mark.parametrize("attempt", [1, 2])
@pytest.mark.db_commit(reset_sequences=True)
async def test_sequences_start_after_the_seed(db: DBSessionManager, attempt: int) -> None:
    """The seed's row took number 1 when the template was built."""
    async with db.asessionmaker() as session:
        row = await add_product(session)
        number = sa.text("SELECT number FROM product WHERE id = :id")
        assert await session.scalar(number, {"id": row.id}) == 2
        await session.commit()
'''.replace("CHECKS", str(CHECKS))
# Tests that pass: the checks, the schema change and two runs of the sequences test.
PASSING = CHECKS + 1 + 2
