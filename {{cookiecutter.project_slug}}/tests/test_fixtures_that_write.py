{%- set tables = cookiecutter.models | parse_models -%}
{%- set root = tables | first -%}
{%- set distinct = root | unique_samples -%}
{%- set samples = distinct.values() | list -%}
{%- set rollback = cookiecutter.test_isolation == "rollback" -%}
"""Fixtures may write through `db`, and the test after them too.

pytest-asyncio sets up each fixture and runs the test in asyncio tasks of their own, one
after the other: the sessions of fixtures and test are used in turn, never at once,
whether a fixture commits and closes its session or yields it open. Only sessions of two
tasks open at the same time (asyncio.gather) share a rolled-back test's one connection
concurrently: they fail at once, naming `@pytest.mark.db_commit`, under which they work.
"""

import asyncio
{%- for line in samples | stdlib_imports %}
{%- if line.startswith("import ") %}
{{ line }}
{%- endif %}
{%- endfor %}
from collections.abc import AsyncIterator, Awaitable, Callable
{%- if distinct %}
from typing import Any
{%- endif %}

import pytest
import sqlalchemy as sa
from polyfactory.factories.sqlalchemy_factory import SQLAlchemyFactory
from sqlalchemy.ext.asyncio import {% if rollback %}AsyncEngine, {% endif %}AsyncSession

from {{ cookiecutter.package_name }}.db import DBSessionManager
from {{ cookiecutter.package_name }}.models import {{ root.class_name }}

{% set shared = (["SEQUENCES"] + (samples | constants_in | list)) if distinct else [] -%}
from factories import (
{%- for name in (shared + [root.factory_name]) | import_order %}
    {{ name }},
{%- endfor %}
)
{%- if rollback %}
from testdb import isolation, seeding
from testdb.joined import EscapeError
{%- else %}
from testdb import seeding
{%- endif %}

MakeRow = Callable[[], Awaitable[{{ root.class_name }}]]


class RowFactory(SQLAlchemyFactory[{{ root.class_name }}]):
    """Rows with polyfactory's random values, saved through `db` by `row_factory`.

    The database makes the id (gen_random_uuid()), and foreign keys stay NULL: a random
    id would point at no row.
    """

    __set_primary_key__ = False
    __set_foreign_keys__ = False
{%- if distinct %}

    @classmethod
    def build(cls, *args: Any, **kwargs: Any) -> {{ root.class_name }}:
        return super().build(*args, **{**distinct_values(), **kwargs})


def distinct_values() -> dict[str, Any]:
    """Values of the unique columns: polyfactory's random ones may repeat, so these are
    tests/factories.py's samples, numbered as its rows are."""
    SEQUENCES["{{ root.name }}"] += 1
    seq = SEQUENCES["{{ root.name }}"]
    return {
{%- for name, sample in distinct.items() %}
        "{{ name }}": {{ sample }},
{%- endfor %}
    }
{%- endif %}


async def count_rows(db: DBSessionManager) -> int:
    """How many rows of the first table a new session sees beyond the seed's."""
    async with db.asessionmaker() as session:
        count = sa.select(sa.func.count()).select_from({{ root.class_name }})
        seeded = await seeding.seed_counts(session)
        table = {{ root.class_name }}.__tablename__
        return (await session.scalar(count) or 0) - seeded.get(table, 0)


async def commit_new_row(db: DBSessionManager) -> {{ root.class_name }}:
    async with db.asessionmaker() as session:
        row = await {{ root.factory_name }}(session)
        await session.commit()
        return row


@pytest.fixture
async def existing_row(db: DBSessionManager) -> {{ root.class_name }}:
    """A row a fixture adds and commits in a session of its own."""
    async with db.asessionmaker() as session:
        row = await {{ root.factory_name }}(session)
        await session.commit()
        return row


async def test_a_test_writes_after_a_fixture_wrote(
    db: DBSessionManager,
    existing_row: {{ root.class_name }},
) -> None:
    """Issue 20: the test's commit failed, its session taken for one used concurrently
    with the fixture's."""
    async with db.asessionmaker() as session:
        await {{ root.factory_name }}(session)
        await session.commit()

    assert await count_rows(db) == 2


@pytest.fixture
async def second_row(
    db: DBSessionManager,
    existing_row: {{ root.class_name }},
) -> {{ root.class_name }}:
    """A fixture after one that wrote: it sees that row, and adds another."""
    async with db.asessionmaker() as session:
        found = await session.get({{ root.class_name }}, existing_row.id)
        assert found is not None
        row = await {{ root.factory_name }}(session)
        await session.commit()
        return row


