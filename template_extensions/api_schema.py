"""The Pydantic fields of the rendered API's schemas, from the same parse as the models.

`<Class>Read` declares each column with the models' own annotation, so what the API returns
has the types the database holds. `<Class>Create` adds what the database would otherwise
refuse with an error the API could only report as a 500: the length of a `str(n)`, the
digits of a `decimal(p,s)`, the range of an `int`, and a naive or an aware datetime as the
column is `timestamp` or `timestamptz`. A column with a server default or NULL allowed may be
left out (or sent as null): the database fills it in.
"""

from __future__ import annotations

from template_extensions.import_order import import_order
from template_extensions.schema import Column, Table

MAX_LINE = 88  # the rendered project's formatter width
DATETIMES = {"timestamp": "NaiveDatetime", "timestamptz": "AwareDatetime"}
INTEGER_BITS = {"int": 32, "bigint": 64}


def create_annotation(column: Column) -> str:
    python = DATETIMES.get(column.type.keyword, column.type.python)
    optional = column.nullable or column.server_default is not None
    return f"{python} | None" if optional else python


def field_arguments(column: Column) -> list[str]:
    """Keyword arguments of `Field(...)` for the column's Create field."""
    arguments = []
    if column.nullable or column.server_default is not None:
        arguments.append("default=None")
    spec = column.type.spec
    if column.type.keyword == "str":
        arguments.append(f"max_length={spec[4:-1]}")
    elif column.type.keyword == "decimal":
        precision, scale = spec[8:-1].split(",")
        arguments += [f"max_digits={precision}", f"decimal_places={scale}"]
    elif column.type.keyword in INTEGER_BITS and not column.references:
        bits = INTEGER_BITS[column.type.keyword]
        arguments += [f"ge={-(2 ** (bits - 1))}", f"le={2 ** (bits - 1) - 1}"]
    return arguments


def create_field(column: Column) -> str:
    """The Create schema's line for `column`, at class-body indent, as ruff formats it."""
    prefix = f"    {column.name}: {create_annotation(column)}"
    arguments = field_arguments(column)
    if not arguments:
        return prefix
    if arguments == ["default=None"]:
        return f"{prefix} = None"
    return _call(f"{prefix} = Field(", arguments, indent=4)


def uses_field(tables: list[Table]) -> bool:
    return any(
        field_arguments(column) not in ([], ["default=None"])
        for table in tables
        for column in table.columns
    )


def pydantic_imports(tables: list[Table]) -> list[str]:
    """Names the schemas module imports from pydantic, in isort's order."""
    keywords = {column.type.keyword for table in tables for column in table.columns}
    names = ["BaseModel", "ConfigDict"]
    names += [DATETIMES[keyword] for keyword in DATETIMES if keyword in keywords]
    if uses_field(tables):
        names.append("Field")
    return import_order(names)


def _call(prefix: str, arguments: list[str], indent: int) -> str:
    line = prefix + ", ".join(arguments) + ")"
    if len(line) <= MAX_LINE:
        return line
    inner, closing = " " * (indent + 4), "\n" + " " * indent + ")"
    joined = inner + ", ".join(arguments)
    if len(joined) <= MAX_LINE:
        return f"{prefix}\n{joined}{closing}"
    return prefix + "".join(f"\n{inner}{argument}," for argument in arguments) + closing


def beyond_limit(table: Table) -> tuple[str, str] | None:
    """(column, a Python expression of a value past its Create limit) for the first column
    of `table` with a limit, so a test can show that such a value is a 422, not a 500."""
    for column in table.plain_columns:
        keyword, spec = column.type.keyword, column.type.spec
        if keyword == "str":
            return column.name, f'"x" * {int(spec[4:-1]) + 1}'
        if keyword == "decimal":
            precision, scale = (int(part) for part in spec[8:-1].split(","))
            return column.name, f'"1" + "0" * {precision - scale}'
        if keyword in INTEGER_BITS:
            return column.name, f"2**{INTEGER_BITS[keyword] - 1}"
    return None
