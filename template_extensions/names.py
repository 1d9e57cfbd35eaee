"""Every Python and SQL name the rendered project derives from the `models` answer, in one place.

A spec whose names are each valid can still render a broken project when two derived names
meet in one namespace: tables `foo` and `foo_` both make class `Foo`, table `base_` makes class
`Base`, table `add_foo` is the local that shadows the factory `add_foo`, a column `str` hides the
builtin the next annotation needs, and `a_b.c` and `a.b_c` both make index `ix_a_b_c`.
So each generated namespace is listed here with the names the template itself puts there, and
a spec is refused with one line naming both tokens as soon as two of them meet.
"""

from __future__ import annotations

from collections.abc import Iterator

from template_extensions.column_types import SAMPLE_CONSTANTS
from template_extensions.schema import Table

MAX_IDENTIFIER_LENGTH = 63  # PostgreSQL cuts longer identifiers, so they could meet silently

# Names the rendered modules import or define themselves, by namespace.
MODELS_MODULE = "Any Base DeclarativeBase Mapped NAMING_CONVENTION datetime decimal mapped_column"
# A column is a class attribute: it must not hide a name a later line of the class body reads.
CLASS_BODY = (
    f"{MODELS_MODULE} bool dict float id int metadata postgresql registry sa str"
    " type_annotation_map uuid"
)
FACTORIES_MODULE = (
    "AsyncSession DATE DAY SECOND SEQUENCES TIMESTAMP TIMESTAMPTZ collections datetime decimal"
    " seq session uuid"
)
TEST_MODULE = "DBSessionManager added db loaded parent parent_id session"
ISOLATION_MODULE = (
    "AsyncSession Base DBSessionManager IntegrityError assert_tables_empty postgres_dsn pytest"
    " rows_seen_elsewhere sa"
)
TEST_MODULES = ("tests/factories.py", "tests/test_models.py", "tests/test_isolation.py")
# Rendered for the first table only, with the sample constants its unique columns use.
FIXTURES_MODULE = (
    "Any AsyncEngine AsyncIterator AsyncSession Awaitable Callable DBSessionManager EscapeError"
    " MakeRow RowFactory SEQUENCES SQLAlchemyFactory asyncio commit_new_row count_rows decimal"
    " distinct_values earlier_session_ends_first existing_row isolation make_row open_session"
    " pytest row_factory row_of_a_factory_fixture row_of_polyfactory sa second_row"
    " two_tasks_at_once_rolled_back uuid"
    f" {' '.join(SAMPLE_CONSTANTS)}"
)
# polyfactory takes a class attribute named like a field for that field's value: a column
# of the first table must not be named like one of SQLAlchemyFactory's own.
ROW_FACTORY_BODY = (
    "get_sqlalchemy_constraints get_sqlalchemy_types get_type_from_collection_class"
    " get_type_from_column should_column_be_set should_dataclass_init_field"
)
SCHEMA = "alembic_version alembic_version_pkc"
# With framework=fastapi: the API's modules, and the Pydantic schemas' class bodies, where a
# column must not hide a name BaseModel defines (Pydantic warns, and the tests turn warnings
# into errors) or one a later line of the body reads.
API_SCHEMAS = "Any AwareDatetime BaseModel ConfigDict Field NaiveDatetime datetime decimal uuid"
SCHEMA_BODY = (
    f"{API_SCHEMAS} bool construct copy dict float from_orm int json model_config"
    " model_computed_fields model_construct model_copy model_dump model_dump_json model_extra"
    " model_fields model_fields_set model_json_schema model_parametrized_name"
    " model_post_init model_rebuild model_validate model_validate_json model_validate_strings"
    " parse_file parse_obj parse_raw schema schema_json str update_forward_refs validate"
)
API_ROUTES = "APIRouter Limit Offset ROUTERS SessionDep not_found sa uuid"
# The API's test modules, with the names each imports or defines itself; each imports
# the classes, schemas and factories of (some of) the tables.
API_TEST_MODULES = {
    "tests/api/test_routes.py": "AsyncClient DBSessionManager example_body uuid",
    "tests/api/test_isolation_over_http.py": (
        "AsyncClient AsyncEngine DBSessionManager EscapeError app_client asyncio example_body"
        " isolation pytest two_requests_at_once_rolled_back uuid"
    ),
    "tests/api/test_sessions_in_tests.py": "AsyncClient AsyncSession DBSessionManager uuid",
}

TEMPLATE = "the template"


class NameCollisionError(ValueError):
    """Two tokens of the spec (or one and the template) derive the same generated name."""


