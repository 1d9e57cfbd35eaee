"""What the tests' PostgreSQL role may do, checked before it is needed.

The tests need a role that may create databases (a superuser, or one with CREATEDB).
Templates are marked IS_TEMPLATE and their objects belong to `pg_database_owner`
(PostgreSQL 14+), so any such role can clone a template another role built, and owns
what it finds in the clone. A role cannot drop another role's database: the sweep of
dead sessions' databases skips those, and a rebuild that would have to drop one stops
with a line saying what to grant.
"""

import sqlalchemy as sa
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.pool import NullPool

from testdb.project import create_engine

INSUFFICIENT_PRIVILEGE = "42501"


class NotAllowed(Exception):
    """The role lacks a privilege; the message names the role and the grant it needs."""


async def require_createdb(url: URL) -> None:
    """Stop before any test runs if the role may not create databases."""
    engine = create_engine(url, poolclass=NullPool)
    try:
        async with engine.connect() as connection:
            role, allowed = (
                await connection.execute(
                    sa.text(
                        "SELECT rolname, rolcreatedb OR rolsuper FROM pg_roles "
                        "WHERE rolname = current_user"
                    )
                )
            ).one()
    finally:
        await engine.dispose()
    if not allowed:
        raise NotAllowed(
            f"role {role} may not create databases, and the tests make their own; "
            f"as a superuser run: ALTER ROLE {role} CREATEDB"
        )


def is_denied(error: DBAPIError) -> bool:
    """True for `permission denied` and `must be owner of ...`."""
    return getattr(error.orig, "sqlstate", None) == INSUFFICIENT_PRIVILEGE


async def current_role(connection: AsyncConnection) -> str:
    return str(await connection.scalar(sa.text("SELECT current_user")))


async def database_owner(connection: AsyncConnection, name: str) -> str:
    owner = await connection.scalar(
        sa.text(
            "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = :name"
        ),
        {"name": name},
    )
    return str(owner)


async def hand_to_database_owner(connection: AsyncConnection) -> None:
    """Give the objects of the database `connection` is on to `pg_database_owner`.

    Whoever owns a clone of this database then owns its tables too. PostgreSQL 13
    has no pg_database_owner: there, only the template's builder (or a superuser) can
    use the tables of its clones.
    """
    if int(await connection.scalar(sa.text("SHOW server_version_num"))) < 140000:
        return
    await connection.execute(sa.text(HAND_OVER))


# Tables (with their indexes and owned sequences), other sequences, views, types,
# functions and schemas of this role, outside the system schemas.
HAND_OVER = """
DO $$
DECLARE
    statement text;
BEGIN
    FOR statement IN
        SELECT format('ALTER %s %s OWNER TO pg_database_owner', kind, name)
        FROM (
            SELECT CASE c.relkind WHEN 'S' THEN 'SEQUENCE' WHEN 'v' THEN 'VIEW'
                       WHEN 'm' THEN 'MATERIALIZED VIEW'
                       WHEN 'f' THEN 'FOREIGN TABLE' ELSE 'TABLE' END AS kind,
                   c.oid::regclass::text AS name, n.nspname
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
              AND c.relowner = current_user::regrole
              AND NOT EXISTS (
                  SELECT FROM pg_depend d
                  WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                    AND d.deptype IN ('a', 'i'))
            UNION ALL
            SELECT CASE t.typtype WHEN 'd' THEN 'DOMAIN' ELSE 'TYPE' END,
                   t.oid::regtype::text, n.nspname
            FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
            WHERE t.typtype IN ('e', 'd', 'r')
              AND t.typowner = current_user::regrole
            UNION ALL
            SELECT CASE p.prokind WHEN 'p' THEN 'PROCEDURE' ELSE 'FUNCTION' END,
                   p.oid::regprocedure::text, n.nspname
            FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
            WHERE p.proowner = current_user::regrole AND p.prokind IN ('f', 'p')
            UNION ALL
            SELECT 'SCHEMA', quote_ident(n.nspname), n.nspname
            FROM pg_namespace n WHERE n.nspowner = current_user::regrole
        ) AS owned
        WHERE nspname NOT IN ('pg_catalog', 'information_schema')
          AND nspname NOT LIKE 'pg\\_%'
        -- Schemas first: the new owner of a table needs CREATE on its schema.
        ORDER BY kind <> 'SCHEMA'
    LOOP
        EXECUTE statement;
    END LOOP;
END
$$
"""
