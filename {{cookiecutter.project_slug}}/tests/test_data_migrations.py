{%- set root = (cookiecutter.models | parse_models | first) -%}
{%- set samples = root.plain_columns | map(attribute="type.sample") | list -%}
{%- set constants = samples | constants_in | sort -%}
"""Data migrations, tested on the rows they change (README: Testing a data migration).

`migrating(empty_db, to="0002")` gives a database at the revision before 0002: add rows
to the tables as they were then, run 0002 alone with `upgrade()`, and read what it
left. Before 0001 there is no table to fill, so the test below upgrades first; copy it
for a migration of your own that moves data.
"""
{% for line in (["uuid.UUID"] + samples) | stdlib_imports %}
{{ line }}
{%- endfor %}

import pytest
from sqlalchemy.engine import URL
{% if constants %}
from factories import {{ constants | join(", ") }}
{%- endif %}
from testdb.data_migrations import MigrationTestError, migrating


async def test_0001_keeps_a_{{ root.name }}_row_until_downgraded(
    empty_db: URL,
) -> None:
    """0001 makes the table, which keeps a row as written; its downgrade takes the
    table away, rows and all."""
    seq = 1  # the values tests/factories.py gives its first row
    row = {
        "id": uuid.UUID(int=seq),
{%- for column in root.plain_columns %}
        "{{ column.name }}": {{ column.type.sample }},
{%- endfor %}
    }
    async with migrating(empty_db, to="0001") as step:
        await step.upgrade()
        await step.insert("{{ root.name }}", row)
        assert await step.rows("{{ root.name }}", *row) == [row]

        await step.downgrade()
        gone = "no table '{{ root.name }}' at base"
        with pytest.raises(MigrationTestError, match=gone):
            await step.rows("{{ root.name }}")
