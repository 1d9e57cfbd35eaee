{%- set tables = cookiecutter.models | parse_models(cookiecutter.framework) -%}
{%- set root = tables | first -%}
"""The two ways the app can get its session in a test, and what each means.

`client`: each request gets a session of its own from `db`, as when the app is served.
The test's sessions are others, and with `expire_on_commit=False` an object a test
session holds keeps the values it had, whatever a request changed since, until the test
reads it again: `session.get(..., populate_existing=True)`, a query with
`.execution_options(populate_existing=True)`, or `await session.refresh(row)`.

`shared_client`: every request uses the test's own `session`, so the app's objects are
the test's, and a request's commit or rollback is the test's session's too.
"""

import uuid

from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from {{ cookiecutter.package_name }}.db import DBSessionManager
from {{ cookiecutter.package_name }}.models import {{ root.class_name }}

from factories import {{ root.factory_name }}


async def test_a_session_per_request_leaves_the_tests_object_as_it_was(
    client: AsyncClient,
    db: DBSessionManager,
) -> None:
    """The test's session answers from what it holds until told to read again."""
    async with db.asessionmaker() as session:
        row = await {{ root.factory_name }}(session)
        await session.commit()

        deleted = await client.delete(f"/{{ root.name }}/{row.id}")
        assert deleted.status_code == 204, deleted.text

        assert await session.get({{ root.class_name }}, row.id) is row
        read_again = await session.get(
            {{ root.class_name }},
            row.id,
            populate_existing=True,
        )
        assert read_again is None


async def test_a_shared_session_shows_what_a_request_changed_at_once(
    shared_client: AsyncClient,
    session: AsyncSession,
) -> None:
    row = await {{ root.factory_name }}(session)
    await session.commit()

    deleted = await shared_client.delete(f"/{{ root.name }}/{row.id}")
    assert deleted.status_code == 204, deleted.text

    assert await session.get({{ root.class_name }}, row.id) is None


async def test_a_failing_request_rolls_back_the_shared_session(
    shared_client: AsyncClient,
    session: AsyncSession,
) -> None:
    """What the test added and had not committed goes with the request's rollback."""
    row = await {{ root.factory_name }}(session)

    path = f"/{{ root.name }}/{uuid.uuid4()}"
    missing = await shared_client.get(path)
    assert missing.status_code == 404, missing.text

    assert await session.get({{ root.class_name }}, row.id) is None
