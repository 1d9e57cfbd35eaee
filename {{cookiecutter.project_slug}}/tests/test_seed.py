"""Every test starts with the seed's rows (tests/seed.py), whatever the tests before it
did: rolled back or committed (db_commit, or every test with test_isolation=truncate),
even deleting seed rows. Each test checks that first and then deletes a seed row of
every seeded table, so whichever runs later catches a seed an earlier one broke, in any
order (pytest-randomly shuffles them)."""

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from {{ cookiecutter.package_name }}.db import DBSessionManager, postgres_dsn
from {{ cookiecutter.package_name }}.models import Base

from testdb import seeding
from testdb.leak_guard import LeakGuard


async def seeded_tables(session: AsyncSession) -> list[sa.Table]:
    """The tables the seed filled, parents first."""
    names = await seeding.seeded_tables(session)
    if not names:
        pytest.skip("tests/seed.py adds no rows")
    return [table for table in Base.metadata.sorted_tables if table.name in names]


async def rows(session: AsyncSession, quoted_name: str) -> list[str]:
    """Every row of the table, as text, in order."""
    query = sa.text(f"SELECT r::text FROM {quoted_name} AS r ORDER BY 1")
    return list((await session.execute(query)).scalars())


async def assert_seed_intact(session: AsyncSession) -> None:
    """Every table holds the rows the seed wrote into the template, and no others."""
    preparer = session.get_bind().dialect.identifier_preparer
    for table in await seeded_tables(session):
        copy = f"{seeding.SCHEMA}.{preparer.quote_identifier(table.name)}"
        assert await rows(session, preparer.format_table(table)) == await rows(
            session, copy
        )


async def delete_a_seed_row_of_each_table(session: AsyncSession) -> None:
    for table in reversed(await seeded_tables(session)):
        ctid: sa.ColumnClause[str] = sa.column("ctid")
        first = sa.select(ctid).select_from(table).limit(1).scalar_subquery()
        await session.execute(sa.delete(table).where(ctid == first))


async def find_the_seed_then_delete_some(db: DBSessionManager) -> None:
    """Whichever of a pair runs second catches a seed the first one lost."""
    async with db.asessionmaker() as session:
        await assert_seed_intact(session)
        await delete_a_seed_row_of_each_table(session)
        await session.commit()


@pytest.mark.parametrize("attempt", [1, 2])
async def test_every_test_starts_with_the_seed(
    db: DBSessionManager, attempt: int
) -> None:
    await find_the_seed_then_delete_some(db)


@pytest.mark.db_commit
@pytest.mark.parametrize("attempt", [1, 2])
async def test_a_committed_test_that_deletes_seed_rows_gets_them_back(
    db: DBSessionManager, attempt: int
) -> None:
    await find_the_seed_then_delete_some(db)


async def test_the_leak_guard_takes_no_seed_row_for_a_leak(
    db: DBSessionManager, leak_guard: LeakGuard
) -> None:
    """The guard looks at the tables only after a commit: make one elsewhere."""
    elsewhere = DBSessionManager(postgres_dsn())
    try:
        async with elsewhere.engine.begin() as connection:
            await connection.execute(sa.text("SELECT pg_current_xact_id()"))
    finally:
        await elsewhere.close()

    assert await leak_guard.check() is None
