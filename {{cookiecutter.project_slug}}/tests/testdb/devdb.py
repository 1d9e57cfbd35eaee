"""`dev-db`: a database to develop against, at head, with no server to install.

It lives on the server the tests use (the embedded PostgreSQL, or POSTGRES_DSN's server
when that is set), is cloned from the tests' template at head (so it has the seed's
rows, tests/seed.py), and stays there between
sessions until `dev-db drop`. Its name, the database name with `_dev` appended, is not
one the test fixtures make or sweep, and its marker says kind "dev", so the tests never
touch it; `dev-db drop` drops only a database that carries that marker.

    dev-db create               make it (if missing) and print its URL
    dev-db run -- COMMAND ...   run COMMAND with POSTGRES_DSN naming it, e.g.
                                dev-db run -- alembic revision --autogenerate -m "..."
    dev-db drop                 drop it
"""

import argparse
import asyncio
import os
import signal
import sys
from contextlib import suppress

import sqlalchemy as sa
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncConnection

from testdb import databases, migrations, project, roles, seeding, server, templates

NAME = f"{project.NAME}_dev"
KIND = "dev"
EMBEDDED_NOTE = (
    "the embedded PostgreSQL runs only while dev-db does: "
    "use `dev-db run -- COMMAND` to reach this database"
)


class DevDbError(Exception):
    """Ends the command with this one line and exit status 1."""


def parser() -> argparse.ArgumentParser:
    parse = argparse.ArgumentParser(
        prog="dev-db",
        description=f"A development database, {NAME}, at the newest migration.",
    )
    commands = parse.add_subparsers(dest="action", required=True)
    commands.add_parser("create", help="make it if missing and print its URL")
    run = commands.add_parser("run", help="run a command with POSTGRES_DSN naming it")
    run.add_argument("command", nargs=argparse.REMAINDER, help="-- COMMAND ...")
    commands.add_parser("drop", help="drop it")
    return parse


def main(argv: list[str]) -> int:
    arguments = parser().parse_args(argv)
    command: list[str] = list(getattr(arguments, "command", []))
    if command[:1] == ["--"]:
        command = command[1:]
    if arguments.action == "run" and not command:
        parser().error("run needs a command: dev-db run -- alembic upgrade head")
    try:
        return asyncio.run(act(arguments.action, command))
    except (
        DevDbError,
        server.ServerUnavailable,
        roles.NotAllowed,
        seeding.SeedError,
    ) as error:
        print(f"dev-db: {error}", file=sys.stderr)
        return 1


async def act(action: str, command: list[str]) -> int:
    """Do `action` on the server; it stays up (if embedded) until this returns."""
    async with server.postgres_server() as url:
        async with databases.admin_connection(url) as connection:
            if action == "drop":
                return await drop(connection)
            await ensure(url, connection)
        dev_url = url.set(database=NAME)
        if action == "create":
            plain = dev_url.set(drivername="postgresql")  # as people write it
            print(plain.render_as_string(hide_password=False))
            if not server.given_server():
                print(f"dev-db: {EMBEDDED_NOTE}", file=sys.stderr)
            return 0
        return await run(command, dev_url)


async def ensure(url: URL, connection: AsyncConnection) -> None:
    """Make the development database from the template at head, unless it exists.

    Kept between sessions: the test fixtures sweep only run databases, never kind "dev".
    """
    if await is_ours(connection):
        return
    if await exists(connection):
        raise DevDbError(
            f"database {NAME} exists but dev-db did not make it; "
            "drop or rename it to use dev-db"
        )
    template = await migrations.ensure_template(url, connection)
    while not await templates.clone(connection, template, NAME, kind=KIND):
        # Retired meanwhile by another session: build it again.
        template = await migrations.ensure_template(url, connection)
    async with databases.admin_connection(url.set(database=NAME)) as inside:
        await seeding.forget(inside)  # its rows stay; no test cleans this database
    print(f"dev-db: created {NAME} at the newest migration", file=sys.stderr)


async def is_ours(connection: AsyncConnection) -> bool:
    ours = await databases.our_databases(connection, kind=KIND, project=project.NAME)
    return NAME in ours


async def exists(connection: AsyncConnection) -> bool:
    query = sa.text("SELECT 1 FROM pg_database WHERE datname = :name")
    return bool(await connection.scalar(query, {"name": NAME}))


async def drop(connection: AsyncConnection) -> int:
    if not await is_ours(connection):
        if await exists(connection):
            raise DevDbError(f"database {NAME} was not made by dev-db; not dropping it")
        print(f"dev-db: {NAME} does not exist; nothing to drop", file=sys.stderr)
        return 0
    await databases.drop_database(connection, NAME)
    print(f"dev-db: dropped {NAME}", file=sys.stderr)
    return 0


async def run(command: list[str], url: URL) -> int:
    """Run `command` with POSTGRES_DSN naming the development database; its status.

    A SIGTERM (`kill` of `dev-db run -- uvicorn ... &`) is passed on to the command,
    and dev-db ends when it does, stopping the embedded server.
    """
    environment = {**os.environ, "POSTGRES_DSN": url.render_as_string(False)}
    try:
        process = await asyncio.create_subprocess_exec(*command, env=environment)
    except OSError as error:
        raise DevDbError(f"cannot run {command[0]!r}: {error.strerror}") from None
    loop = asyncio.get_running_loop()
    with suppress(NotImplementedError):  # Windows has no loop signal handlers
        loop.add_signal_handler(signal.SIGTERM, process.send_signal, signal.SIGTERM)
    try:
        return await process.wait()
    finally:
        with suppress(NotImplementedError):
            loop.remove_signal_handler(signal.SIGTERM)
