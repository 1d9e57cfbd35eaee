"""DSNs as people write them (libpq query parameters, `postgres://`, a unix-socket host)
reach the server through asyncpg with their settings; others stop with one line."""

import asyncio
import importlib.util
import os
import string
from pathlib import Path
from types import ModuleType
from urllib.parse import quote

import asyncpg
import pytest
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


def load_dsn_module() -> ModuleType:
    """The rendered dsn.py (it has nothing to render), imported from the template."""
    spec = importlib.util.spec_from_file_location("rendered_dsn", PACKAGE / "dsn.py")
    assert spec
    assert spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


dsn = load_dsn_module()

NAMES = st.from_regex(r"[a-z][a-z0-9_]{0,20}(\.[a-z][a-z0-9_]{0,10})?", fullmatch=True)
VALUES = st.text(string.ascii_letters + string.digits + " ,=-_.'\\", max_size=20)


def escape(value: str) -> str:
    """libpq's escaping in `options`: a backslash before spaces and backslashes."""
    return value.replace("\\", "\\\\").replace(" ", "\\ ")


@given(st.dictionaries(NAMES, VALUES, max_size=5))
def test_options_become_server_settings(settings: dict[str, str]) -> None:
    options = " ".join(f"-c {name}={escape(value)}" for name, value in settings.items())
    url = make_url(f"postgresql://me@host/db?options={quote(options)}")

    translated = dsn.connect_args(url).get("server_settings", {})

    assert translated == settings


@given(st.integers(min_value=-5, max_value=10**6))
def test_connect_timeout_is_libpqs(seconds: int) -> None:
    args = dsn.connect_args(make_url(f"postgres://me@host/db?connect_timeout={seconds}"))

    if seconds <= 0:
        assert "timeout" not in args  # libpq: wait indefinitely
    else:
        assert args["timeout"] == max(seconds, 2)


@pytest.mark.parametrize("mode", dsn.SSLMODES)
def test_every_sslmode_goes_to_asyncpg(mode: str) -> None:
    args = dsn.connect_args(make_url(f"postgresql://me@host/db?sslmode={mode}"))

    assert args["ssl"] == mode


@given(st.text(string.ascii_letters + "/_-", min_size=1, max_size=30))
def test_a_percent_encoded_host_is_a_socket_directory(directory: str) -> None:
    url = make_url(f"postgresql://me@{quote('/' + directory, safe='')}:5432/db")

    assert dsn.connect_args(url)["host"] == "/" + directory


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("postgresql+psycopg://me@host/db", "postgresql+psycopg:// is not supported"),
        ("postgresql://me@host/db?sslmode=maybe", "sslmode=maybe is not one of disable"),
        ("postgresql://me@host/db?connect_timeout=soon", "connect_timeout=soon is not"),
        ("postgresql://me@host/db?sslrootcert=x", "unsupported DSN parameter sslrootcert"),
        ("postgresql://me@host/db?options=-x", "options=-x is not a list of -c"),
    ],
)
def test_bad_dsns_are_named_with_what_is_allowed(value: str, message: str) -> None:
    with pytest.raises(dsn.BadDSN, match="^" + message.replace("+", r"\+")):
        dsn.async_url(value)


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


@needs_server
def test_dsns_as_people_write_them_work(bake: Bake, monkeypatch: pytest.MonkeyPatch) -> None:
    project = bake()
    (project / "tests/test_probe.py").write_text(PROBE_TEST.lstrip())
    monkeypatch.setenv("EXPECT_APPLICATION_NAME", "ci job")
    monkeypatch.setenv("EXPECT_STATEMENT_TIMEOUT", "5s")
    socket = quote(asyncio.run(socket_directory()), safe="")
    settings = "?application_name=ci%20job&options=-c%20statement_timeout%3D5s"
    dsns = [
        server_dsn("postgres", query=settings + "&sslmode=disable&connect_timeout=10"),
        server_dsn("postgresql+asyncpg", query=settings + "&sslmode=prefer"),
        server_dsn("postgresql", host=socket, query=settings),
    ]

    for postgres_dsn in dsns:
        # --db-rebuild: building the template connects through the DSN too.
        counts = run_tests(
            project, "tests/test_probe.py", "--db-rebuild", postgres_dsn=postgres_dsn
        )
        assert counts == {"passed": 1}, postgres_dsn


def test_a_dsn_for_a_driver_not_installed_stops_the_session_with_one_line(
    bake: Bake,
) -> None:
    project = bake()

    session = start_pytest(project, postgres_dsn="postgresql+psycopg://me@127.0.0.1:9/app")
    output = session.communicate(timeout=60)[0]

    assert session.returncode == pytest.ExitCode.USAGE_ERROR, output
    assert "POSTGRES_DSN: postgresql+psycopg:// is not supported" in output, output
    assert "Traceback" not in output
