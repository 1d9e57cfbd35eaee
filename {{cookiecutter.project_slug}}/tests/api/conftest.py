"""The app over HTTP, inside the test's database isolation: `client` gives each request
a session of its own, as when the app is served; `shared_client` lends every request
the test's own `session`."""

from collections.abc import AsyncIterator

import pytest
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from {{ cookiecutter.package_name }}.api.session import request_session
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


@pytest.fixture
async def session(db: DBSessionManager) -> AsyncIterator[AsyncSession]:
    """The test's own session, open until the test ends."""
    async with db.asessionmaker() as session:
        yield session


@pytest.fixture
async def shared_client(
    db: DBSessionManager, session: AsyncSession
) -> AsyncIterator[AsyncClient]:
    """Like `client`, but every request uses the test's `session` instead of a session
    of its own (`app.dependency_overrides[request_session]`): the app's objects are the
    test's, so they show at once what a request changed.

    As request_session does with its own, a request commits the session when the route
    returns, and rolls it back when the route raises: what the test added and had not
    committed goes with it.
    """

    async def the_tests_session() -> AsyncIterator[AsyncSession]:
        try:
            yield session
        except Exception:
            await session.rollback()
            raise
        await session.commit()

    async with app_client(db, {request_session: the_tests_session}) as client:
        yield client
