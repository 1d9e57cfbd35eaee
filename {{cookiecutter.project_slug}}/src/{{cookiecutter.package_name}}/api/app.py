"""The app factory: routes, error responses, and the database the requests use."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from {{ cookiecutter.package_name }}.api.errors import add_error_handlers
from {{ cookiecutter.package_name }}.api.routes import ROUTERS
from {{ cookiecutter.package_name }}.db import DBSessionManager, postgres_dsn


def create_app(manager: DBSessionManager | None = None) -> FastAPI:
    """The app. Without `manager`, its lifespan makes one from the settings
    (POSTGRES_DSN) at startup and closes it at shutdown; a manager passed in (the tests
    pass `db`, so requests run inside the test's isolation) is used and left open."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if manager is not None:
            app.state.db = manager
            yield
            return
        own = DBSessionManager(postgres_dsn())
        app.state.db = own
        try:
            yield
        finally:
            await own.close()

    app = FastAPI(title="{{ cookiecutter.project_name | string_escape }}", lifespan=lifespan)
    for router in ROUTERS:
        app.include_router(router)
    add_error_handlers(app)
    return app
