"""What the API tests share: a client on an app using a given DBSessionManager, a
valid request body for any table, and every row a list route has."""

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from typing import Any

from httpx import ASGITransport, AsyncClient
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from {{ cookiecutter.package_name }}.api import create_app
from {{ cookiecutter.package_name }}.api.session import MAX_LIMIT
from {{ cookiecutter.package_name }}.db import DBSessionManager
from {{ cookiecutter.package_name }}.models import Base

from testdb import seeding


@asynccontextmanager
async def app_client(
    manager: DBSessionManager | None,
    overrides: Mapping[Callable[..., Any], Callable[..., Any]] | None = None,
) -> AsyncIterator[AsyncClient]:
    """An httpx client calling the app in-process, inside its lifespan; the app's
    requests use `manager`'s sessions (in a rolled-back test, the test's one), or,
    given None, those of the manager the lifespan makes, as when the app is served.

    `overrides` replace dependencies of the app (FastAPI's `app.dependency_overrides`).
    """
    app = create_app(manager)
    app.dependency_overrides.update(overrides or {})
    transport = ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        AsyncClient(transport=transport, base_url="http://test") as client,
    ):
        yield client


async def example_body(
    db: DBSessionManager,
    add: Callable[[AsyncSession], Awaitable[Base]],
    schema: type[BaseModel],
) -> dict[str, Any]:
    """A valid request body: the values of a row the factory `add` makes, as JSON.

    The row itself is deleted again, so its unique values are free; the parent rows
    the factory made stay, so its foreign keys hold.
    """
    async with db.asessionmaker() as session:
        row = await add(session)
        body = schema.model_validate(row, from_attributes=True).model_dump(mode="json")
        await session.delete(row)
        await session.commit()
    return body


async def every_row(client: AsyncClient, path: str) -> list[dict[str, Any]]:
    """Every row the list route at `path` returns, page after page: with a large seed
    (tests/seed.py), a table holds more rows than one page."""
    rows: list[dict[str, Any]] = []
    while True:
        paging = {"limit": MAX_LIMIT, "offset": len(rows)}
        response = await client.get(path, params=paging)
        assert response.status_code == 200, response.text
        page: list[dict[str, Any]] = response.json()
        rows += page
        if len(page) < MAX_LIMIT:
            return rows


async def seed_count(db: DBSessionManager, table: str) -> int:
    """How many rows tests/seed.py put in `table`: every test starts with them."""
    async with db.asessionmaker() as session:
        return (await seeding.seed_counts(session)).get(table, 0)
