{%- set root = cookiecutter.models | parse_models | first -%}
"""The app as it is served: its lifespan makes a DBSessionManager from the settings."""

from {{ cookiecutter.package_name }}.db import DBSessionManager

from api.client import app_client, every_row, seed_count


async def test_without_a_manager_the_app_makes_one_from_the_settings(
    db: DBSessionManager,
) -> None:
    """POSTGRES_DSN names the test database while the tests run: the app reads the
    seed's rows (tests/seed.py) there, and nothing else; nothing is written."""
    async with app_client(None) as client:
        listed = await every_row(client, "/{{ root.name }}")

    assert len(listed) == await seed_count(db, "{{ root.name }}")
