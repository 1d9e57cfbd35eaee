"""Specs whose names are each valid but meet in one generated namespace are refused with one
line naming both tokens (or the token and the template's own name); every case here once
rendered a broken project."""

from typing import Any

import pytest

from template_extensions.model_spec import ModelSpecError, parse_models

COLLISIONS = [
    ("base_: a int", "table 'base_' makes the name 'Base' in models.py"),
    ("foo: a int; foo_: b int", "table 'foo' and table 'foo_' both make the name 'Foo'"),
    ("a_1: x int; a1: y int", "table 'a_1' and table 'a1' both make the name 'A1'"),
    ("a__b: x int; a_b: y int", "table 'a__b' and table 'a_b' both make the name 'AB'"),
    ("integrity_error: x int", "makes the name 'IntegrityError' in tests/test_isolation.py"),
    ("foo: a int; add_foo: b int", "table 'foo' and table 'add_foo' both make the name 'add_foo'"),
    ("add_foo: b int; foo: a int", "table 'add_foo' and table 'foo' both make the name 'add_foo'"),
    (
        "p: x int; a_b: c -> p; a: b_c -> p",
        "column a_b.c and column a.b_c both make the name 'ix_a_b_c' in the database schema",
    ),
    (
        "p: x int; a_b: c -> p?; a: b_c -> p?",
        "column a_b.c and column a.b_c both make the name 'ix_a_b_c'",
    ),
    (
        "t: a_b int unique; t_a: b int unique",
        "column t.a_b and column t_a.b both make the name 'uq_t_a_b'",
    ),
    ("t: x int index; ix_t_x: y int", "column t.x and table 'ix_t_x' both make the name 'ix_t_x'"),
    ("async_session: x int", "makes the name 'AsyncSession' in tests/factories.py"),
    ("declarative_base: x int", "makes the name 'DeclarativeBase' in models.py"),
    ("mapped_: x int", "table 'mapped_' makes the name 'Mapped' in models.py"),
    ("d_b_session_manager: x int", "makes the name 'DBSessionManager'"),
    ("t: str str(3), b str(3)", "column t.str makes the name 'str' in class T"),
    ("t: int text", "column t.int makes the name 'int' in class T"),
    ("t: mapped_column int", "column t.mapped_column makes the name 'mapped_column' in class T"),
    ("t: sa int", "name 'sa' is a reserved word"),
    ("seq: x int", "table 'seq' makes the name 'seq' in tests/factories.py"),
    ("alembic_version: x int", "makes the name 'alembic_version' in the database schema"),
    ("row_factory: x int", "makes the name 'RowFactory' in tests/test_fixtures_that_write.py"),
    ("escape_error: x int", "makes the name 'EscapeError' in tests/test_fixtures_that_write.py"),
    (
        "t: get_type_from_column int",
        "column t.get_type_from_column makes the name 'get_type_from_column' in class RowFactory",
    ),
]


@pytest.mark.parametrize(("spec", "message"), COLLISIONS, ids=[spec for spec, _ in COLLISIONS])
def test_colliding_names_are_refused_with_one_line_naming_both(spec: str, message: str) -> None:
    with pytest.raises(ModelSpecError) as error:
        parse_models(spec)

    assert message in str(error.value)
    assert str(error.value).startswith("models: ")
    assert "\n" not in str(error.value)


@pytest.mark.parametrize(
    "spec",
    [
        "n: parent_id -> n?",
        "foo: a int; bar_foo: b int",
        "t: add_x int; x: t_id -> t",
        "a_b: c int; a: d int",
        "p: x int; row_factory: y int",
    ],
)
def test_names_that_only_look_alike_are_accepted(spec: str) -> None:
    assert parse_models(spec)


API_COLLISIONS = [
    (
        "product: x int; product_create: y int",
        "table 'product' and table 'product_create' both make the name 'ProductCreate' in "
        "api/routes.py",
    ),
    ("session_dep: x int", "table 'session_dep' makes the name 'SessionDep' in api/routes.py"),
    ("t: json int", "column t.json makes the name 'json' in the API schemas of table 't'"),
    ("t: model_config int", "column t.model_config makes the name 'model_config'"),
    ("a_read: y int; a: x int", "table 'a_read' and table 'a' both make the name 'ARead'"),
    (
        "p: x int; escape_error: y int",
        "makes the name 'EscapeError' in tests/api/test_isolation_over_http.py",
    ),
    ("offset_: x int", "table 'offset_' makes the name 'Offset' in api/routes.py"),
]


@pytest.mark.parametrize(
    ("spec", "message"), API_COLLISIONS, ids=[spec for spec, _ in API_COLLISIONS]
)
def test_names_of_the_api_collide_only_with_fastapi(spec: str, message: str) -> None:
    assert parse_models(spec)
    with pytest.raises(ModelSpecError) as error:
        parse_models(spec, "fastapi")

    assert message in str(error.value)
    assert "\n" not in str(error.value)


def test_an_api_collision_fails_the_bake_with_one_line(
    cookies: Any, capfd: pytest.CaptureFixture[str]
) -> None:
    spec, message = API_COLLISIONS[0]
    result = cookies.bake(extra_context={"models": spec, "framework": "fastapi"})

    assert result.exit_code != 0
    errors = [line for line in capfd.readouterr().err.splitlines() if line.startswith("error:")]
    assert len(errors) == 1
    assert message in errors[0]
