{%- set tables = cookiecutter.models | parse_models(cookiecutter.framework) -%}
"""One router per table: create, get by id, list (with limit and offset), delete.

Written out per table, so each route is yours to change: add filters, hide columns, or
drop what should not be public.
"""

import uuid

import sqlalchemy as sa
from fastapi import APIRouter

from {{ cookiecutter.package_name }}.api.errors import not_found
from {{ cookiecutter.package_name }}.api.schemas import (
{%- set creates = tables | map(attribute="create_schema") | list %}
{%- set reads = tables | map(attribute="read_schema") | list %}
{%- for name in (creates + reads) | import_order %}
    {{ name }},
{%- endfor %}
)
from {{ cookiecutter.package_name }}.api.session import Limit, Offset, SessionDep
from {{ cookiecutter.package_name }}.models import (
{%- for name in tables | map(attribute="class_name") | list | import_order %}
    {{ name }},
{%- endfor %}
)
{%- for table in tables %}
{% if not loop.first %}
{% endif %}
{{ table.router_name }} = APIRouter(
    prefix="/{{ table.name }}",
    tags=["{{ table.name }}"],
)


@{{ table.router_name }}.post("", status_code=201)
async def create_{{ table.name }}(
    payload: {{ table.create_schema }},
    session: SessionDep,
) -> {{ table.read_schema }}:
    row = {{ table.class_name }}(**payload.model_dump(exclude_none=True))
    session.add(row)
    await session.flush()
    return {{ table.read_schema }}.model_validate(row)


@{{ table.router_name }}.get("/{row_id}")
async def get_{{ table.name }}(
    row_id: uuid.UUID,
    session: SessionDep,
) -> {{ table.read_schema }}:
    row = await session.get({{ table.class_name }}, row_id)
    if row is None:
        raise not_found("{{ table.name }}", row_id)
    return {{ table.read_schema }}.model_validate(row)


@{{ table.router_name }}.get("")
async def list_{{ table.name }}(
    session: SessionDep,
    limit: Limit = 100,
    offset: Offset = 0,
) -> list[{{ table.read_schema }}]:
    query = sa.select({{ table.class_name }}).limit(limit).offset(offset)
    rows = await session.scalars(query.order_by({{ table.class_name }}.id))
    return [{{ table.read_schema }}.model_validate(row) for row in rows]


@{{ table.router_name }}.delete("/{row_id}", status_code=204)
async def delete_{{ table.name }}(
    row_id: uuid.UUID,
    session: SessionDep,
) -> None:
    row = await session.get({{ table.class_name }}, row_id)
    if row is None:
        raise not_found("{{ table.name }}", row_id)
    await session.delete(row)
{%- endfor %}


ROUTERS = [
{%- for table in tables %}
    {{ table.router_name }},
{%- endfor %}
]
