"""DSNs as people write them (libpq query parameters, `postgres://`, a unix-socket host)
reach the server through either driver with their settings; others stop with one line."""

import asyncio
import os
import re
import string
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import quote, urlencode

import asyncpg
import certifi
import pytest
from asyncpg import connect_utils
from cookiecutter.environment import StrictEnvironment
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.engine import make_url

from tests.conftest import Bake
from tests.rendered import run_tests
from tests.servers import needs_server
from tests.test_lifecycle import start_pytest

POSTGRES_DSN = os.environ.get("POSTGRES_DSN", "")
TEMPLATE = Path(__file__).parents[1] / "{{cookiecutter.project_slug}}"
PACKAGE = TEMPLATE / "src/{{cookiecutter.package_name}}"


def load_dsn_module(driver: str) -> ModuleType:
    """The rendered dsn.py for `driver` (the only answer it uses), imported as a module."""
    template = StrictEnvironment(keep_trailing_newline=True).from_string(
        (PACKAGE / "dsn.py").read_text()
    )
    module = ModuleType(f"rendered_dsn_{driver}")
    exec(
        compile(template.render(cookiecutter={"driver": driver}), module.__name__, "exec"),
        module.__dict__,
    )
    return module


dsn = load_dsn_module("asyncpg")
psycopg_dsn = load_dsn_module("psycopg")
MODULES = pytest.mark.parametrize("module", [dsn, psycopg_dsn], ids=["asyncpg", "psycopg"])

NAMES = st.from_regex(r"[a-z][a-z0-9_]{0,20}(\.[a-z][a-z0-9_]{0,10})?", fullmatch=True)
VALUES = st.text(string.ascii_letters + string.digits + " ,=-_.'\\", max_size=20)


def escape(value: str) -> str:
    """libpq's escaping in `options`: a backslash before spaces and backslashes."""
    return value.replace("\\", "\\\\").replace(" ", "\\ ")


# A value asyncpg's parser takes for each libpq parameter the rendered dsn.py leaves to it
# (with sslmode=disable, as the ssl files named here do not exist).
ASYNCPG_VALUES = {
    **{name: "x" for name in dsn.ASYNCPG_PARAMETERS},
    **{"port": "5433", "sslmode": "disable", "target_session_attrs": "read-write"},
    **{"sslnegotiation": "postgres", "gsslib": "gssapi"},
    **{"ssl_min_protocol_version": "TLSv1.2", "ssl_max_protocol_version": "TLSv1.3"},
}


def asyncpg_parse(url: str) -> tuple[list[Any], Any]:
    """asyncpg's own reading of a DSN: the addresses, and the connection parameters."""
    addresses, parameters = connect_utils._parse_connect_dsn_and_args(
        dsn=url,
        **dict.fromkeys(("host", "port", "user", "password", "passfile", "database")),
        **dict.fromkeys(("ssl", "service", "servicefile", "direct_tls")),
        **dict.fromkeys(("target_session_attrs", "krbsrvname", "gsslib")),
        server_settings=None,
    )
    return addresses, parameters


def asyncpg_parses(url: str) -> dict[str, str]:
    """What asyncpg would send to the server as settings for a DSN dsn.py accepts."""
    dsn.async_url(url)
    return dict(asyncpg_parse(url)[1].server_settings or {})


@given(st.sets(st.sampled_from(sorted(ASYNCPG_VALUES))))
def test_asyncpg_reads_the_parameters_left_to_it(names: set[str]) -> None:
    query = urlencode({"sslmode": "disable", **{name: ASYNCPG_VALUES[name] for name in names}})

    assert asyncpg_parses(f"postgresql://me@host/db?{query}") == {}


@given(st.dictionaries(NAMES, VALUES, max_size=5), VALUES)
def test_options_and_application_name_reach_the_server_as_they_are(
    settings: dict[str, str], name: str
) -> None:
    options = " ".join(f"-c {setting}={escape(value)}" for setting, value in settings.items())
    given = {"options": options, "application_name": name}
    given = {parameter: value for parameter, value in given.items() if value}  # as libpq

    sent = asyncpg_parses(f"postgresql://me@host/db?{urlencode(given)}")

    assert sent == given


