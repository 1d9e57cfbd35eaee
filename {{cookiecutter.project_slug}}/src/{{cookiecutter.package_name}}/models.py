{%- set tables = cookiecutter.models | parse_models -%}
"""The tables as SQLAlchemy models; the migrations in migrations/versions/ make them."""

{% for line in tables | model_imports -%}
{{ line }}
{% endfor %}
import sqlalchemy as sa
{%- if tables | uses_jsonb %}
from sqlalchemy.dialects import postgresql
{%- endif %}
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Constraint names Alembic can find again, e.g. fk_review_product_id_product.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)
{%- for table in tables %}


class {{ table.class_name }}(Base):
    __tablename__ = "{{ table.name }}"

    id: Mapped[uuid.UUID] = mapped_column(
        primary_key=True,
        server_default=sa.text("gen_random_uuid()"),
    )
{%- for column in table.columns %}
    {{ column.name }}: Mapped[{{ column.annotation }}] = mapped_column(
{%- for argument in column.model_arguments %}
        {{ argument }},
{%- endfor %}
    )
{%- endfor %}
{%- endfor %}
