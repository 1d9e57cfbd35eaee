{%- set tables = cookiecutter.models | parse_models -%}
{%- set root = tables | first -%}
"""Every test starts with the seed's rows only (tests/seed.py), whatever the tests
before it wrote or how they ended. Each test here checks that first and then writes, so
whichever runs later catches rows an earlier one left behind, in any order
(pytest-randomly shuffles them)."""

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from {{ cookiecutter.package_name }}.db import DBSessionManager, postgres_dsn
from {{ cookiecutter.package_name }}.models import {{ ["Base", root.class_name] | import_order | join(", ") }}

from factories import (
{%- for name in tables | map(attribute="factory_name") | list | import_order %}
    {{ name }},
{%- endfor %}
)
from testdb import seeding


async def assert_tables_as_seeded(session: AsyncSession) -> None:
    seeded = await seeding.seed_counts(session)
    for table in Base.metadata.sorted_tables:
        rows = await session.scalar(sa.select(sa.func.count()).select_from(table))
        assert rows == seeded.get(table.name, 0), f"{table.name}: rows of another test"


async def rows_seen_elsewhere(model: type[Base]) -> int:
    """Count rows beyond the seed's over an engine of its own, as code outside the
    test would."""
    manager = DBSessionManager(postgres_dsn())
    try:
        async with manager.asessionmaker() as session:
            seeded = await seeding.seed_counts(session)
            rows = await session.scalar(sa.select(sa.func.count()).select_from(model))
            return (rows or 0) - seeded.get(model.__tablename__, 0)
    finally:
        await manager.close()


@pytest.mark.parametrize("attempt", [1, 2])
async def test_tables_start_as_seeded(db: DBSessionManager, attempt: int) -> None:
    async with db.asessionmaker() as session:
        await assert_tables_as_seeded(session)
{%- for table in tables %}
        await add_{{ table.name }}(session)
{%- endfor %}
        await session.commit()


async def test_code_may_commit_fail_roll_back_and_go_on(db: DBSessionManager) -> None:
    async with db.asessionmaker() as session:
        await assert_tables_as_seeded(session)
        first_id = (await add_{{ root.name }}(session)).id
        await session.commit()

        duplicate = sa.insert({{ root.class_name }}).values(id=first_id)
        with pytest.raises(IntegrityError):
            await session.execute(duplicate)
        await session.rollback()

        assert await session.get({{ root.class_name }}, first_id) is not None
        await add_{{ root.name }}(session)
        await session.commit()


@pytest.mark.db_commit
async def test_db_commit_tests_are_seen_by_other_connections(
    db: DBSessionManager,
) -> None:
    async with db.asessionmaker() as session:
        await assert_tables_as_seeded(session)
        await add_{{ root.name }}(session)
        await session.commit()

    assert await rows_seen_elsewhere({{ root.class_name }}) == 1
{%- if cookiecutter.test_isolation == "rollback" %}


async def test_other_connections_do_not_see_a_tests_rows(
    request: pytest.FixtureRequest, db: DBSessionManager
) -> None:
    """Even committed rows stay inside the test's transaction, which is rolled back."""
    if request.config.getoption("db_keep_failed"):
        pytest.skip("--db-keep-failed commits every test, in a database of its own")
    async with db.asessionmaker() as session:
        await assert_tables_as_seeded(session)
        await add_{{ root.name }}(session)
        await session.commit()

    assert await rows_seen_elsewhere({{ root.class_name }}) == 0
{%- endif %}
