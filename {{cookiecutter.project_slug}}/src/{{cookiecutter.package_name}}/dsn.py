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

from typing import Any
from urllib.parse import unquote

from psycopg.pq import Conninfo
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

DRIVERS = ("postgres", "postgresql", "postgresql+psycopg")
# Every connection parameter the installed libpq knows.
LIBPQ_PARAMETERS = tuple(option.keyword.decode() for option in Conninfo.get_defaults())
{%- else -%}
"""Connection strings as people write them, turned into what asyncpg takes.

Cloud providers and CI hand out libpq-style DSNs (`postgres://...?sslmode=require`).
asyncpg takes none of libpq's query parameters as keyword arguments, so they are
translated here: `sslmode` to `ssl`, `connect_timeout` to `timeout`, and
`application_name` and `options=-c name=value` to server settings. A unix-socket
directory may be given percent-encoded as the host (`postgresql://me@%2Fvar%2Frun/db`)
or as `?host=/var/run`. The URL itself keeps the libpq form, so it can be handed on
(as POSTGRES_DSN) and translated again by whoever connects.
"""

import re
from typing import Any
from urllib.parse import unquote

from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

DRIVERS = ("postgres", "postgresql", "postgresql+asyncpg")
SSLMODES = ("disable", "allow", "prefer", "require", "verify-ca", "verify-full")
# Query parameters SQLAlchemy's asyncpg dialect hands to asyncpg as they are.
PASSED_ON = ("host", "port", "prepared_statement_cache_size")
TRANSLATED = ("sslmode", "connect_timeout", "application_name", "options")
# One `-c name=value` (or `-cname=value`, `--name=value`) of libpq's `options`.
SETTING = re.compile(r"(?:-c\s*|--)(?P<name>[\w.-]+)=(?P<value>(?:\\.|\S)*)")
{%- endif %}


class BadDSN(ValueError):
    """The DSN cannot be used; the message names the bad part and what is allowed."""


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
{%- else %}


def connect_args(url: URL) -> dict[str, Any]:
    """asyncpg's keyword arguments for the libpq parameters in `url`'s query."""
    unknown = set(url.query) - set(PASSED_ON) - set(TRANSLATED)
    if unknown:
        allowed = ", ".join(PASSED_ON + TRANSLATED)
        raise BadDSN(f"unsupported DSN parameter {sorted(unknown)[0]}; use {allowed}")
    query = {name: single(url, name) for name in TRANSLATED if name in url.query}
    args: dict[str, Any] = {}
    settings: dict[str, str] = {}
    if "sslmode" in query:
        args["ssl"] = sslmode(query["sslmode"])
    if "connect_timeout" in query:
        args.update(timeout(query["connect_timeout"]))
    if "options" in query:
        settings.update(server_options(query["options"]))
    if "application_name" in query:
        settings["application_name"] = query["application_name"]
    if settings:
        args["server_settings"] = settings
    if url.host and "%" in url.host:
        args["host"] = unquote(url.host)
    return args
{%- endif %}


def create_engine(dsn: str | URL, **kwargs: Any) -> AsyncEngine:
    """`create_async_engine` for a DSN as people write it."""
    url = async_url(dsn)
    args = {**connect_args(url), **kwargs.pop("connect_args", {})}
{%- if cookiecutter.driver == "asyncpg" %}
    url = url.difference_update_query(TRANSLATED)  # asyncpg has them in args
{%- endif %}
    return create_async_engine(url, connect_args=args, **kwargs)


def single(url: URL, name: str) -> str:
    value = url.query[name]
    if isinstance(value, tuple):
        raise BadDSN(f"DSN parameter {name} is given {len(value)} times; give it once")
    return value
{%- if cookiecutter.driver == "asyncpg" %}


def sslmode(value: str) -> str:
    if value not in SSLMODES:
        raise BadDSN(f"sslmode={value} is not one of {', '.join(SSLMODES)}")
    return value


def timeout(value: str) -> dict[str, float]:
    """libpq waits forever for 0 (or less), and at least 2 seconds otherwise."""
    try:
        seconds = int(value)
    except ValueError:
        raise BadDSN(
            f"connect_timeout={value} is not a whole number of seconds"
        ) from None
    return {"timeout": float(max(seconds, 2))} if seconds > 0 else {}


def server_options(value: str) -> dict[str, str]:
    """`-c a=1 -c b=2` as {"a": "1", "b": "2"}; a backslash escapes what follows."""
    settings = {}
    position = 0
    for match in SETTING.finditer(value):
        if value[position : match.start()].strip():
            break
        name = match["name"].replace("-", "_")
        settings[name] = re.sub(r"\\(.)", r"\1", match["value"])
        position = match.end()
    if value[position:].strip():
        raise BadDSN(f"options={value} is not a list of -c name=value settings")
    return settings
{%- endif %}
