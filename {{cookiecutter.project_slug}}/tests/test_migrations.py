"""The migrations and the models describe the same schema."""

from sqlalchemy.engine import URL

from testdb import migrations


async def test_models_match_the_migrated_schema(create_test_db: URL) -> None:
    """`alembic check`: a model changed without a migration fails here, naming it."""
    await migrations.check(create_test_db)
