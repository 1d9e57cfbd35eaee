"""A template database per schema: migrate once, then clone it for each test session.

The template's name carries a hash of what shapes it (env.py, the migration files and
the seed's file): a changed migration or seed gets a new template without any flag, and
an unchanged one means no migration runs at all. Templates of several schemas live side
by side (two branches, two worktrees, two CI jobs on one server), so switching back to a
branch whose template still exists runs no migration either. A template is retired when
it has not been used for RETAIN_DAYS days, or when it is not among the RETAIN_COUNT most
recently used; never while it is being cloned. A template is marked ready only once its
migrations succeeded; one left unready by a crash is rebuilt.

Building and retiring take an advisory lock that cloning shares: of several processes
only the first builds, the others then clone side by side, and no template is dropped
while it is being cloned. A template retired between the two is simply built again.
"""

import hashlib
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection

from testdb import databases, roles

logger = logging.getLogger(__name__)
Migrate = Callable[[URL], Awaitable[None]]
RETAIN_DAYS = 7
RETAIN_COUNT = 5


def schema_hash(migrations: Path, others: Sequence[Path] = ()) -> str:
    """12 hex digits over env.py and every migration file, names and contents, and the
    contents of `others`."""
    digest = hashlib.sha256()
    for path in sorted([migrations / "env.py", *migrations.glob("versions/*.py")]):
        digest.update(path.relative_to(migrations).as_posix().encode())
        digest.update(path.read_bytes())
    for path in others:
        digest.update(b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]


def lock_name(project: str) -> str:
    return f"{project}_template_"


async def ensure_template(
    server: URL,
    connection: AsyncConnection,
    *,
    project: str,
    migrations: Path,
    migrate: Migrate,
    hashed: Sequence[Path] = (),
    rebuild: bool = False,
) -> str:
    """The name of the ready template for `migrations` and the files `hashed` (what
    else `migrate` reads: the seed), built now if there is none.

    Unfinished builds and templates past the retention policy are dropped.
    """
    schema = schema_hash(migrations, hashed)
    template = f"{project}_template_{schema}"
    async with databases.locked(connection, lock_name(project)):
        found = await databases.our_databases(
            connection, kind="template", project=project
        )
        record = found.get(template)
        if record is None or rebuild or not record.get("ready"):
            if record is not None:
                await drop_template(connection, template)
            await build(server, connection, template, project, schema, migrate)
        else:
            await touch(connection, template, record)
        await retire(connection, {n: r for n, r in found.items() if n != template})
    return template


async def clone(
    connection: AsyncConnection, template: str, name: str, *, kind: str = "run"
) -> bool:
    """Create database `name` (of `kind`) as a copy of `template`; False if it is
    gone."""
    project = template.rsplit("_template_", 1)[0]
    async with databases.locked(connection, lock_name(project), shared=True):
        found = await databases.our_databases(
            connection, kind="template", project=project
        )
        if not found.get(template, {}).get("ready"):
            return False
        await databases.create_database(
            connection, name, kind=kind, project=project, source=template
        )
    return True


async def build(
    server: URL,
    connection: AsyncConnection,
    template: str,
    project: str,
    schema: str,
    migrate: Migrate,
) -> None:
    logger.info("building template database %s: running migrations", template)
    facts: dict[str, Any] = {"kind": "template", "project": project, "schema": schema}
    await databases.create_database(connection, template, **facts, ready=False)
    await migrate(server.set(database=template))
    async with databases.admin_connection(server.set(database=template)) as inside:
        await roles.hand_to_database_owner(inside)
    await connection.execute(
        sa.text(
            f"ALTER DATABASE {databases.quote(connection, template)} IS_TEMPLATE true"
        )
    )
    await databases.mark(connection, template, **facts, ready=True, used=time.time())


async def touch(
    connection: AsyncConnection, template: str, record: dict[str, Any]
) -> None:
    """Record that the template was used now; only its owner may, others skip it."""
    if time.time() - record.get("used", 0) < 60:
        return
    try:
        await databases.mark(connection, template, **{**record, "used": time.time()})
    except DBAPIError as error:
        if not roles.is_denied(error):
            raise


async def retire(
    connection: AsyncConnection, others: dict[str, dict[str, Any]]
) -> None:
    """Drop unready leftovers, and templates past the retention policy.

    The caller holds the lock exclusively, so none of them is being cloned or built.
    """
    recent = sorted(others, key=lambda name: others[name].get("used", 0))[::-1]
    keep = RETAIN_COUNT - 1  # the one in use counts
    stale = time.time() - RETAIN_DAYS * 86400
    for position, name in enumerate(recent):
        record = others[name]
        if record.get("ready") and position < keep and record.get("used", 0) > stale:
            continue
        try:
            await databases.drop_database(connection, name)
            logger.info("retired template database %s", name)
        except DBAPIError as error:
            if not roles.is_denied(error):
                raise


async def drop_template(connection: AsyncConnection, template: str) -> None:
    """Drop `template` to rebuild it; a line says what to grant if this role may not."""
    try:
        await databases.drop_database(connection, template)
    except DBAPIError as error:
        if not roles.is_denied(error):
            raise
        role = await roles.current_role(connection)
        owner = await roles.database_owner(connection, template)
        raise roles.NotAllowed(
            f"role {role} may not rebuild template database {template}, which role "
            f"{owner} owns; as a superuser run: GRANT {owner} TO {role} "
            f"(or drop it as {owner}, and {role} builds it anew)"
        ) from None