# libpq's parameters the rendered dsn.py neither leaves to asyncpg nor translates.
NOT_FOR_ASYNCPG = sorted(
    set(psycopg_dsn.LIBPQ_PARAMETERS)
    - set(dsn.ASYNCPG_PARAMETERS + dsn.STARTUP_PARAMETERS + dsn.TRANSLATED)
)


@pytest.mark.parametrize("name", NOT_FOR_ASYNCPG)
def test_other_libpq_parameters_would_be_unknown_server_settings(name: str) -> None:
    """So dsn.py stops them with one line rather than let the server refuse them."""
    url = f"postgresql://me@host/db?{name}=1"

    with pytest.raises(dsn.BadDSN, match=f"^unsupported DSN parameter {name}; use host, "):
        dsn.async_url(url)
    with pytest.raises(dsn.BadDSN):
        asyncpg_parses(url)


@given(st.integers(min_value=-5, max_value=10**6))
def test_connect_timeout_is_libpqs(seconds: int) -> None:
    args = dsn.connect_args(make_url(f"postgres://me@host/db?connect_timeout={seconds}"))

    if seconds <= 0:
        assert "timeout" not in args  # libpq: wait indefinitely
    else:
        assert args["timeout"] == max(seconds, 2)


@pytest.mark.parametrize("mode", dsn.SSLMODES)
def test_every_sslmode_goes_to_asyncpg(mode: str) -> None:
    url = f"postgresql://me@host/db?sslmode={mode}&sslrootcert={certifi.where()}"

    assert asyncpg_parses(url) == {}
    assert asyncpg_parse(url)[1].sslmode.name == mode.replace("-", "_")


@given(st.text(string.ascii_letters + "/_-", min_size=1, max_size=30))
def test_a_percent_encoded_host_is_a_socket_directory(directory: str) -> None:
    url = make_url(f"postgresql://me@{quote('/' + directory, safe='')}:5432/db")

    assert psycopg_dsn.connect_args(url)["host"] == "/" + directory
    addresses, _ = asyncpg_parse(dsn.libpq_dsn(dsn.async_url(url)))
    assert addresses == [os.path.join("/" + directory, ".s.PGSQL.5432")]


# libpq's own parameters but host and port, which SQLAlchemy reads as lists of servers.
LIBPQ_PARAMETERS = sorted(set(psycopg_dsn.LIBPQ_PARAMETERS) - {"host", "port"})


@given(
    st.dictionaries(
        st.sampled_from(LIBPQ_PARAMETERS),
        st.text(string.ascii_letters + string.digits + " =-_.", min_size=1, max_size=20),
        max_size=5,
    )
)
def test_libpq_parameters_reach_psycopg_as_they_are(parameters: dict[str, str]) -> None:
    url = psycopg_dsn.async_url(f"postgres://me@host/db?{urlencode(parameters)}")

    _, arguments = psycopg_dsn.create_engine(url).dialect.create_connect_args(url)

    assert {name: arguments[name] for name in parameters} == parameters


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("postgresql+psycopg://me@host/db", "postgresql+psycopg:// is not supported"),
        ("postgresql://me@host/db?sslmode=maybe", "sslmode=maybe is not one of disable"),
        ("postgresql://me@host/db?connect_timeout=soon", "connect_timeout=soon is not"),
        ("postgresql://me@host/db?sslrootcrt=x", "unsupported DSN parameter sslrootcrt"),
        ("postgresql://me@host/db?keepalives=1", "unsupported DSN parameter keepalives"),
    ],
)
def test_bad_dsns_are_named_with_what_is_allowed(value: str, message: str) -> None:
    with pytest.raises(dsn.BadDSN, match="^" + re.escape(message)):
        dsn.async_url(value)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (
            "postgresql+asyncpg://me@host/db",
            "postgresql+asyncpg:// is not supported (only psycopg is installed)",
        ),
        (
            "postgresql://me@host/db?sslrootcrt=x",
            "unsupported DSN parameter sslrootcrt; use libpq",
        ),
        (
            "postgres://me@host/db?sslmode=require&sslmode=disable",
            "DSN parameter sslmode is given 2",
        ),
    ],
)
def test_bad_dsns_are_named_for_psycopg(value: str, message: str) -> None:
    with pytest.raises(psycopg_dsn.BadDSN, match="^" + re.escape(message)):
        psycopg_dsn.async_url(value)


