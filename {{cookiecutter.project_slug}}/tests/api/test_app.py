{%- set root = cookiecutter.models | parse_models | first -%}
"""The app as it is served: its lifespan makes a DBSessionManager from the settings."""

from sqlalchemy.engine import URL

from api.client import app_client


async def test_without_a_manager_the_app_makes_one_from_the_settings(
    create_test_db: URL,
) -> None:
    """POSTGRES_DSN names the test database while the tests run; nothing is written."""
    async with app_client(None) as client:
        response = await client.get("/{{ root.name }}")

    assert response.status_code == 200, response.text
    assert response.json() == []
