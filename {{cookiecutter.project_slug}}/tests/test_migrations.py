"""Migration health, checked the way pytest-alembic does, for every migration in
src/{{ cookiecutter.package_name }}/migrations/versions/, yours included.

One head; base to head and back, one step at a time (the stairway); the models match
the migrated schema; and a downgrade to base leaves nothing behind.
"""

import sqlalchemy as sa
from alembic.script import ScriptDirectory
from sqlalchemy.engine import URL

from testdb import databases, migrations


async def schema_objects(url: URL) -> set[str]:
    """Tables, views, sequences, indexes and types in the public schema."""
    query = sa.text(
        "SELECT relname FROM pg_class JOIN pg_namespace n ON n.oid = relnamespace "
        "WHERE nspname = 'public' UNION ALL "
        "SELECT typname FROM pg_type JOIN pg_namespace n ON n.oid = typnamespace "
        "WHERE nspname = 'public' AND typtype IN ('e', 'd', 'r')"
    )
    async with databases.admin_connection(url) as connection:
        return set((await connection.execute(query)).scalars())


def test_single_head() -> None:
    """Two heads mean two migrations that both think they are the newest: merge them."""
    heads = ScriptDirectory.from_config(migrations.alembic_config()).get_heads()
    assert len(heads) == 1, f"migrations have {len(heads)} heads: {heads}"


async def test_stairway_up_down_up(empty_db: URL) -> None:
    """Each migration upgrades, downgrades and upgrades again: a downgrade that forgets
    something makes the second upgrade fail."""
    for revision in migrations.revisions():
        await migrations.upgrade(empty_db, revision.revision)
        await migrations.downgrade(empty_db, "-1")
        await migrations.upgrade(empty_db, revision.revision)


async def test_downgrade_to_base_leaves_no_trace(empty_db: URL) -> None:
    await migrations.upgrade(empty_db, "head")
    await migrations.downgrade(empty_db, "base")

    left = await schema_objects(empty_db)
    assert left <= {"alembic_version", "alembic_version_pkc"}, f"left behind: {left}"


async def test_models_match_the_migrated_schema(create_test_db: URL) -> None:
    """`alembic check`: a model changed without a migration fails here, naming it."""
    await migrations.check(create_test_db)
