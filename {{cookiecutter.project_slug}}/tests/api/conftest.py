"""The `client` fixture: the app over HTTP, inside the test's database isolation."""

from collections.abc import AsyncIterator

import pytest
from httpx import AsyncClient

from {{ cookiecutter.package_name }}.db import DBSessionManager

from api.client import app_client


@pytest.fixture
async def client(db: DBSessionManager) -> AsyncIterator[AsyncClient]:
    """An httpx AsyncClient on the app, with its lifespan, whose requests use `db`.

    So a test may create through the API and read through `db`, or the reverse, and
    nothing outlives it. In a rolled-back test all requests share the test's one
    connection: concurrent requests (asyncio.gather) fail naming
    `@pytest.mark.db_commit`, under which each request has a connection of its own.
    """
    async with app_client(db) as client:
        yield client
