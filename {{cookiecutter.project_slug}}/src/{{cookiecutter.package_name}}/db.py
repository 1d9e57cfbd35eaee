"""Database access: one engine per process, and the sessions it hands out."""

from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from {{ cookiecutter.package_name }}.dsn import create_engine
from {{ cookiecutter.package_name }}.settings import Settings, load_settings


def postgres_dsn() -> str:
    """The database to use (POSTGRES_DSN, from the environment or `.env`); while the
    tests run it names the test database."""
    dsn = load_settings().postgres_dsn
    if not dsn:
        database = "{{ cookiecutter.database_name }}"
        example = f"postgresql://user:pw@localhost/{database}"
        raise RuntimeError(
            "POSTGRES_DSN is not set (in the environment or .env); "
            f"set it to a PostgreSQL URL, e.g. {example}"
        )
    return dsn


class DBSessionManager:
    """Owns the engine and its connection pool: one per process, closed at exit."""

    def __init__(
        self, postgres_dsn: str | URL, settings: Settings | None = None
    ) -> None:
        settings = settings or load_settings()
        self._engine: AsyncEngine = create_engine(
            postgres_dsn,
            pool_size=settings.db_pool_size,
            max_overflow=settings.db_max_overflow,
            echo=settings.db_echo,
            pooler=settings.db_pooler,
        )
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
