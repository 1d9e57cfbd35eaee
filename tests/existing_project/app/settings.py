"""The app's settings: the database URL is built from its parts, as most apps do."""

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="DB_", env_file=".env")

    host: str = "localhost"
    port: int = 5432
    user: str = "shop"
    password: str = "shop"
    name: str = "shop"

    @property
    def url(self) -> str:
        return (
            f"postgresql+asyncpg://{self.user}:{self.password}"
            f"@{self.host}:{self.port}/{self.name}"
        )


settings = Settings()
