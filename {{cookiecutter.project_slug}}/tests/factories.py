{%- set tables = cookiecutter.models | parse_models -%}
{%- set constants = tables | sample_constants -%}
{%- set counted = tables | uses_samples -%}
"""Add one row of each model with every column set; parent rows are added first.

Each call builds the parent rows it is not given once, and draws the next `seq` number
of its table, from which every value of the row follows: rows never repeat a value, so
a unique column never makes a test fail.
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

# How many rows each factory has added: the next one's `seq`.
SEQUENCES: collections.Counter[str] = collections.Counter()
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
{%- set given = table | ancestors(tables) %}
{%- if given %}
    *,
{%- for each in given %}
    {{ each.name }}: {{ each.class_name }} | None = None,
{%- endfor %}
{%- endif %}
) -> {{ table.class_name }}:
{%- for each in given %}
    if {{ each.name }} is None:
{{ each | factory_call(tables, 8) }}
{%- endfor %}
{%- if table.plain_columns %}
    SEQUENCES["{{ table.name }}"] += 1
    seq = SEQUENCES["{{ table.name }}"]
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