def derived_names(tables: list[Table], framework: str = "none") -> Iterator[tuple[str, str, str]]:
    """(namespace, name, the token that made it) for every name the spec puts in a namespace."""
    yield from _fixed("models.py", MODELS_MODULE)
    yield from _fixed("tests/factories.py", FACTORIES_MODULE)
    yield from _fixed("tests/test_models.py", TEST_MODULE)
    yield from _fixed("tests/test_isolation.py", ISOLATION_MODULE)
    yield from _fixed("the database schema", SCHEMA)
    for table in tables:
        token = f"table {table.name!r}"
        for module in ("models.py", *TEST_MODULES):
            yield module, table.class_name, token
        for module in TEST_MODULES:
            yield module, table.factory_name, token
        yield "tests/factories.py", table.name, token  # the factory's local for the new row
        yield "tests/test_models.py", table.test_name, token
        yield "the database schema", table.name, token
        yield "the database schema", f"pk_{table.name}", token
        body = f"class {table.class_name}"
        yield from _fixed(body, CLASS_BODY)
        for column in table.columns:
            column_token = f"column {table.name}.{column.name}"
            yield body, column.name, column_token
            for index in (table.index_name(column), table.unique_name(column)):
                if index:
                    yield "the database schema", index, column_token
            if column.references:
                yield f"table {table.name}", table.foreign_key_name(column), column_token
        for column in table.parents:
            yield (
                "tests/test_models.py",
                table.cascade_test_name(column),
                f"column {table.name}.{column.name}",
            )
    yield from fixtures_module_names(tables[0])
    if framework == "fastapi":
        yield from api_names(tables)


def fixtures_module_names(root: Table) -> Iterator[tuple[str, str, str]]:
    """The names tests/test_fixtures_that_write.py derives from the first table."""
    module = "tests/test_fixtures_that_write.py"
    yield from _fixed(module, FIXTURES_MODULE)
    token = f"table {root.name!r}"
    yield module, root.class_name, token
    yield module, root.factory_name, token
    body = f"class RowFactory of {module}"
    yield from _fixed(body, ROW_FACTORY_BODY)
    for column in root.plain_columns:
        yield body, column.name, f"column {root.name}.{column.name}"


def api_names(tables: list[Table]) -> Iterator[tuple[str, str, str]]:
    """The names the FastAPI modules and their tests derive from the tables."""
    yield from _fixed("api/schemas.py", API_SCHEMAS)
    yield from _fixed("api/routes.py", API_ROUTES)
    for module, names in API_TEST_MODULES.items():
        yield from _fixed(module, names)
    for table in tables:
        token = f"table {table.name!r}"
        for schema in (table.create_schema, table.read_schema):
            yield "api/schemas.py", schema, token
            yield "api/routes.py", schema, token
        yield "api/routes.py", table.class_name, token
        yield "api/routes.py", table.router_name, token
        for name in table.route_names:
            yield "api/routes.py", name, token
        for module in API_TEST_MODULES:
            for name in (table.create_schema, table.class_name, table.factory_name):
                yield module, name, token
        for name in table.route_test_names:
            yield "tests/api/test_routes.py", name, token
        body = f"the API schemas of table {table.name!r}"
        yield from _fixed(body, SCHEMA_BODY)
        for column in table.columns:
            yield body, column.name, f"column {table.name}.{column.name}"


def check_names(tables: list[Table], framework: str = "none") -> None:
    """Raise NameCollisionError naming both tokens of the first collision, or a name too long."""
    seen: dict[tuple[str, str], str] = {}
    for namespace, name, token in derived_names(tables, framework):
        if namespace == "the database schema" or namespace.startswith("table "):
            _check_length(name, token)
        earlier = seen.setdefault((namespace, name), token)
        if earlier != token:
            raise NameCollisionError(_collision(namespace, name, earlier, token))


def _fixed(namespace: str, names: str) -> Iterator[tuple[str, str, str]]:
    for name in names.split():
        yield namespace, name, TEMPLATE


def _check_length(name: str, token: str) -> None:
    if len(name) > MAX_IDENTIFIER_LENGTH:
        raise NameCollisionError(
            f"models: the name {name!r} derived from {token} is {len(name)} characters, "
            f"PostgreSQL allows {MAX_IDENTIFIER_LENGTH}; shorten the table or column name"
        )


def _collision(namespace: str, name: str, earlier: str, token: str) -> str:
    if earlier == TEMPLATE:
        return (
            f"models: {token} makes the name {name!r} in {namespace}, which the template "
            "already uses there; rename it"
        )
    return (
        f"models: {earlier} and {token} both make the name {name!r} in {namespace}; "
        "rename one of them"
    )
