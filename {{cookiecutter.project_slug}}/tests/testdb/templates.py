"""A template database per schema: migrate once, then clone it for each test session.

The template's name carries a hash of what shapes the schema (env.py and the migration
files): a changed migration gets a new template without any flag, and an unchanged one
means no migration runs at all. A template is marked ready only once its migrations
succeeded; one left unready by a crash is rebuilt. Building takes an advisory lock that
cloning shares: of several processes only the first builds, the others then clone side
by side, and no template is dropped while it is being cloned.
"""

import hashlib
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncConnection

from testdb import databases

logger = logging.getLogger(__name__)
Migrate = Callable[[URL], Awaitable[None]]


def schema_hash(migrations: Path) -> str:
    """12 hex digits over env.py and every migration file, names and contents."""
    digest = hashlib.sha256()
    for path in sorted([migrations / "env.py", *migrations.glob("versions/*.py")]):
        digest.update(path.relative_to(migrations).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


async def ensure_template(
    server: URL,
    connection: AsyncConnection,
    *,
    prefix: str,
    migrations: Path,
    migrate: Migrate,
    rebuild: bool = False,
) -> str:
    """The name of the ready template for `migrations`, built now if there is none.

    Other templates under `prefix` (older schemas, unfinished builds) are dropped.
    """
    schema = schema_hash(migrations)
    template = prefix + schema
    async with databases.locked(connection, prefix):
        templates = await databases.our_databases(connection, prefix)
        for name, record in list(templates.items()):
            if name != template or rebuild or not record.get("ready"):
                await databases.drop_database(connection, name)
                del templates[name]
        if template not in templates:
            await build(server, connection, template, schema, migrate)
    return template


async def clone(connection: AsyncConnection, template: str, name: str) -> None:
    """Create database `name` as a copy of `template`, which must be ready."""
    prefix = template.rsplit("_", 1)[0] + "_"
    async with databases.locked(connection, prefix, shared=True):
        if template not in await databases.our_databases(connection, template):
            raise RuntimeError(
                f"template database {template} was dropped by a test session with "
                "other migrations while this one started; run the tests again"
            )
        await databases.create_database(connection, name, source=template)


async def build(
    server: URL,
    connection: AsyncConnection,
    template: str,
    schema: str,
    migrate: Migrate,
) -> None:
    logger.info("building template database %s: running migrations", template)
    facts: dict[str, Any] = {"is_template": True, "schema": schema}
    await databases.create_database(connection, template, **facts, ready=False)
    await migrate(server.set(database=template))
    await databases.mark(connection, template, **facts, ready=True)
