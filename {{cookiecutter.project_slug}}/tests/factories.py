{%- set tables = cookiecutter.models | parse_models -%}
{%- set constants = tables | sample_constants -%}
"""Add one row of each model with every column set; parent rows are added first.

Within one call each parent table gets one row, shared by every row that refers to it:
making fresh parents for every foreign key would grow exponentially with the depth of
the graph (a table referring to the two before it, and so on).
"""
{% set imports = tables | sample_imports %}
{% for line in imports if line.startswith("import ") -%}
{{ line }}
{% endfor -%}
from collections.abc import Awaitable, Callable
from typing import {{ "Any, " if "from typing import Any" in imports }}TypeVar, cast

from sqlalchemy.ext.asyncio import AsyncSession

from {{ cookiecutter.package_name }}.models import (
{%- for name in tables | map(attribute="class_name") | list | import_order %}
    {{ name }},
{%- endfor %}
)
{%- if constants %}

# Sample values of the column types whose literals are too long to repeat.
{%- for name, value in constants.items() %}
{{ name }} = {{ value }}
{%- endfor %}
{%- endif %}


Row = TypeVar("Row")
# The parent rows made so far in one call, by the factory that made them.
Made = dict[str, object]


async def parent(
    session: AsyncSession,
    made: Made,
    factory: Callable[[AsyncSession, Made], Awaitable[Row]],
) -> Row:
    """The row `factory` made earlier in this call, or a new one."""
    if factory.__name__ not in made:
        made[factory.__name__] = await factory(session, made)
    return cast(Row, made[factory.__name__])
{%- for table in tables %}


async def add_{{ table.name }}(
    session: AsyncSession,
    made: Made | None = None,
) -> {{ table.class_name }}:
{%- if table.parent_tables %}
    made = {} if made is None else made
{%- endif %}
{%- for parent in table.parent_tables %}
{%- set call = parent ~ " = await parent(session, made, add_" ~ parent ~ ")" %}
{%- if call | length <= 84 %}
    {{ call }}
{%- else %}
    {{ parent }} = await parent(
        session, made, add_{{ parent }}
    )
{%- endif %}
{%- endfor %}
    {{ table.name }} = {{ table.class_name }}(
{%- for column in table.plain_columns %}
        {{ column.name }}={{ column.type.sample }},
{%- endfor %}
{%- for column in table.parents %}
        {{ column.name }}={{ column.references }}.id,
{%- endfor %}
    )
    session.add({{ table.name }})
    await session.flush()
    return {{ table.name }}
{%- endfor %}
