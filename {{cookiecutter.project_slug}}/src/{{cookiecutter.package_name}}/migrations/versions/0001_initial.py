{%- set tables = cookiecutter.models | parse_models -%}
{#- A constraint's name= line; names too long for it go on a line of their own. -#}
{%- macro named(name) %}
{%- if name | length > 62 %}
            name=op.f(
                "{{ name }}"
            ),
{%- else %}
            name=op.f("{{ name }}"),
{%- endif %}
{%- endmacro -%}
"""Initial tables.

Creates, in this order:
{%- for table in tables %}
- {{ table.name }}
{%- endfor %}

Revision ID: 0001
Revises:
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
{%- if tables | uses_jsonb %}
from sqlalchemy.dialects import postgresql
{%- endif %}

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
{%- for table in tables %}
    op.create_table(
        "{{ table.name }}",
        sa.Column(
            "id",
            sa.Uuid(),
            server_default=sa.text("gen_random_uuid()"),
            nullable=False,
        ),
{%- for column in table.columns %}
        sa.Column(
{%- for argument in column.migration_arguments %}
            {{ argument }},
{%- endfor %}
        ),
{%- endfor %}
        sa.PrimaryKeyConstraint("id", name=op.f("pk_{{ table.name }}")),
{%- for column in table.inline_foreign_keys %}
        sa.ForeignKeyConstraint(
            ["{{ column.name }}"],
            ["{{ column.references }}.id"],
{{- named(table.foreign_key_name(column)) }}
            ondelete="CASCADE",
        ),
{%- endfor %}
{%- for column in table.unique_columns %}
        sa.UniqueConstraint(
            "{{ column.name }}",
{{- named(table.unique_name(column)) }}
        ),
{%- endfor %}
    )
{%- for column in table.indexed_columns %}
    op.create_index(
        op.f("{{ table.index_name(column) }}"),
        "{{ table.name }}",
        ["{{ column.name }}"],
    )
{%- endfor %}
{%- endfor %}
{%- for table in tables %}
{%- for column in table.deferred_foreign_keys %}
    op.create_foreign_key(
        op.f("{{ table.foreign_key_name(column) }}"),
        "{{ table.name }}",
        "{{ column.references }}",
        ["{{ column.name }}"],
        ["id"],
        ondelete="CASCADE",
    )
{%- endfor %}
{%- endfor %}


def downgrade() -> None:
{%- for table in tables %}
{%- for column in table.deferred_foreign_keys %}
    op.drop_constraint(
        op.f("{{ table.foreign_key_name(column) }}"),
        "{{ table.name }}",
        type_="foreignkey",
    )
{%- endfor %}
{%- endfor %}
{%- for table in tables | reverse %}
    op.drop_table("{{ table.name }}")
{%- endfor %}