async def test_a_chain_of_fixtures_writes_then_the_test(
    db: DBSessionManager,
    second_row: {{ root.class_name }},
) -> None:
    await commit_new_row(db)

    assert await count_rows(db) == 3


@pytest.fixture
def make_row(db: DBSessionManager) -> MakeRow:
    """A factory fixture: each call adds a row and commits, in a session of its own."""

    async def add() -> {{ root.class_name }}:
        return await commit_new_row(db)

    return add


@pytest.fixture
async def row_of_a_factory_fixture(
    make_row: MakeRow,
) -> {{ root.class_name }}:
    return await make_row()


@pytest.mark.parametrize("rows", [1, 2])
async def test_a_factory_fixture_adds_rows_for_fixtures_and_tests(
    db: DBSessionManager,
    make_row: MakeRow,
    row_of_a_factory_fixture: {{ root.class_name }},
    rows: int,
) -> None:
    for _ in range(rows):
        await make_row()

    assert await count_rows(db) == 1 + rows


@pytest.fixture
async def open_session(db: DBSessionManager) -> AsyncIterator[AsyncSession]:
    """A session a fixture yields open, with a row added and not committed yet."""
    async with db.asessionmaker() as session:
        await {{ root.factory_name }}(session)
        yield session


async def test_a_test_writes_beside_a_session_a_fixture_left_open(
    db: DBSessionManager,
    open_session: AsyncSession,
) -> None:
    """The test's sessions begin inside the fixture's, which goes on working after."""
    await commit_new_row(db)
    await {{ root.factory_name }}(open_session)
    await open_session.commit()

    assert await count_rows(db) == 3


@pytest.fixture
def row_factory(db: DBSessionManager) -> type[RowFactory]:
    """RowFactory saving through `db`: create_async() commits a session of its own."""
    return RowFactory.create_factory(__async_session__=db.asessionmaker)


@pytest.fixture
async def row_of_polyfactory(
    row_factory: type[RowFactory],
) -> {{ root.class_name }}:
    return await row_factory.create_async()


async def test_polyfactory_writes_in_a_fixture_and_in_the_test(
    db: DBSessionManager,
    row_factory: type[RowFactory],
    row_of_polyfactory: {{ root.class_name }},
) -> None:
    await row_factory.create_async()
    await commit_new_row(db)

    assert await count_rows(db) == 3


async def test_tasks_that_write_one_after_the_other_are_not_concurrent(
    db: DBSessionManager,
    existing_row: {{ root.class_name }},
) -> None:
    await asyncio.create_task(commit_new_row(db))
    await asyncio.create_task(commit_new_row(db))

    assert await count_rows(db) == 3


@pytest.mark.db_commit
async def test_sessions_of_two_tasks_at_once_work_with_real_commits(
    db: DBSessionManager,
    existing_row: {{ root.class_name }},
) -> None:
    await asyncio.gather(commit_new_row(db), commit_new_row(db))

    assert await count_rows(db) == 3
{%- if rollback %}


async def two_tasks_at_once_rolled_back(engine: AsyncEngine) -> None:
    """What a rolled-back test does when it writes in two tasks at once; the error is
    raised in a task, and again when the test ends (the code may have hidden it). Both
    tasks end before the test does: one left running would use its connection after."""
    async with isolation.rolled_back(engine) as db:
        writes = (commit_new_row(db), commit_new_row(db))
        outcomes = await asyncio.gather(*writes, return_exceptions=True)
        assert any(isinstance(outcome, EscapeError) for outcome in outcomes)


async def test_sessions_of_two_tasks_at_once_fail_a_rolled_back_test_naming_db_commit(
    shared_manager: DBSessionManager,
) -> None:
    """Both sessions would share the test's one connection, and end each other's
    savepoints."""
    with pytest.raises(EscapeError, match="db_commit"):
        await two_tasks_at_once_rolled_back(shared_manager.engine)


async def earlier_session_ends_first(engine: AsyncEngine) -> None:
    """What a rolled-back test does when a session ends while a later one is open."""
    async with (
        isolation.rolled_back(engine) as db,
        db.asessionmaker() as earlier,
        db.asessionmaker() as later,
    ):
        await {{ root.factory_name }}(earlier)
        await {{ root.factory_name }}(later)
        await earlier.commit()


async def test_a_session_ending_before_a_later_one_fails_a_rolled_back_test(
    shared_manager: DBSessionManager,
) -> None:
    """Ending the earlier session would end the later one's savepoint on the shared
    connection: the error says so, not PostgreSQL's "savepoint ... does not exist"."""
    with pytest.raises(EscapeError, match="reverse order"):
        await earlier_session_ends_first(shared_manager.engine)
{%- endif %}
