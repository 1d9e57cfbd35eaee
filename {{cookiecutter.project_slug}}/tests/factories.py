{%- set tables = cookiecutter.models | parse_models -%}
{%- set constants = tables | sample_constants -%}
"""Add one row of each model with every column set; parent rows are added first."""
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
{%- if constants %}

# Sample values of the column types whose literals are too long to repeat.
{%- for name, value in constants.items() %}
{{ name }} = {{ value }}
{%- endfor %}
{%- endif %}
{%- for table in tables %}


async def add_{{ table.name }}(
    session: AsyncSession,
) -> {{ table.class_name }}:
{%- for parent in table.parent_tables %}
    {{ parent }} = await add_{{ parent }}(session)
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
