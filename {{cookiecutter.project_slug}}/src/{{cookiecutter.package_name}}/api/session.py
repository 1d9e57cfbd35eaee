"""What the routes ask for: a session per request, and the list routes' paging."""

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Query, Request
from sqlalchemy.ext.asyncio import AsyncSession

from {{ cookiecutter.package_name }}.db import DBSessionManager


async def request_session(request: Request) -> AsyncIterator[AsyncSession]:
    """A session for one request, in one transaction: committed when the route returns,
    rolled back when it raises (a 404 or a 409 included)."""
    manager: DBSessionManager = request.app.state.db
    async with manager.asessionmaker() as session, session.begin():
        yield session


# The largest page a list route returns.
MAX_LIMIT = 1000

SessionDep = Annotated[AsyncSession, Depends(request_session)]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="at most this many rows")]
Offset = Annotated[int, Query(ge=0, description="skip this many rows first")]
