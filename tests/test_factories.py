"""The rendered factories make each parent once per call: a graph where every table
refers to the two before it stays linear, where fresh parents per foreign key grew
exponentially (3.5 s for one test at 17 tables, no end at 25)."""

from tests.conftest import Bake
from tests.rendered import run_tests

TABLES = 25


def chain_of_pairs(tables: int) -> str:
    """t00; t01 -> t00; t02 -> t01, t00; ... each table refers to the two before it."""
    specs = ["t00: name str(10)"]
    for index in range(1, tables):
        parents = [f"p{back}_id -> t{index - back:02d}" for back in (1, 2) if index >= back]
        specs.append(f"t{index:02d}: name str(10), " + ", ".join(parents))
    return "; ".join(specs)


def test_each_parent_is_made_once_per_call(bake: Bake) -> None:
    project = bake(models=chain_of_pairs(TABLES))
    (project / "tests/test_deep.py").write_text(DEEP_TEST.lstrip())

    counts = run_tests(project, "tests/test_deep.py")

    assert counts == {"passed": 1}


DEEP_TEST = f"""
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from example_service.db import DBSessionManager
from example_service.models import Base

from factories import add_t{TABLES - 1:02d}


async def rows(session: AsyncSession) -> dict[str, int | None]:
    counts = {{}}
    for table in Base.metadata.sorted_tables:
        count = sa.select(sa.func.count()).select_from(table)
        counts[table.name] = await session.scalar(count)
    return counts


async def test_one_row_per_table(db: DBSessionManager) -> None:
    # One row more in every table: the seed's rows were there before.
    async with db.asessionmaker() as session:
        before = await rows(session)
        await add_t{TABLES - 1:02d}(session)
        after = await rows(session)
    assert {{name: (after[name] or 0) - (before[name] or 0) for name in after}} == {{
        table.name: 1 for table in Base.metadata.sorted_tables
    }}
"""
