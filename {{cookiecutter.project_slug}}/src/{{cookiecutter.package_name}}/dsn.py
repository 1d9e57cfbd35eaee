{%- if cookiecutter.driver == "psycopg" -%}
"""Connection strings as people write them, checked before psycopg gets them.

Cloud providers and CI hand out libpq-style DSNs (`postgres://...?sslmode=require`).
psycopg hands every query parameter to libpq as it is (`sslmode`, `connect_timeout`,
`application_name`, `options=-c name=value`, `sslrootcert`, ...), so they are only
checked here: a name libpq does not know, or one given twice, stops with one line
rather than with a connection error in every test. A unix-socket directory may be
given percent-encoded as the host (`postgresql://me@%2Fvar%2Frun/db`) or as
`?host=/var/run`.
"""

from typing import Any, Literal
from urllib.parse import unquote

from psycopg.pq import Conninfo
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

DRIVERS = ("postgres", "postgresql", "postgresql+psycopg")
# Every connection parameter the installed libpq knows.
LIBPQ_PARAMETERS = tuple(option.keyword.decode() for option in Conninfo.get_defaults())
{%- else -%}
"""Connection strings as people write them, parsed by asyncpg itself.

Cloud providers and CI hand out libpq-style DSNs (`postgres://...?sslmode=require`).
asyncpg parses such a DSN itself: the host (a unix-socket directory too, given
percent-encoded as the host, `postgresql://me@%2Fvar%2Frun/db`, or as `?host=/var/run`),
the ssl files and modes, `target_session_attrs`, `passfile`, `service`, ... It sends
any other query parameter to the server as a setting at connection start, which is how
PostgreSQL takes `application_name` and `options=-c name=value` from libpq too. Only
`connect_timeout` needs translating (asyncpg's keyword is `timeout`); any other name
stops here with one line, rather than with a connection error in every test. The URL
keeps the libpq form, so it can be handed on (as POSTGRES_DSN) and parsed again by
whoever connects.
"""

from contextlib import suppress
from typing import Any, Literal
from uuid import uuid4

from sqlalchemy import event
from sqlalchemy.engine import URL, Connection, Dialect, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import ConnectionPoolEntry

DRIVERS = ("postgres", "postgresql", "postgresql+asyncpg")
SSLMODES = ("disable", "allow", "prefer", "require", "verify-ca", "verify-full")
# libpq's parameters that asyncpg's own DSN parser reads.
ASYNCPG_PARAMETERS = (
    *("host", "port", "dbname", "user", "password", "passfile", "service"),
    *("sslmode", "sslcert", "sslkey", "sslrootcert", "sslcrl", "sslpassword"),
    *("sslnegotiation", "ssl_min_protocol_version", "ssl_max_protocol_version"),
    *("target_session_attrs", "krbsrvname", "gsslib"),
)
# libpq's parameters that asyncpg hands to the server, which takes them as libpq's.
STARTUP_PARAMETERS = ("application_name", "options")
# libpq's parameter asyncpg takes as a keyword argument of another name (`timeout`).
TRANSLATED = ("connect_timeout",)
# SQLAlchemy's asyncpg dialect's own: its cache of prepared statements per connection.
DIALECT_PARAMETERS = ("prepared_statement_cache_size",)
{%- endif %}


class BadDSN(ValueError):
    """The DSN cannot be used; the message names the bad part and what is allowed."""


# How the app reaches PostgreSQL: directly ("none"), or through a pooler in transaction
# mode (PgBouncer, Supavisor, Neon's pooler), where each transaction may run on another
# server connection (README: "Connection poolers").
Pooler = Literal["none", "transaction"]


def async_url(dsn: str | URL) -> URL:
    """`dsn` with SQLAlchemy's {{ cookiecutter.driver }} driver; its query parameters are checked."""
    try:
        url = make_url(dsn)
    except Exception:
        raise BadDSN(
            f"{str(dsn)!r} is not a database URL; "
            "use postgresql://user:password@host:port/database"
        ) from None
    if url.drivername not in DRIVERS:
        raise BadDSN(
            f"{url.drivername}:// is not supported (only {{ cookiecutter.driver }} is installed); "
            f"use one of {', '.join(d + '://' for d in DRIVERS)}"
        )
    connect_args(url)
    return url.set(drivername="postgresql+{{ cookiecutter.driver }}")
{%- if cookiecutter.driver == "psycopg" %}


def create_engine(
    dsn: str | URL, *, pooler: Pooler = "none", **kwargs: Any
) -> AsyncEngine:
    """`create_async_engine` for a DSN as people write it, reached through `pooler`."""
    url = async_url(dsn)
    args = {**connect_args(url), **pooler_args(pooler)}
    args.update(kwargs.pop("connect_args", {}))
    return create_async_engine(url, connect_args=args, **kwargs)


def connect_args(url: URL) -> dict[str, Any]:
    """psycopg's keyword arguments beyond what SQLAlchemy takes from `url`.

    The query goes to libpq as it is; SQLAlchemy would hand on a percent-encoded host
    still encoded, so its socket directory is given here.
    """
    unknown = set(url.query) - set(LIBPQ_PARAMETERS)
    if unknown:
        raise BadDSN(
            f"unsupported DSN parameter {sorted(unknown)[0]}; use libpq's connection "
            "parameters, e.g. sslmode, connect_timeout, application_name, options"
        )
    for name in set(url.query) - {"host"}:  # several hosts are libpq's multi-host form
        single(url, name)
    return {"host": unquote(url.host)} if url.host and "%" in url.host else {}


