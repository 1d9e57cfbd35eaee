{%- set tables = cookiecutter.models | parse_models(cookiecutter.framework) -%}
"""Every route of every table, through the `client` fixture and so inside the test's
isolation: the happy path, 404 for a missing row, 422 for a malformed request, and
409 where a foreign key can point at a missing row."""

import uuid

from httpx import AsyncClient

from {{ cookiecutter.package_name }}.api.schemas import (
{%- for name in tables | map(attribute="create_schema") | list | import_order %}
    {{ name }},
{%- endfor %}
)
from {{ cookiecutter.package_name }}.db import DBSessionManager

from api.client import every_row, example_body, seed_count
from factories import (
{%- for name in tables | map(attribute="factory_name") | list | import_order %}
    {{ name }},
{%- endfor %}
)
{%- for table in tables %}
{%- set names = table.route_test_names %}
{%- set limited = table | beyond_limit %}


async def {{ names[0] }}(
    client: AsyncClient,
    db: DBSessionManager,
) -> None:
    """Create, get, list a page, delete; the row reads back as it was sent."""
    path = "/{{ table.name }}"
    schema = {{ table.create_schema }}
    body = await example_body(db, {{ table.factory_name }}, schema)

    created = await client.post(path, json=body)
    assert created.status_code == 201, created.text
    sent = schema.model_validate(body).model_dump()
    assert schema.model_validate(created.json()).model_dump() == sent
    row_id = created.json()["id"]
    fetched = await client.get(f"{path}/{row_id}")
    assert fetched.status_code == 200, fetched.text
    assert fetched.json() == created.json()
    listed = await every_row(client, path)
    assert created.json() in listed
    assert len(listed) == 1 + await seed_count(db, "{{ table.name }}")
    first_page = await client.get(path, params={"limit": 1, "offset": 0})
    assert first_page.json() == listed[:1]
    past_the_end = await client.get(path, params={"limit": 1, "offset": len(listed)})
    assert past_the_end.json() == []
    deleted = await client.delete(f"{path}/{row_id}")
    assert deleted.status_code == 204, deleted.text
    assert (await client.get(f"{path}/{row_id}")).status_code == 404


async def {{ names[1] }}(
    client: AsyncClient,
) -> None:
    path = "/{{ table.name }}"
    missing = uuid.uuid4()
    assert (await client.get(f"{path}/{missing}")).status_code == 404
    assert (await client.delete(f"{path}/{missing}")).status_code == 404


async def {{ names[2] }}(
    client: AsyncClient,
{%- if limited %}
    db: DBSessionManager,
{%- endif %}
) -> None:
{%- if limited %}
    """Malformed requests, and a value past a limit the database would enforce."""
{%- endif %}
    path = "/{{ table.name }}"
    assert (await client.post(path, json=[])).status_code == 422
    assert (await client.get(f"{path}/not-a-uuid")).status_code == 422
    assert (await client.get(path, params={"limit": 0})).status_code == 422
{%- if limited %}
    schema = {{ table.create_schema }}
    body = await example_body(db, {{ table.factory_name }}, schema)
    body["{{ limited[0] }}"] = {{ limited[1] }}

    response = await client.post(path, json=body)

    assert response.status_code == 422, response.text
    errors = response.json()["detail"]
    assert errors[0]["loc"] == ["body", "{{ limited[0] }}"]
{%- endif %}
{%- if table.foreign_keys %}


async def {{ names[3] }}(
    client: AsyncClient,
    db: DBSessionManager,
) -> None:
    path = "/{{ table.name }}"
    schema = {{ table.create_schema }}
    body = await example_body(db, {{ table.factory_name }}, schema)
    body["{{ table.foreign_keys[0].name }}"] = str(uuid.uuid4())

    response = await client.post(path, json=body)

    assert response.status_code == 409, response.text
    listed = await every_row(client, path)
    assert len(listed) == await seed_count(db, "{{ table.name }}")
{%- endif %}
{%- endfor %}
