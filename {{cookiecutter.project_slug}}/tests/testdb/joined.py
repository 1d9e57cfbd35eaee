"""Keep code under test inside a rolled-back test's transaction, or stop it at once.

In rollback mode every session of a test shares one connection and its transaction
(isolation.py). These are the ways code could get past that, and what happens instead:

- `db.engine.connect()` / `db.engine.begin()` would open a connection of their own,
  outside the test's transaction: they raise EscapeError at once.
- Committing the test's connection (`(await session.connection()).commit()`, or a raw
  COMMIT, ROLLBACK or BEGIN statement) raises EscapeError; nothing is committed.
- Sessions used concurrently (`asyncio.gather`) share one connection, whose savepoints
  must end in the reverse order they began: a session that starts while a session of
  another asyncio task that is still running is open raises EscapeError, naming
  `@pytest.mark.db_commit`, where each session has a connection of its own. Sessions
  nested in one task are fine, and so is a session a fixture left open: its task has
  finished, so the test's sessions only nest in it.
- A session that ends (commit, rollback, close) while one that began after it is still
  open would end the later one's savepoint too, and the later one would fail with
  PostgreSQL's "savepoint ... does not exist": the earlier one raises EscapeError
  instead, saying so.
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
import re
import weakref
from contextlib import suppress
from dataclasses import dataclass
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
OUT_OF_ORDER = (
    "a session of this test {} while a session that began after it was still open: on "
    "the one connection of a rolled-back test, that ends the later session's savepoint "
    "too; end sessions in the reverse order they began (nest the later one inside the "
    "earlier, or close it first), or " + COMMIT_MARK + ", so that each session has a "
    "connection of its own"
)
DDL = frozenset({"CREATE", "ALTER", "DROP", "TRUNCATE", "COMMENT", "GRANT", "REVOKE"})
ENDS = frozenset({"COMMIT", "END", "ROLLBACK", "ABORT", "BEGIN", "START"})
SAVEPOINT_WORDS = frozenset({"SAVEPOINT", "RELEASE", "ROLLBACK"})
# PostgreSQL's savepoint statements: SAVEPOINT name, RELEASE [SAVEPOINT] name and
# ROLLBACK [WORK | TRANSACTION] TO [SAVEPOINT] name; a name may be quoted.
SAVEPOINT_STATEMENT = re.compile(
    r"""\s*(?:
        (?P<begin>SAVEPOINT)
        | (?P<release>RELEASE)(?:\s+SAVEPOINT)?
        | (?P<rollback>ROLLBACK)(?:\s+(?:WORK|TRANSACTION))?\s+TO(?:\s+SAVEPOINT)?
    )\s+(?P<name>"(?:[^"]|"")+"|[^\s;"]+)""",
    re.IGNORECASE | re.VERBOSE,
)
HARMLESS_ERRORS = (sa.exc.IntegrityError, sa.exc.DataError)


class EscapeError(Exception):
    """Code under test tried to work outside its test's transaction."""


@dataclass
class Savepoint:
    """A savepoint PostgreSQL holds on the test's connection, and the asyncio task that
    began it (pytest-asyncio runs each fixture's set-up and the test in tasks of their
    own)."""

    name: str
    task: asyncio.Task[Any] | None
    # False once rolled back to: PostgreSQL keeps it, but no session uses it again.
    in_use: bool = True


class Watch:
    """What one test did on its connection that matters once it ends.

    Its savepoints are followed in the SQL the connection sends, as PostgreSQL keeps
    them: a stack, where ending one ends those above it too.
    """

    def __init__(self) -> None:
        self.savepoints: list[Savepoint] = []
        self.replace_connection = False
        self.problem: EscapeError | None = None

    def fail(self, message: str) -> NoReturn:
        """Raise at once; the first problem fails the test even if the code hid it."""
        self.replace_connection = True
        error = EscapeError(message)
        self.problem = self.problem or error
        raise error

    def statement(self, connection: Connection, statement: str) -> None:
        """Look at the first word only, unless the statement is about savepoints."""
        words = statement[:24].upper().split()
        first = words[0] if words else ""
        if first in SAVEPOINT_WORDS and self.savepoint_statement(statement):
            return
        if first in DDL:
            self.replace_connection = True
{%- if cookiecutter.driver == "asyncpg" %}
            # SQLAlchemy does this for its own DDL constructs, not for text().
            invalidate = getattr(connection.dialect, "_invalidate_schema_cache", None)
            if invalidate is not None:
                invalidate()
{%- endif %}
        elif first in ENDS:
            self.fail(OWN_COMMIT.format(f"a raw {first} statement"))

    def savepoint_statement(self, statement: str) -> bool:
        """Follow a savepoint statement; False if `statement` is none."""
        match = SAVEPOINT_STATEMENT.match(statement)
        if match is None:
            return False
        name = identifier(match["name"])
        if match["begin"]:
            self.begin_savepoint(name)
        else:
            self.end_savepoint(name, rolled_back=bool(match["rollback"]))
        return True

    def begin_savepoint(self, name: str) -> None:
        """A savepoint may nest in one of its own task or of a task that has finished
        (a fixture's); in one of a task still running, two tasks' sessions overlap."""
        task = asyncio.current_task()
        holder = self.innermost_in_use()
        if holder is not None and holder.task is not task and running(holder.task):
            self.fail(CONCURRENT)
        self.savepoints.append(Savepoint(name, task))

    def end_savepoint(self, name: str, *, rolled_back: bool) -> None:
        """Release or roll back to `name`, as PostgreSQL does: the savepoints above it
        end too, and one rolled back to stays, out of use.

        Those above must be out of use: a session still using one would go on outside
        any savepoint, and fail when it ends ("savepoint ... does not exist").
        """
        position = self.position(name)
        if position is None:
            return  # not begun on this connection while the test ran
        ended = self.savepoints[position]
        above = [each for each in self.savepoints[position + 1 :] if each.in_use]
        owners = {asyncio.current_task(), ended.task}
        if any(each.task not in owners and running(each.task) for each in above):
            self.fail(CONCURRENT)
        if above:
            how = "rolled back or closed" if rolled_back else "committed"
            self.fail(OUT_OF_ORDER.format(how))
        if rolled_back:
            ended.in_use = False
            position += 1
        del self.savepoints[position:]

    def innermost_in_use(self) -> Savepoint | None:
        return next((each for each in reversed(self.savepoints) if each.in_use), None)

    def position(self, name: str) -> int | None:
        """Where the newest savepoint called `name` is: PostgreSQL ends that one."""
        for position in range(len(self.savepoints) - 1, -1, -1):
            if self.savepoints[position].name == name:
                return position
        return None


def identifier(token: str) -> str:
    """A name as PostgreSQL compares it: quoted as written, unquoted in lower case."""
    if token.startswith('"'):
        return token[1:-1].replace('""', '"')
    return token.lower()


def running(task: asyncio.Task[Any] | None) -> bool:
    return task is not None and not task.done()


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


def on_error(context: ExceptionContext) -> None:
    watched = watching(context.connection)
    if watched is not None and not isinstance(
        context.sqlalchemy_exception, HARMLESS_ERRORS
    ):
        watched.replace_connection = True
