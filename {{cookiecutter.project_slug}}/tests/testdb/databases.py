"""Create, clone and drop test databases; never touch one these functions did not make.

A database is ours only if both its name has the exact form of its kind (NAME_FORMS:
`<database_name>_template_<hash>`, `<database_name>_test_<run>`) and its COMMENT
carries the marker recorded when it was made: the project's database name, the kind
and, as JSON, the process that made it. A prefix is never enough: `shop` and
`shop_template` are two projects. A run database whose maker has died (a crashed or
killed run on this machine) is swept by the next session; one whose maker is alive,
here or on another machine, is left alone, and so is one this role may not drop.
"""

import json
import os
import re
import secrets
import socket
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import psutil
import sqlalchemy as sa
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.pool import NullPool

from testdb import roles
from testdb.project import create_engine

MARKER = "made by the test fixtures: "
# The exact name of each kind of database, after the project's database name; other
# kinds may be added.
NAME_FORMS = {
    "template": r"_template_[0-9a-f]{12}",
    "run": r"_test(_m)?_[0-9a-f]{8}(_gw[0-9]+)?",
    "kept": r"_kept_[0-9a-f]{8}",
    "dev": r"_dev",
}


def run_database_name(base: str) -> str:
    """`base_<run>`, plus `_gw0`, `_gw1`, ... per pytest-xdist worker.

    The run part is shared by the workers of one run and differs between runs, so two
    sessions against one server never pick the same name.
    """
    run = os.environ.get("PYTEST_XDIST_TESTRUNUID", "")[:8] or secrets.token_hex(4)
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    return f"{base}_{run}_{worker}" if worker else f"{base}_{run}"


def owner() -> dict[str, Any]:
    """This process, in a form that tells later whether it is still running."""
    pid = os.getpid()
    return {
        "host": socket.gethostname(),
        "pid": pid,
        "started": psutil.Process(pid).create_time(),
    }


def owner_is_gone(record: dict[str, Any]) -> bool:
    """True only when the owner ran on this machine and has exited."""
    if record.get("host") != socket.gethostname():
        return False
    try:
        return bool(psutil.Process(record["pid"]).create_time() != record["started"])
    except psutil.NoSuchProcess:
        return True


async def create_database(
    connection: AsyncConnection,
    name: str,
    *,
    kind: str,
    project: str,
    source: str | None = None,
    **facts: Any,
) -> None:
    """Create `name` (a copy of database `source`, if given) and mark it as ours."""
    if not is_named(name, kind=kind, project=project):
        raise ValueError(f"{name} is not a {kind} database name of {project}")
    template = f" TEMPLATE {quote(connection, source)}" if source else ""
    await connection.execute(
        sa.text(f"CREATE DATABASE {quote(connection, name)}{template}")
    )
    await mark(connection, name, kind=kind, project=project, **facts)
    # Test data need not survive a crash: commits need not wait for the disk.
    await connection.execute(
        sa.text(
            f"ALTER DATABASE {quote(connection, name)} SET synchronous_commit = off"
        )
    )


def is_named(name: str, *, kind: str, project: str) -> bool:
    return re.fullmatch(re.escape(project) + NAME_FORMS[kind], name) is not None


async def mark(connection: AsyncConnection, name: str, **facts: Any) -> None:
    """Record `facts` and this process in the database's comment (owner only)."""
    comment = MARKER + json.dumps({**owner(), **facts})
    literal = "'" + comment.replace("'", "''") + "'"
    await connection.execute(
        sa.text(f"COMMENT ON DATABASE {quote(connection, name)} IS {literal}")
    )


async def our_databases(
    connection: AsyncConnection, *, kind: str, project: str
) -> dict[str, dict[str, Any]]:
    """Our databases of `kind`, with what their markers record."""
    rows = await connection.execute(
        sa.text(
            "SELECT datname, shobj_description(oid, 'pg_database') FROM pg_database "
            "WHERE starts_with(shobj_description(oid, 'pg_database'), :marker)"
        ),
        {"marker": MARKER},
    )
    ours = {}
    for name, comment in rows:
        try:
            record = json.loads(comment.removeprefix(MARKER))
        except ValueError:
            continue
        if (
            isinstance(record, dict)
            and record.get("kind") == kind
            and record.get("project") == project
            and is_named(name, kind=kind, project=project)
        ):
            ours[name] = record
    return ours


async def sweep(
    connection: AsyncConnection, project: str, say: Callable[[str], None] = print
) -> list[str]:
    """Drop our run databases whose makers have died; return their names.

    Those this role may not drop (another role's) are skipped, and `say` is told so
    once.
    """
    records = await our_databases(connection, kind="run", project=project)
    dead = [name for name, record in records.items() if owner_is_gone(record)]
    dropped, denied = [], []
    for name in dead:
        try:
            await drop_database(connection, name)
            dropped.append(name)
        except DBAPIError as error:
            if not roles.is_denied(error):
                raise
            denied.append(name)
    if denied:
        role = await roles.current_role(connection)
        say(
            f"left {len(denied)} databases of dead test sessions that role {role} "
            f"may not drop: {', '.join(denied)}; their owner can drop them"
        )
    return dropped


async def drop_database(connection: AsyncConnection, name: str) -> None:
    """Drop `name`, ending any connections still open to it.

    A database marked IS_TEMPLATE cannot be dropped until the mark is taken off.
    """
    is_template = await connection.scalar(
        sa.text("SELECT datistemplate FROM pg_database WHERE datname = :name"),
        {"name": name},
    )
    if is_template:
        await connection.execute(
            sa.text(f"ALTER DATABASE {quote(connection, name)} IS_TEMPLATE false")
        )
    await connection.execute(
        sa.text(f"DROP DATABASE IF EXISTS {quote(connection, name)} WITH (FORCE)")
    )


def quote(connection: AsyncConnection, name: str) -> str:
    return connection.dialect.identifier_preparer.quote_identifier(name)


@asynccontextmanager
async def admin_connection(server: URL) -> AsyncIterator[AsyncConnection]:
    """An autocommit connection: CREATE/DROP DATABASE refuse to run in a transaction."""
    engine = create_engine(server, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        async with engine.connect() as connection:
            yield connection
    finally:
        await engine.dispose()


@asynccontextmanager
async def locked(
    connection: AsyncConnection, name: str, *, shared: bool = False
) -> AsyncIterator[None]:
    """An advisory lock named `name`, server-wide: held by one test process at a time,
    or, if `shared`, by any number of processes that do not hold it exclusively."""
    key = sa.func.hashtextextended(name, 0)
    lock = sa.func.pg_advisory_lock_shared if shared else sa.func.pg_advisory_lock
    unlock = sa.func.pg_advisory_unlock_shared if shared else sa.func.pg_advisory_unlock
    await connection.execute(sa.select(lock(key)))
    try:
        yield
    finally:
        await connection.execute(sa.select(unlock(key)))
