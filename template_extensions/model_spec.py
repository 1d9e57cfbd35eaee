"""The `models` answer: a one-line description of tables, parsed into typed values.

The answer is a string, not a cookiecutter dict, because cookiecutter and cruft merge dict
answers with the template's defaults: a user who asks for two tables would get four.

Grammar (white space is free; names are lower_snake_case):

    spec    := table (";" table)* [";"]
    table   := NAME ":" column ("," column)*
    column  := NAME TYPE ["?"] ["=" DEFAULT] [MODIFIER]   a plain column; "?" makes it nullable
             | NAME "->" NAME ["?"]               a foreign key to that table's id,
                                                  ON DELETE CASCADE, indexed
    TYPE    := str(LENGTH) | text | int | bigint | bool | decimal(PRECISION, SCALE)
             | float | timestamp | timestamptz | date | uuid | json | jsonb
    DEFAULT := now | true | false | NUMBER | 'TEXT'   (a server default that fits the type)
    MODIFIER := unique | index          a unique constraint uq_<table>_<column>, or an index
                                        ix_<table>_<column>

Every table also gets the article's primary key: `id uuid` with `gen_random_uuid()`.
The default answer is the article's two models:

    product: name str(100) = '', created_at timestamp = now;
    review: content str(1000) = '', rating decimal(2,1), created_at timestamp = now,
            product_id -> product

This module is the only parser: the Jinja extension renders from it and the pre-generation
hook validates with it, so a spec that renders is a spec that was validated.
"""

from __future__ import annotations

import keyword
import re
from dataclasses import dataclass

from template_extensions.column_types import COLUMN_TYPES, UNINDEXABLE, ColumnType, make_type
from template_extensions.defaults import check_default
from template_extensions.names import NameCollisionError, check_names
from template_extensions.reserved_words import RESERVED_NAMES
from template_extensions.schema import Column, Table
from template_extensions.table_order import TableOrderError, dependency_order

NAME = re.compile(r"[a-z][a-z0-9_]*\Z")
# Names longer than this would push generated lines past the formatter's 88 columns.
MAX_NAME_LENGTH = 30
MODIFIERS = ("unique", "index")
# Types with fewer than 100 values: a unique column of one would hold fewer rows than the
# generated tests add (one per table that refers to it, directly or not).
FEW_VALUES = frozenset({"bool", *(f"decimal(1,{scale})" for scale in (0, 1))})
STRING_DEFAULT = re.compile(r"[A-Za-z0-9 _.,:@/+-]*\Z")
TOKEN = re.compile(
    r"""\s*(?:
        (?P<name>[A-Za-z_][A-Za-z0-9_]*)
      | (?P<number>-?[0-9]+(?:\.[0-9]+)?)
      | (?P<string>'[^']*')
      | (?P<arrow>->)
      | (?P<punct>[:;,()?=])
    )""",
    re.VERBOSE,
)


class ModelSpecError(ValueError):
    """A `models` answer that cannot be rendered; the message names the bad token."""


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    position: int


def tokenize(spec: str) -> list[Token]:
    tokens: list[Token] = []
    position = 0
    stripped_end = len(spec.rstrip())
    while position < stripped_end:
        match = TOKEN.match(spec, position)
        if match is None or match.lastgroup is None:
            start = len(spec) - len(spec[position:].lstrip())
            raise ModelSpecError(
                f"models: unexpected character {spec[start]!r} at position {start}; "
                "allowed are names, numbers, 'quoted text' and : ; , ( ) ? = ->"
            )
        tokens.append(
            Token(match.lastgroup, match.group(match.lastgroup), match.start(match.lastgroup))
        )
        position = match.end()
    return tokens


