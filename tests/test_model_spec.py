"""The `models` answer's parser: what it accepts, and the one-line message for what it does not."""

import pytest

from template_extensions.import_order import import_order
from template_extensions.model_spec import ModelSpecError, parse_models
from tests.answers import DEFAULT_MODELS, RICH_MODELS


def test_default_spec_is_the_articles_models() -> None:
    product, review = parse_models(DEFAULT_MODELS)

    assert [column.name for column in product.columns] == ["name", "created_at"]
    rating = review.columns[1]
    assert rating.type.python == "decimal.Decimal"
    assert rating.type.sqlalchemy == "sa.Numeric(2, 1)"
    assert not rating.nullable
    assert review.foreign_keys[0].references == "product"


def test_tables_come_in_dependency_order() -> None:
    tables = parse_models("child: parent_id -> parent; parent: name text")

    assert [table.name for table in tables] == ["parent", "child"]


def test_rich_spec_covers_every_column_type() -> None:
    tables = parse_models(RICH_MODELS)

    keywords = {column.type.keyword for table in tables for column in table.plain_columns}
    assert keywords == {
        "str", "text", "int", "bigint", "bool", "decimal", "float",
        "timestamp", "timestamptz", "date", "uuid", "json", "jsonb",
    }  # fmt: skip


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("", "the spec is empty"),
        ("product", "the spec ends where ':' after table 'product' was expected"),
        ("product: name", "the spec ends where a type for column product.name was expected"),
        ("product: name varchar", "expected a type for column product.name (str, text,"),
        ("product: name str", "the spec ends where '(' after str was expected"),
        ("product: name str[10]", "unexpected character '[' at position 17"),
        ("product: name str(0)", "str(0) needs a length from 1 to 10485760"),
        ("product: price decimal(2,3)", "decimal(2,3) needs a scale from 0 to the precision (2)"),
        ("product: name str(10) = now", "default now does not suit column product.name"),
        ("product: name text = 'it''s'", "expected ';' between tables or ',' between columns"),
        ("product: name text = 'a;b'", "expected a quoted default of letters, digits"),
        ("product: name text $", "unexpected character '$' at position 19"),
        ("product: Name text", "column name 'Name' is not allowed; use lower_snake_case"),
        ("user: name text", "table name 'user' is a reserved word"),
        ("product: class text", "column name 'class' is a reserved word"),
        ("product: id uuid", "column product.id is added to every table"),
        ("product: name text, name text", "column product.name is defined twice"),
        ("product: name text; product: size int", "table 'product' is defined twice"),
        ("review: product_id -> product", "refers to table 'product', which is not defined"),
        ("node: parent_id -> node", "refers to its own table and must be nullable"),
        ("a: b_id -> b; b: a_id -> a", "foreign keys form a cycle between tables a, b"),
    ],
)
def test_bad_spec_fails_with_one_line_naming_the_token(spec: str, message: str) -> None:
    with pytest.raises(ModelSpecError) as error:
        parse_models(spec)

    assert message in str(error.value)
    assert str(error.value).startswith("models: ")
    assert "\n" not in str(error.value)


def test_import_order_matches_ruffs_isort() -> None:
    names = ["Item", "T10", "Base", "T2", "add_t10", "A", "add_t2", "OrderLine", "Order"]

    assert import_order(names) == [
        "T2", "T10", "A", "Base", "Item", "Order", "OrderLine", "add_t2", "add_t10",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("t: a int = 99999999999", "default 99999999999 of column t.a is out of range for int"),
        ("t: a int = -2147483649", "allowed: -2147483648 to 2147483647"),
        ("t: a bigint = 9223372036854775808", "out of range for bigint"),
        ("t: a str(3) = 'toolong'", "default 'toolong' of column t.a is 7 characters long"),
        ("t: a decimal(2,1) = 100", "default 100 of column t.a does not fit decimal(2,1)"),
        ("t: a decimal(2,1) = 9.96", "does not fit decimal(2,1)"),
        ("t: a decimal(3,3) = 1", "does not fit decimal(3,3)"),
        ("t: a text = '" + "x" * 50 + "'", "is 50 characters long; at most 49 are allowed"),
        ("t: a decimal(49,48) = -0." + "9" * 48, "is 51 characters long; at most 49"),
        ("t: j json unique", "column t.j of type json cannot be unique"),
        ("t: j json index", "column t.j of type json cannot be index"),
        ("t: b bool unique", "column t.b of type bool cannot be unique: it has too few values"),
        ("t: d decimal(1,0) unique", "type decimal(1,0) cannot be unique"),
        ("t: a int unique index", "expected ';' between tables or ',' between columns"),
    ],
)
def test_default_or_modifier_that_does_not_fit_its_type_is_refused(
    spec: str, message: str
) -> None:
    with pytest.raises(ModelSpecError) as error:
        parse_models(spec)

    assert message in str(error.value)
    assert "\n" not in str(error.value)


@pytest.mark.parametrize(
    "spec",
    [
        "t: a int = 2147483647, b int = -2147483648, c bigint = -9223372036854775808",
        "t: a str(3) = 'abc', b decimal(2,1) = 9.9, c decimal(3,3) = 0.999, d decimal(1,0) = -9",
        "t: a text = '" + "x" * 49 + "'",
        "t: a decimal(48,47) = 0." + "9" * 47,
        "t: a decimal(38,0) = 99999999999999999999999999999999999999",
        "t: a decimal(47,1) = -9999999999999999999999999999999999999999999999.9",
    ],
)
def test_defaults_at_their_types_edges_are_accepted(spec: str) -> None:
    assert parse_models(spec)


def test_text_default_is_a_plain_string_not_sql_with_bind_parameters() -> None:
    (table,) = parse_models("t: a str(20) = ':x', b text = ''")

    assert [column.server_default_expression for column in table.columns] == ['":x"', '""']


def test_unique_and_index_columns_are_named_by_the_naming_convention() -> None:
    (table,) = parse_models("book: isbn str(13) unique, email str(200) = '' index")

    isbn, email = table.columns
    assert (isbn.unique, isbn.index, email.unique, email.index) == (True, False, False, True)
    assert table.unique_name(isbn) == "uq_book_isbn"
    assert table.index_name(email) == "ix_book_email"
    assert "unique=True" in isbn.model_arguments
    assert "index=True" in email.model_arguments


def test_a_nullable_foreign_key_cycle_is_accepted_and_added_after_both_tables() -> None:
    first, second = parse_models("a: b_id -> b?, name text; b: a_id -> a")

    assert [first.name, second.name] == ["a", "b"]
    assert [column.name for column in first.deferred_foreign_keys] == ["b_id"]
    assert "use_alter=True" in first.foreign_keys[0].model_arguments[0]
    assert first.parents == ()
    assert [column.name for column in second.parents] == ["a_id"]


def test_a_cycle_of_not_null_foreign_keys_asks_for_a_nullable_one() -> None:
    with pytest.raises(ModelSpecError, match=r"make one of them nullable \('column -> table\?'\)"):
        parse_models("a: b_id -> b; b: c_id -> c; c: a_id -> a")
