"""The column types a `models` answer may use, and how each one is written in Python and SQL.

One table holds every type so that the models, the initial migration and the example tests
are rendered from the same facts and cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

MAX_STRING_LENGTH = 10_485_760  # PostgreSQL's limit for varchar(n)
MAX_NUMERIC_PRECISION = 1000  # PostgreSQL's limit for numeric(p, s)


@dataclass(frozen=True)
class ColumnType:
    """How one spec type is written: `sqlalchemy` serves models and migration alike."""

    keyword: str
    arity: int
    python: str
    sqlalchemy: str
    sample: str
    modules: frozenset[str]
    defaults: str
    spec: str = ""

    def accepts_default(self, kind: str, value: str) -> bool:
        if self.defaults == "now":
            return value == "now"
        if self.defaults == "bool":
            return value in ("true", "false")
        if self.defaults == "text":
            return kind == "string"
        if self.defaults == "int":
            return kind == "number" and "." not in value
        if self.defaults == "number":
            return kind == "number"
        return False

    @property
    def default_hint(self) -> str:
        return {
            "now": "now",
            "bool": "true or false",
            "text": "a 'quoted' text",
            "int": "a whole number",
            "number": "a number",
        }.get(self.defaults, "no server default for this type")


def _plain(keyword: str, python: str, sqlalchemy: str, sample: str, defaults: str) -> ColumnType:
    modules = frozenset(module for module in ("datetime", "uuid") if module in python)
    if "Any" in python:
        modules |= {"typing"}
    return ColumnType(keyword, 0, python, sqlalchemy, sample, modules, defaults, keyword)


COLUMN_TYPES: dict[str, ColumnType] = {
    "str": ColumnType("str", 1, "str", "sa.String({0})", "", frozenset(), "text"),
    "text": _plain("text", "str", "sa.Text()", '"sample text"', "text"),
    "int": _plain("int", "int", "sa.Integer()", "42", "int"),
    "bigint": _plain("bigint", "int", "sa.BigInteger()", "9_000_000_000", "int"),
    "bool": _plain("bool", "bool", "sa.Boolean()", "True", "bool"),
    "decimal": ColumnType(
        "decimal", 2, "decimal.Decimal", "sa.Numeric({0}, {1})", "", frozenset({"decimal"}), "number"
    ),
    "float": _plain("float", "float", "sa.Double()", "1.5", "number"),
    "timestamp": _plain(
        "timestamp",
        "datetime.datetime",
        "sa.DateTime()",
        "datetime.datetime(2024, 1, 2, 3, 4, 5)",
        "now",
    ),
    "timestamptz": _plain(
        "timestamptz",
        "datetime.datetime",
        "sa.DateTime(timezone=True)",
        "datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=datetime.UTC)",
        "now",
    ),
    "date": _plain("date", "datetime.date", "sa.Date()", "datetime.date(2024, 1, 2)", "now"),
    "uuid": _plain(
        "uuid", "uuid.UUID", "sa.Uuid()", 'uuid.UUID("12345678-1234-5678-1234-567812345678")', ""
    ),
    "json": _plain("json", "dict[str, Any]", "sa.JSON()", '{"key": "value"}', ""),
    "jsonb": _plain("jsonb", "dict[str, Any]", "postgresql.JSONB()", '{"key": "value"}', ""),
}


def make_type(keyword: str, arguments: list[int]) -> ColumnType:
    """The concrete type for `keyword(arguments)`; ValueError says which argument is out of range."""
    base = COLUMN_TYPES[keyword]
    if keyword == "str":
        return _string(base, *arguments)
    if keyword == "decimal":
        return _decimal(base, *arguments)
    return base


def _string(base: ColumnType, length: int) -> ColumnType:
    if not 1 <= length <= MAX_STRING_LENGTH:
        raise ValueError(f"str({length}) needs a length from 1 to {MAX_STRING_LENGTH}")
    return replace(
        base,
        spec=f"str({length})",
        sqlalchemy=base.sqlalchemy.format(length),
        sample=repr("sample"[:length]).replace("'", '"'),
    )


def _decimal(base: ColumnType, precision: int, scale: int) -> ColumnType:
    if not 1 <= precision <= MAX_NUMERIC_PRECISION:
        raise ValueError(
            f"decimal({precision},{scale}) needs a precision from 1 to {MAX_NUMERIC_PRECISION}"
        )
    if scale > precision:
        raise ValueError(
            f"decimal({precision},{scale}) needs a scale from 0 to the precision ({precision})"
        )
    whole = "1" if precision > scale else "0"
    fraction = f".{'5' * scale}" if scale else ""
    return replace(
        base,
        spec=f"decimal({precision},{scale})",
        sqlalchemy=base.sqlalchemy.format(precision, scale),
        sample=f'decimal.Decimal("{whole}{fraction}")',
    )
