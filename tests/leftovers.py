"""What the rendered fixtures could leave behind: embedded servers and test databases."""

import json
import socket
from pathlib import Path
from typing import Any

import asyncpg
import platformdirs
import psutil

from tests import workers


def embedded_servers() -> set[int]:
    """Running embedded PostgreSQL servers of rendered projects (their data is cached under
    the user's cache directory, which is this worker's own under xdist)."""
    cache_root = str(platformdirs.user_cache_path("project").parent)
    return {
        process.pid
        for process in psutil.process_iter(["name", "cmdline"])
        if process.info["name"] == "postgres"
        and f"{cache_root}/" in " ".join(process.info["cmdline"] or ())
    }


def servers_on(directory: Path) -> set[int]:
    """Running PostgreSQL processes on the data directory `directory`, whoever's they are."""
    found = set()
    for process in psutil.process_iter(["name", "cmdline"]):
        if process.info["name"] == "postgres" and str(directory) in " ".join(
            process.info["cmdline"] or ()
        ):
            found.add(process.pid)
    return found


async def session_databases(dsn: str, prefix: str = f"{workers.DATABASE_NAME}_test") -> set[str]:
    """Databases on the server named like those the rendered fixtures make per session."""
    connection = await asyncpg.connect(dsn)
    try:
        rows = await connection.fetch(
            "SELECT datname FROM pg_database WHERE starts_with(datname, $1)", prefix
        )
        return {row["datname"] for row in rows}
    finally:
        await connection.close()


# The start of the comment the rendered fixtures put on every database they make.
MARKER = "made by the test fixtures: "


async def marked_databases(dsn: str) -> dict[str, str]:
    """Databases the rendered fixtures made, with the kind their comment records; run
    databases of sessions still running (another run on the same server) and databases
    of other xdist workers' projects are left out."""
    connection = await asyncpg.connect(dsn)
    try:
        rows = await connection.fetch(
            "SELECT datname, shobj_description(oid, 'pg_database') AS comment "
            "FROM pg_database WHERE starts_with(shobj_description(oid, 'pg_database'), $1)",
            MARKER,
        )
        records = {row["datname"]: json.loads(row["comment"].removeprefix(MARKER)) for row in rows}
        return {
            name: record.get("kind", "")
            for name, record in records.items()
            if (record.get("kind") == "template" or not is_running(record))
            and workers.made_here(str(record.get("project", "")))
        }
    finally:
        await connection.close()


async def drop_templates(dsn: str, names: set[str]) -> None:
    """Drop template databases a test's rendered projects built and kept for later."""
    connection = await asyncpg.connect(dsn)
    try:
        for name in names:
            quoted = '"' + name.replace('"', '""') + '"'
            await connection.execute(f"ALTER DATABASE {quoted} IS_TEMPLATE false")
            await connection.execute(f"DROP DATABASE {quoted} WITH (FORCE)")
    finally:
        await connection.close()


async def drop_project_databases(dsn: str, database_name: str) -> None:
    """Drop every database of a project whose `database_name` a test made up for
    itself (`<database_name>_...`): templates, run, kept and dev databases alike."""
    connection = await asyncpg.connect(dsn)
    try:
        rows = await connection.fetch(
            "SELECT datname FROM pg_database WHERE starts_with(datname, $1)",
            f"{database_name}_",
        )
    finally:
        await connection.close()
    await drop_templates(dsn, {row["datname"] for row in rows})


def is_running(record: dict[str, Any]) -> bool:
    """Whether the process a marker names still runs (on another host: assume so)."""
    if record.get("host") != socket.gethostname():
        return True
    try:
        return bool(psutil.Process(record["pid"]).create_time() == record["started"])
    except (psutil.NoSuchProcess, KeyError):
        return False
