{%- set tables = cookiecutter.models | parse_models -%}
{%- set root = tables | first -%}
{%- set values = root.plain_columns | map("seed_value") | list -%}
"""Seed data: the rows every test database starts with (README: "Seed data").

`seed` runs once, when the template database is built, right after the migrations, and
this file is part of the template's hash: change it and the next test session builds a
new template; leave it and nothing runs. Every test, every database --db-keep-failed
keeps and `dev-db` see these rows; tests that commit get them back afterwards.

Add rows with the models, as the application would; the caller commits. A seed that
raises stops the session with one line naming this file and the row.
"""
{% set constants = values | constants_in %}
{%- set imports = (values + (constants.values() | list)) | stdlib_imports %}
{%- for line in imports %}
{{ line }}
{%- endfor %}
{%- if imports %}
{% endif %}
from sqlalchemy.ext.asyncio import AsyncSession

from {{ cookiecutter.package_name }}.models import {{ root.class_name }}
{%- if constants %}
{% for name, value in constants.items() %}
{{ name }} = {{ value }}
{%- endfor %}
{%- endif %}


async def seed(session: AsyncSession) -> None:
    """Add the rows every test starts with."""
{%- if root.plain_columns %}
    session.add(
        {{ root.class_name }}(
{%- for column in root.plain_columns %}
            {{ column.name }}={{ column | seed_value }},
{%- endfor %}
        )
    )
{%- else %}
    session.add({{ root.class_name }}())
{%- endif %}
