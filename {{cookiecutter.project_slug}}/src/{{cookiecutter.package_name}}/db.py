"""Database access: one engine per process, and the sessions it hands out."""

import os

from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from {{ cookiecutter.package_name }}.dsn import create_engine


def postgres_dsn() -> str:
    """The database to use; while the tests run it names the test database."""
    try:
        return os.environ["POSTGRES_DSN"]
    except KeyError:
        raise RuntimeError(
            "POSTGRES_DSN is not set; set it to a PostgreSQL URL, e.g. "
            "postgresql://user:pw@localhost/{{ cookiecutter.database_name }}"
        ) from None


class DBSessionManager:
    """Owns the engine and its connection pool: one per process, closed at exit."""

    def __init__(self, postgres_dsn: str | URL) -> None:
        self._engine: AsyncEngine = create_engine(postgres_dsn)
        self._async_sessionmaker = async_sessionmaker(
            bind=self._engine, expire_on_commit=False
        )

    @property
    def engine(self) -> AsyncEngine:
        return self._engine

    @property
    def asessionmaker(self) -> async_sessionmaker[AsyncSession]:
        return self._async_sessionmaker

    async def close(self) -> None:
        await self._engine.dispose()
