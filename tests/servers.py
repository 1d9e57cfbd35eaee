"""The servers a template test can run rendered projects against: the embedded one, and
POSTGRES_DSN's when it is set."""

import os

import pytest

POSTGRES_DSN = os.environ.get("POSTGRES_DSN", "")
needs_server = pytest.mark.skipif(
    not POSTGRES_DSN, reason="set POSTGRES_DSN to a PostgreSQL server to run this too"
)
SERVERS = pytest.mark.parametrize(
    "postgres_dsn",
    [pytest.param("", id="embedded"), pytest.param(POSTGRES_DSN, id="server", marks=needs_server)],
)
# Where a test costs a whole session per server and driver, a sample of the four pairs:
# each server once and each driver once (the default answers on the embedded server).
SERVERS_WITH_A_DRIVER_EACH = pytest.mark.parametrize(
    ("postgres_dsn", "driver"),
    [
        pytest.param("", "asyncpg", id="embedded-asyncpg"),
        pytest.param(POSTGRES_DSN, "psycopg", id="server-psycopg", marks=needs_server),
    ],
)