# Written into a baked project: the settings the DSN asked for reached the server.
PROBE_TEST = """
import os

import sqlalchemy as sa

from example_service.db import DBSessionManager


async def test_settings_reach_the_server(db: DBSessionManager) -> None:
    async with db.asessionmaker() as session:
        name = await session.scalar(sa.text("SHOW application_name"))
        timeout = await session.scalar(sa.text("SHOW statement_timeout"))
    assert name == os.environ.get("EXPECT_APPLICATION_NAME", name)
    assert timeout == os.environ.get("EXPECT_STATEMENT_TIMEOUT", timeout)
"""


async def socket_directory() -> str:
    connection = await asyncpg.connect(POSTGRES_DSN)
    try:
        directories = await connection.fetchval("SHOW unix_socket_directories")
        return str(directories).split(",")[0].strip()
    finally:
        await connection.close()


def server_dsn(scheme: str = "postgresql", host: str = "", query: str = "") -> str:
    url = make_url(POSTGRES_DSN)
    auth = (url.username or "") + (f":{url.password}" if url.password else "")
    return f"{scheme}://{auth}@{host or url.host}:{url.port or 5432}/{url.database}{query}"


DRIVERS = pytest.mark.parametrize(
    ("driver", "other"), [("asyncpg", "psycopg"), ("psycopg", "asyncpg")]
)
# Parameters only libpq takes: psycopg passes them on.
LIBPQ_ONLY = {"asyncpg": "", "psycopg": "&target_session_attrs=read-write&keepalives=1"}


@needs_server
@DRIVERS
def test_dsns_as_people_write_them_work(
    bake: Bake, monkeypatch: pytest.MonkeyPatch, driver: str, other: str
) -> None:
    project = bake(driver=driver)
    (project / "tests/test_probe.py").write_text(PROBE_TEST.lstrip())
    monkeypatch.setenv("EXPECT_APPLICATION_NAME", "ci job")
    monkeypatch.setenv("EXPECT_STATEMENT_TIMEOUT", "5s")
    socket = quote(asyncio.run(socket_directory()), safe="")
    settings = "?application_name=ci%20job&options=-c%20statement_timeout%3D5s"
    dsns = [
        server_dsn("postgres", query=settings + "&sslmode=disable&connect_timeout=10"),
        server_dsn(f"postgresql+{driver}", query=settings + "&sslmode=prefer"),
        server_dsn("postgresql", host=socket, query=settings + LIBPQ_ONLY[driver]),
    ]

    for postgres_dsn in dsns:
        # --db-rebuild: building the template connects through the DSN too.
        counts = run_tests(
            project, "tests/test_probe.py", "--db-rebuild", postgres_dsn=postgres_dsn
        )
        assert counts == {"passed": 1}, postgres_dsn


@DRIVERS
def test_a_dsn_for_a_driver_not_installed_stops_the_session_with_one_line(
    bake: Bake, driver: str, other: str
) -> None:
    project = bake(driver=driver)

    session = start_pytest(project, postgres_dsn=f"postgresql+{other}://me@127.0.0.1:9/app")
    output = session.communicate(timeout=60)[0]

    assert session.returncode == pytest.ExitCode.USAGE_ERROR, output
    assert (
        f"POSTGRES_DSN: postgresql+{other}:// is not supported (only {driver} is installed)"
        in output
    ), output
    assert "Traceback" not in output
