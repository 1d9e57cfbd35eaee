{%- set tables = cookiecutter.models | parse_models -%}
{%- set constants = tables | sample_constants -%}
{%- set counted = tables | uses_samples -%}
"""Add one row of each model with every column set; parent rows are added first.

Every call draws a new `seq` number and derives each value from it, so rows never
repeat a value and a unique column never makes a test fail.
"""
{% set imports = tables | sample_imports %}
{% for line in imports -%}
{{ line }}
{% endfor %}
{%- if imports %}
{% endif -%}
from sqlalchemy.ext.asyncio import AsyncSession

from {{ cookiecutter.package_name }}.models import (
{%- for name in tables | map(attribute="class_name") | list | import_order %}
    {{ name }},
{%- endfor %}
)
{%- if counted %}

SEQUENCE = itertools.count(1)
{%- endif %}
{%- if constants %}

# Sample values of the column types whose literals are too long to repeat.
{%- for name, value in constants.items() %}
{{ name }} = {{ value }}
{%- endfor %}
{%- endif %}
{%- for table in tables %}


async def {{ table.factory_name }}(
    session: AsyncSession,
) -> {{ table.class_name }}:
{%- for parent in table.parent_tables %}
    {{ parent }} = await add_{{ parent }}(session)
{%- endfor %}
{%- if table.plain_columns %}
    seq = next(SEQUENCE)
{%- endif %}
{%- if table.plain_columns or table.parents %}
    {{ table.name }} = {{ table.class_name }}(
{%- for column in table.plain_columns %}
        {{ column.name }}={{ column.type.sample }},
{%- endfor %}
{%- for column in table.parents %}
        {{ column.name }}={{ column.references }}.id,
{%- endfor %}
    )
{%- else %}
    {{ table.name }} = {{ table.class_name }}()
{%- endif %}
    session.add({{ table.name }})
    await session.flush()
    return {{ table.name }}
{%- endfor %}