def pooler_args(pooler: Pooler) -> dict[str, Any]:
    """Behind a transaction pooler, a statement psycopg prepared on one server
    connection is missing on the next: psycopg then prepares none."""
    return {"prepare_threshold": None} if pooler == "transaction" else {}


def single(url: URL, name: str) -> str:
    value = url.query[name]
    if isinstance(value, tuple):
        raise BadDSN(f"DSN parameter {name} is given {len(value)} times; give it once")
    return value
{%- else %}


def create_engine(
    dsn: str | URL, *, pooler: Pooler = "none", **kwargs: Any
) -> AsyncEngine:
    """`create_async_engine` for a DSN as people write it, reached through `pooler`.

    asyncpg gets the DSN itself. (SQLAlchemy's `async_creator` would hand it on too,
    but not the arguments of SQLAlchemy's asyncpg adapter that a pooler needs; the
    `do_connect` event replaces SQLAlchemy's reading of the URL with them all.)
    """
    url = async_url(dsn)
    arguments = {
        "dsn": libpq_dsn(url),
        **connect_args(url),
        **pooler_args(pooler),
        **kwargs.pop("connect_args", {}),
    }
    engine = create_async_engine(url, **kwargs)

    @event.listens_for(engine.sync_engine, "do_connect")
    def connect_with_the_dsn(
        dialect: Dialect,
        record: ConnectionPoolEntry,
        cargs: list[Any],
        cparams: dict[str, Any],
    ) -> None:
        cparams.clear()
        cparams.update(arguments)

    if pooler == "transaction":
        for end in ("commit", "rollback"):
            event.listen(engine.sync_engine, end, deallocate_statements)
    return engine


def connect_args(url: URL) -> dict[str, Any]:
    """Keyword arguments for what asyncpg does not read from the DSN itself."""
    known = ASYNCPG_PARAMETERS + STARTUP_PARAMETERS + TRANSLATED + DIALECT_PARAMETERS
    unknown = set(url.query) - set(known)
    if unknown:
        raise BadDSN(
            f"unsupported DSN parameter {sorted(unknown)[0]}; use {', '.join(known)}"
        )
    # Several hosts are libpq's multi-host form; of others asyncpg takes the last.
    query = {name: single(url, name) for name in set(url.query) - {"host"}}
    if query.get("sslmode", "prefer") not in SSLMODES:
        raise BadDSN(f"sslmode={query['sslmode']} is not one of {', '.join(SSLMODES)}")
    args: dict[str, Any] = {}
    if "connect_timeout" in query:
        args.update(timeout(query["connect_timeout"]))
    if "prepared_statement_cache_size" in query:
        args["prepared_statement_cache_size"] = whole_number(
            "prepared_statement_cache_size", query["prepared_statement_cache_size"]
        )
    return args


def pooler_args(pooler: Pooler) -> dict[str, Any]:
    """Behind a transaction pooler, a statement prepared on one server connection is
    missing on the next, and its name may be taken there. As SQLAlchemy's recipe for
    PgBouncer says: no statement caches (asyncpg's and SQLAlchemy's), and a name of its
    own for every statement prepared."""
    if pooler != "transaction":
        return {}
    return {
        "statement_cache_size": 0,
        "prepared_statement_cache_size": 0,
        "prepared_statement_name_func": unique_statement_name,
    }


def unique_statement_name() -> str:
    return f"__asyncpg_{uuid4()}__"


def deallocate_statements(connection: Connection) -> None:
    """Before COMMIT or ROLLBACK, on the server connection the transaction ran on:
    asyncpg closes a statement it no longer needs only when the client connection is
    next used, maybe on another server connection, which would leave the last
    statement of every transaction prepared behind the pooler. (A failed transaction
    refuses it, and is left to the pooler's reset.)"""
    if connection.in_transaction() and not connection.invalidated:
        with suppress(DBAPIError):
            connection.exec_driver_sql("DEALLOCATE ALL")


def libpq_dsn(url: URL) -> str:
    """`url` as asyncpg parses it: libpq's form, several hosts as one list."""
    hosts = url.query.get("host", ())
    libpq = url.difference_update_query(TRANSLATED + DIALECT_PARAMETERS)
    if isinstance(hosts, tuple):
        libpq = libpq.update_query_dict({"host": ",".join(hosts)})
    return libpq.set(drivername="postgresql").render_as_string(hide_password=False)


def single(url: URL, name: str) -> str:
    value = url.query[name]
    if isinstance(value, tuple):
        raise BadDSN(f"DSN parameter {name} is given {len(value)} times; give it once")
    return value


def timeout(value: str) -> dict[str, float]:
    """libpq waits forever for 0 (or less), and at least 2 seconds otherwise."""
    seconds = whole_number("connect_timeout", value, "seconds")
    return {"timeout": float(max(seconds, 2))} if seconds > 0 else {}


def whole_number(name: str, value: str, unit: str = "") -> int:
    try:
        return int(value)
    except ValueError:
        raise BadDSN(
            f"{name}={value} is not a whole number{' of ' + unit if unit else ''}"
        ) from None
{%- endif %}
