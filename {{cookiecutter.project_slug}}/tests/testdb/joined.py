"""Keep code under test inside a rolled-back test's transaction, or stop it at once.

In rollback mode every session of a test shares one connection and its transaction
(isolation.py). These are the ways code could get past that, and what happens instead:

- `db.engine.connect()` / `db.engine.begin()` would open a connection of their own,
  outside the test's transaction: they raise EscapeError at once.
- Committing the test's connection (`(await session.connection()).commit()`, or a raw
  COMMIT, ROLLBACK or BEGIN statement) raises EscapeError; nothing is committed.
- Sessions used concurrently (`asyncio.gather`) share one connection, whose savepoints
  must end in the reverse order they began: a session that starts while one of another
  asyncio task is open raises EscapeError, naming `@pytest.mark.db_commit`, where each
  session has a connection of its own. (Sessions nested in one task are fine.)
{%- if cookiecutter.driver == "psycopg" %}
- DDL gets the connection replaced after the test, as after an error that can leave the
  driver confused. psycopg prepares a statement on its fifth run and forgets what it
  prepared when it sees ALTER, DROP or ROLLBACK, so a rolled-back schema change leaves
  it no stale plan.
{%- else %}
- DDL makes asyncpg prepare statements afresh, and the connection is replaced after the
  test, as after an error that can leave the driver confused: a rolled-back ALTER
  leaves cached statement plans invalid ("cached statement plan is invalid").
{%- endif %}
"""

import asyncio
import weakref
from contextlib import suppress
from typing import Any, NoReturn

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.engine.interfaces import ExceptionContext
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

WATCH = "testdb.joined.watch"
listened: "weakref.WeakSet[Engine]" = weakref.WeakSet()
COMMIT_MARK = (
    "mark the test @pytest.mark.db_commit: it then commits for real and its tables "
    "are emptied afterwards"
)
ENGINE_ACCESS = (
    "db.engine.{}() would open a connection outside this test's transaction, whose "
    "work would outlive the test; use db.asessionmaker() (its sessions join the test's "
    "transaction), or " + COMMIT_MARK
)
OWN_COMMIT = (
    "this test's transaction was ended through its connection ({}); commit the session "
    "instead (session.commit() only releases a savepoint), or " + COMMIT_MARK
)
CONCURRENT = (
    "sessions of this test were used concurrently (e.g. asyncio.gather): in a "
    "rolled-back test they share one connection, whose savepoints cannot end out of "
    "order; " + COMMIT_MARK + ", so that each session has a connection of its own"
)
DDL = frozenset({"CREATE", "ALTER", "DROP", "TRUNCATE", "COMMENT", "GRANT", "REVOKE"})
ENDS = frozenset({"COMMIT", "END", "ROLLBACK", "ABORT", "BEGIN", "START"})
HARMLESS_ERRORS = (sa.exc.IntegrityError, sa.exc.DataError)


class EscapeError(Exception):
    """Code under test tried to work outside its test's transaction."""


class Watch:
    """What one test did on its connection that matters once it ends."""

    def __init__(self) -> None:
        self.savepoints: list[tuple[str, asyncio.Task[Any] | None]] = []
        self.replace_connection = False
        self.problem: EscapeError | None = None

    def fail(self, message: str) -> NoReturn:
        """Raise at once; the first problem fails the test even if the code hid it."""
        self.replace_connection = True
        error = EscapeError(message)
        self.problem = self.problem or error
        raise error

    def statement(self, connection: Connection, statement: str) -> None:
        words = statement[:24].upper().split()
        first = words[0] if words else ""
        if first in DDL:
            self.replace_connection = True
{%- if cookiecutter.driver == "asyncpg" %}
            # SQLAlchemy does this for its own DDL constructs, not for text().
            invalidate = getattr(connection.dialect, "_invalidate_schema_cache", None)
            if invalidate is not None:
                invalidate()
{%- endif %}
        elif first in ENDS and words[1:2] != ["TO"]:  # not ROLLBACK TO SAVEPOINT
            self.fail(OWN_COMMIT.format(f"a raw {first} statement"))

    def begin_savepoint(self, name: str) -> None:
        task = asyncio.current_task()
        if self.savepoints and self.savepoints[-1][1] is not task:
            self.fail(CONCURRENT)
        self.savepoints.append((name, task))

    def end_savepoint(self, name: str) -> None:
        names = [begun for begun, _ in self.savepoints]
        if name not in names:
            return
        if names[-1] != name:
            self.fail(CONCURRENT)
        del self.savepoints[names.index(name) :]


class JoinedEngine(AsyncEngine):
    """`db.engine` in a rolled-back test: the shared engine, minus connections.

    It is not registered as the engine's proxy, so the shared engine stays what its
    connections report as their `.engine`.
    """

    def __init__(self, engine: AsyncEngine) -> None:
        self.sync_engine = engine.sync_engine

    def connect(self) -> NoReturn:
        raise EscapeError(ENGINE_ACCESS.format("connect"))

    def begin(self) -> NoReturn:
        raise EscapeError(ENGINE_ACCESS.format("begin"))


def watch(connection: AsyncConnection) -> Watch:
    """Watch what the code under test does on `connection` until `unwatch`."""
    listen(connection.sync_engine)
    watched = Watch()
    connection.sync_connection.info[WATCH] = watched  # type: ignore[union-attr]
    return watched


def unwatch(connection: AsyncConnection) -> None:
    """Stop watching; the connection may already be invalid, and then has no info."""
    with suppress(sa.exc.SQLAlchemyError):
        connection.sync_connection.info.pop(WATCH, None)  # type: ignore[union-attr]


def listen(engine: Engine) -> None:
    """Install the listeners once per engine; they cost a dict lookup per statement
    on connections no test watches."""
    if engine in listened:
        return
    listened.add(engine)
    event.listen(engine, "before_cursor_execute", before_cursor_execute)
    event.listen(engine, "commit", on_commit)
    event.listen(engine, "savepoint", on_savepoint)
    event.listen(engine, "release_savepoint", on_end_savepoint)
    event.listen(engine, "rollback_savepoint", on_end_savepoint)
    event.listen(engine, "handle_error", on_error)


def watching(connection: Connection | None) -> Watch | None:
    if connection is None or connection.invalidated:
        return None
    found: Watch | None = connection.info.get(WATCH)
    return found


def before_cursor_execute(connection: Connection, *args: Any) -> None:
    watched = watching(connection)
    if watched is not None:
        watched.statement(connection, args[1])


def on_commit(connection: Connection) -> None:
    watched = watching(connection)
    if watched is not None:
        watched.fail(OWN_COMMIT.format("its commit()"))


def on_savepoint(connection: Connection, name: str) -> None:
    watched = watching(connection)
    if watched is not None:
        watched.begin_savepoint(name)


def on_end_savepoint(connection: Connection, name: str, context: object) -> None:
    watched = watching(connection)
    if watched is not None:
        watched.end_savepoint(name)


def on_error(context: ExceptionContext) -> None:
    watched = watching(context.connection)
    if watched is not None and not isinstance(
        context.sqlalchemy_exception, HARMLESS_ERRORS
    ):
        watched.replace_connection = True
