{%- set tables = cookiecutter.models | parse_models -%}
"""Every test starts with empty tables, whatever the tests before it wrote."""

import pytest
import sqlalchemy as sa

from {{ cookiecutter.package_name }}.db import DBSessionManager
from {{ cookiecutter.package_name }}.models import Base

from factories import (
{%- for table in tables | sort(attribute="name", case_sensitive=True) %}
    add_{{ table.name }},
{%- endfor %}
)


@pytest.mark.parametrize("attempt", [1, 2])
async def test_tables_start_empty(db: DBSessionManager, attempt: int) -> None:
    """Both attempts write to every table; the second fails if the first's rows stay."""
    async with db.asessionmaker() as session:
        for table in Base.metadata.sorted_tables:
            rows = await session.scalar(sa.select(sa.func.count()).select_from(table))
            assert rows == 0, f"{table.name} has rows from an earlier test"
{%- for table in tables %}
        await add_{{ table.name }}(session)
{%- endfor %}
        await session.commit()
