{%- set tables = cookiecutter.models | parse_models -%}
"""Each model round-trips through the migrated database with the types it declares.

`added` is the object as the test built it; `loaded` is read back by a new session.
"""

from {{ cookiecutter.package_name }}.db import DBSessionManager
from {{ cookiecutter.package_name }}.models import (
{%- for name in tables | map(attribute="class_name") | list | import_order %}
    {{ name }},
{%- endfor %}
)

from factories import (
{%- for name in tables | map(attribute="factory_name") | list | import_order %}
    {{ name }},
{%- endfor %}
)
{%- for table in tables %}


async def {{ table.test_name }}(
    db: DBSessionManager,
) -> None:
    async with db.asessionmaker() as session:
        added = await add_{{ table.name }}(session)
        await session.commit()

    async with db.asessionmaker() as session:
        loaded = await session.get({{ table.class_name }}, added.id)

    assert loaded is not None
{%- for column in table.columns %}
    assert loaded.{{ column.name }} == added.{{ column.name }}
{%- endfor %}
{%- for column in table.parents %}
{%- set parent = tables | selectattr("name", "equalto", column.references) | first %}


async def {{ table.cascade_test_name(column) }}(
    db: DBSessionManager,
) -> None:
    """Deleting a parent row deletes the rows that refer to it (ON DELETE CASCADE)."""
    async with db.asessionmaker() as session:
        added = await add_{{ table.name }}(session)
        parent_id = added.{{ column.name }}
        parent = await session.get({{ parent.class_name }}, parent_id)
        await session.delete(parent)
        await session.commit()

    async with db.asessionmaker() as session:
        assert await session.get({{ table.class_name }}, added.id) is None
{%- endfor %}
{%- endfor %}
