"""Keep the data of a failed test to look at: `pytest --db-keep-failed`.

Each test then runs in a clone of the template of its own and commits for real (a clone
costs tens of milliseconds, where the default isolation costs under one). A passing
test's clone is dropped; a failing test's is kept, named <db>_kept_<8 hex digits>, and
the psql command to open it is shown with the failure. `pytest --db-clear-kept` drops
them; nothing else does (the sweep of crashed sessions looks only at run databases), and
it drops only databases these fixtures made (databases.py: name form and marker).
"""

import asyncio
import secrets
from collections.abc import AsyncIterator, Generator
from contextlib import asynccontextmanager

import pytest
from sqlalchemy.engine import URL

from testdb import databases, server, templates
from testdb.project import DBSessionManager

COMMAND = pytest.StashKey[str]()


@asynccontextmanager
async def kept_if_failed(
    request: pytest.FixtureRequest, postgres_server: URL, template: str, project: str
) -> AsyncIterator[DBSessionManager]:
    """A DBSessionManager on a new clone of `template`, kept if the test fails."""
    name = f"{project}_kept_{secrets.token_hex(4)}"
    async with databases.admin_connection(postgres_server) as connection:
        if not await templates.clone(connection, template, name, kind="kept"):
            pytest.fail(f"template {template} was retired by another session; rerun")
    url = postgres_server.set(database=name)
    request.node.stash[COMMAND] = psql_command(url)
    failures = request.session.testsfailed
    app_url = server.app_url(url)  # through the pooler, if any
    manager = DBSessionManager(app_url)
    dsn = app_url.render_as_string(hide_password=False)
    try:
        with pytest.MonkeyPatch.context() as environment:
            environment.setenv("POSTGRES_DSN", dsn)
            yield manager
    finally:
        await manager.close()
        if request.session.testsfailed == failures:
            del request.node.stash[COMMAND]
            async with databases.admin_connection(postgres_server) as connection:
                await databases.drop_database(connection, name)


def psql_command(url: URL) -> str:
    """psql with a libpq URL (no driver name) on the same server and database."""
    libpq = url.set(drivername="postgresql").render_as_string(hide_password=False)
    return f"psql '{libpq}'"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item,
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Show how to open a failed test's kept database next to its failure."""
    report = yield
    command = item.stash.get(COMMAND, None)
    if command and report.failed:
        report.sections.append(("kept database", command))
    return report


def clear(project: str) -> str:
    """Drop every kept database of `project`; say which."""
    return asyncio.run(drop_kept(project))


async def drop_kept(project: str) -> str:
    async with (
        server.postgres_server() as url,
        databases.admin_connection(url) as connection,
    ):
        names = sorted(
            await databases.our_databases(connection, kind="kept", project=project)
        )
        for name in names:
            await databases.drop_database(connection, name)
    if not names:
        return "no kept databases"
    return "dropped kept databases: " + ", ".join(names)
