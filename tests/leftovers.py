"""What the rendered fixtures could leave behind: embedded servers and test databases."""

import asyncpg
import platformdirs
import psutil

# Rendered projects keep their embedded server's data under the user's cache directory.
CACHE_ROOT = str(platformdirs.user_cache_path("project").parent)


def embedded_servers() -> set[int]:
    """Running embedded PostgreSQL servers of rendered projects (their data is cached)."""
    return {
        process.pid
        for process in psutil.process_iter(["name", "cmdline"])
        if process.info["name"] == "postgres"
        and f"{CACHE_ROOT}/" in " ".join(process.info["cmdline"] or ())
    }


async def session_databases(dsn: str, prefix: str = "example_db_test") -> set[str]:
    """Databases on the server named like those the rendered fixtures make per session."""
    connection = await asyncpg.connect(dsn)
    try:
        rows = await connection.fetch(
            "SELECT datname FROM pg_database WHERE starts_with(datname, $1)", prefix
        )
        return {row["datname"] for row in rows}
    finally:
        await connection.close()
