{%- set tables = cookiecutter.models | parse_models(cookiecutter.framework) -%}
{%- set root = tables | first -%}
"""Requests run inside the test's isolation: what a test writes through the API, `db`
reads, and the reverse; concurrent requests fail a rolled-back test at once, naming
the marker under which they work."""

import asyncio
import uuid

import pytest
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncEngine

from {{ cookiecutter.package_name }}.api.schemas import {{ root.create_schema }}
from {{ cookiecutter.package_name }}.db import DBSessionManager
from {{ cookiecutter.package_name }}.models import {{ root.class_name }}

from api.client import app_client, example_body
from factories import {{ root.factory_name }}
from testdb import isolation
from testdb.joined import EscapeError


async def test_a_row_created_through_the_api_is_read_through_db(
    client: AsyncClient,
    db: DBSessionManager,
) -> None:
    schema = {{ root.create_schema }}
    body = await example_body(db, {{ root.factory_name }}, schema)

    created = await client.post("/{{ root.name }}", json=body)

    async with db.asessionmaker() as session:
        row_id = uuid.UUID(created.json()["id"])
        row = await session.get({{ root.class_name }}, row_id)
    assert row is not None


async def test_a_row_added_through_db_is_read_through_the_api(
    client: AsyncClient,
    db: DBSessionManager,
) -> None:
    async with db.asessionmaker() as session:
        row = await {{ root.factory_name }}(session)
        await session.commit()

    response = await client.get(f"/{{ root.name }}/{row.id}")

    assert response.status_code == 200, response.text
    assert response.json()["id"] == str(row.id)


async def two_requests_at_once_rolled_back(engine: AsyncEngine) -> None:
    """What a rolled-back test does when it sends two requests at once; the error is
    raised to the request, and again when the test ends (the app may have hidden it)."""
    async with (
        isolation.rolled_back(engine) as manager,
        app_client(manager) as client,
    ):
        requests = (client.get("/{{ root.name }}") for _ in range(2))
        outcomes = await asyncio.gather(*requests, return_exceptions=True)
        assert any(isinstance(outcome, EscapeError) for outcome in outcomes)


async def test_concurrent_requests_fail_a_rolled_back_test_naming_db_commit(
    shared_manager: DBSessionManager,
) -> None:
    """Both requests' sessions would share the test's one connection."""
    with pytest.raises(EscapeError, match="db_commit"):
        await two_requests_at_once_rolled_back(shared_manager.engine)


@pytest.mark.db_commit
async def test_concurrent_requests_work_with_real_commits(client: AsyncClient) -> None:
    requests = (client.get("/{{ root.name }}") for _ in range(2))

    responses = await asyncio.gather(*requests)

    assert [response.status_code for response in responses] == [200, 200]
