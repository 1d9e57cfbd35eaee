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