class Parser:
    """Recursive descent over the tokens; one method per grammar rule."""

    def __init__(self, spec: str) -> None:
        self.tokens = tokenize(spec)
        self.index = 0

    def parse(self) -> list[Table]:
        if not self.tokens:
            raise ModelSpecError("models: the spec is empty; describe at least one table")
        tables = [self.table()]
        while self.accept(";"):
            if self.peek() is None:
                break
            tables.append(self.table())
        if self.peek() is not None:
            self.fail("';' between tables or ',' between columns", self.peek())
        return tables

    def table(self) -> Table:
        name = self.name("a table name")
        self.expect(":", f"':' after table {name!r}")
        columns = [self.column(name)]
        while self.accept(","):
            columns.append(self.column(name))
        return Table(name, tuple(columns))

    def column(self, table: str) -> Column:
        name = self.name(f"a column name in table {table!r}")
        if self.accept("->"):
            target = self.name(f"a table name after '{name} ->'")
            return Column(name, COLUMN_TYPES["uuid"], self.accept("?"), None, target)
        column_type = self.column_type(table, name)
        nullable = self.accept("?")
        default = self.default(table, name, column_type) if self.accept("=") else None
        modifier = self.modifier(table, name, column_type)
        return Column(
            name,
            column_type,
            nullable,
            default,
            unique=modifier == "unique",
            index=modifier == "index",
        )

    def modifier(self, table: str, column: str, column_type: ColumnType) -> str | None:
        token = self.peek()
        if token is None or token.kind != "name" or token.text not in MODIFIERS:
            return None
        self.index += 1
        if column_type.keyword in UNINDEXABLE:
            raise ModelSpecError(
                f"models: column {table}.{column} of type {column_type.spec} cannot be "
                f"{token.text}: PostgreSQL cannot compare json values; use jsonb"
            )
        if token.text == "unique" and column_type.spec in FEW_VALUES:
            raise ModelSpecError(
                f"models: column {table}.{column} of type {column_type.spec} cannot be unique: "
                "it has too few values for the example tests' rows; use index or a wider type"
            )
        return token.text

    def column_type(self, table: str, column: str) -> ColumnType:
        token = self.take(f"a type for column {table}.{column}")
        if token.kind != "name" or token.text not in COLUMN_TYPES:
            self.fail(f"a type for column {table}.{column} ({', '.join(COLUMN_TYPES)})", token)
        arity = COLUMN_TYPES[token.text].arity
        arguments: list[int] = []
        if arity:
            self.expect("(", f"'(' after {token.text}")
            arguments.append(self.integer(token.text))
            while len(arguments) < arity:
                self.expect(",", f"',' in {token.text}(...)")
                arguments.append(self.integer(token.text))
            self.expect(")", f"')' to close {token.text}(...)")
        try:
            return make_type(token.text, arguments)
        except ValueError as error:
            raise ModelSpecError(f"models: column {table}.{column}: {error}") from None

    def default(self, table: str, column: str, column_type: ColumnType) -> str:
        token = self.take(f"a default value for {table}.{column}")
        value = token.text
        if token.kind == "string" and not STRING_DEFAULT.match(value[1:-1]):
            self.fail("a quoted default of letters, digits, spaces and _ . , : @ / + -", token)
        if not column_type.accepts_default(token.kind, value):
            raise ModelSpecError(
                f"models: default {value} does not suit column {table}.{column} of type "
                f"{column_type.spec}; allowed: {column_type.default_hint}"
            )
        problem = check_default(column_type, value)
        if problem:
            raise ModelSpecError(f"models: default {value} of column {table}.{column} {problem}")
        return value

    def name(self, what: str) -> str:
        token = self.take(what)
        if token.kind != "name":
            self.fail(what, token)
        return token.text

    def integer(self, type_name: str) -> int:
        token = self.take(f"a whole number in {type_name}(...)")
        if token.kind != "number" or not token.text.isdigit():
            self.fail(f"a whole number in {type_name}(...)", token)
        return int(token.text)

    def peek(self) -> Token | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def take(self, what: str) -> Token:
        token = self.peek()
        if token is None:
            raise ModelSpecError(f"models: the spec ends where {what} was expected")
        self.index += 1
        return token

    def accept(self, text: str) -> bool:
        token = self.peek()
        if token is not None and token.kind != "string" and token.text == text:
            self.index += 1
            return True
        return False

    def expect(self, text: str, what: str) -> None:
        if not self.accept(text):
            self.fail(what, self.peek())

    def fail(self, what: str, token: Token | None = None) -> None:
        if token is None:
            raise ModelSpecError(f"models: the spec ends where {what} was expected")
        raise ModelSpecError(
            f"models: expected {what}, got {token.text!r} at position {token.position}"
        )


def check_name(kind: str, name: str) -> None:
    if not NAME.match(name):
        raise ModelSpecError(
            f"models: {kind} name {name!r} is not allowed; use lower_snake_case "
            "(a-z, 0-9, _), starting with a letter"
        )
    if len(name) > MAX_NAME_LENGTH:
        raise ModelSpecError(
            f"models: {kind} name {name!r} is {len(name)} characters; "
            f"at most {MAX_NAME_LENGTH} are allowed"
        )
    if name in RESERVED_NAMES or keyword.iskeyword(name):
        raise ModelSpecError(
            f"models: {kind} name {name!r} is a reserved word in SQL, Python or SQLAlchemy; "
            "choose another name"
        )


def check_tables(tables: list[Table]) -> None:
    names = [table.name for table in tables]
    for table in tables:
        check_name("table", table.name)
        if names.count(table.name) > 1:
            raise ModelSpecError(f"models: table {table.name!r} is defined twice")
        column_names = [column.name for column in table.columns]
        for column in table.columns:
            check_name("column", column.name)
            if column.name == "id":
                raise ModelSpecError(
                    f"models: column {table.name}.id is added to every table; remove it"
                )
            if column_names.count(column.name) > 1:
                raise ModelSpecError(f"models: column {table.name}.{column.name} is defined twice")
            if column.references:
                check_foreign_key(table, column, names)


def check_foreign_key(table: Table, column: Column, table_names: list[str]) -> None:
    if column.references not in table_names:
        raise ModelSpecError(
            f"models: {table.name}.{column.name} refers to table {column.references!r}, "
            f"which is not defined; tables: {', '.join(table_names)}"
        )
    if column.references == table.name and not column.nullable:
        raise ModelSpecError(
            f"models: {table.name}.{column.name} refers to its own table and must be "
            f"nullable, or no first row could be added; write '{column.name} -> {table.name}?'"
        )


def parse_models(spec: str, framework: str = "none") -> list[Table]:
    """Parse and check a `models` answer; raise ModelSpecError naming the first problem.

    With `framework` "fastapi" the names of the API's modules are checked too.
    """
    tables = Parser(spec).parse()
    check_tables(tables)
    try:
        ordered = dependency_order(tables)
        check_names(ordered, framework)
    except (NameCollisionError, TableOrderError) as error:
        raise ModelSpecError(str(error)) from None
    return ordered
