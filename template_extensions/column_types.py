"""The column types a `models` answer may use, and how each one is written in Python and SQL.

One table holds every type so that the models, the initial migration and the example tests
are rendered from the same facts and cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

MAX_STRING_LENGTH = 10_485_760  # PostgreSQL's limit for varchar(n)
MAX_NUMERIC_PRECISION = 1000  # PostgreSQL's limit for numeric(p, s)

# Which server defaults (see model_spec.DEFAULT) each family of types accepts.
DEFAULT_HINTS = {
    "now": "now",
    "bool": "true or false",
    "text": "a 'quoted' text",
    "int": "a whole number",
    "number": "a number",
    "": "no server default for this type",
}


@dataclass(frozen=True)
class ColumnType:
    """One spec type. `sqlalchemy` is written the same in the models and the migration."""

    keyword: str
    python: str
    sqlalchemy: str
    sample: str
    defaults: str = ""
    arity: int = 0
    spec: str = ""

    def accepts_default(self, kind: str, value: str) -> bool:
        """`kind` is the token kind of `value`: name, number or string."""
        if self.defaults in ("now", "bool"):
            return kind == "name" and value in DEFAULT_VALUES[self.defaults]
        if self.defaults == "text":
            return kind == "string"
        if self.defaults == "int":
            return kind == "number" and "." not in value
        return self.defaults == "number" and kind == "number"

    @property
    def default_hint(self) -> str:
        return DEFAULT_HINTS[self.defaults]


DEFAULT_VALUES = {"now": ("now",), "bool": ("true", "false")}

# Samples are expressions of `seq`, a number the factory draws once per call, so every row
# it adds has distinct values and a `unique` column never breaks the generated tests.
COLUMN_TYPES: dict[str, ColumnType] = {
    column_type.keyword: replace(column_type, spec=column_type.spec or column_type.keyword)
    for column_type in (
        ColumnType("str", "str", "sa.String({0})", "", defaults="text", arity=1),
        ColumnType("text", "str", "sa.Text()", 'f"sample text {seq}"', defaults="text"),
        ColumnType("int", "int", "sa.Integer()", "seq", defaults="int"),
        ColumnType("bigint", "int", "sa.BigInteger()", "9_000_000_000 + seq", defaults="int"),
        ColumnType("bool", "bool", "sa.Boolean()", "seq % 2 == 0", defaults="bool"),
        ColumnType(
            "decimal", "decimal.Decimal", "sa.Numeric({0}, {1})", "", defaults="number", arity=2
        ),
        ColumnType("float", "float", "sa.Double()", "seq + 0.5", defaults="number"),
        ColumnType(
            "timestamp", "datetime.datetime", "sa.DateTime()", "TIMESTAMP + seq * SECOND", "now"
        ),
        ColumnType(
            "timestamptz",
            "datetime.datetime",
            "sa.DateTime(timezone=True)",
            "TIMESTAMPTZ + seq * SECOND",
            "now",
        ),
        ColumnType("date", "datetime.date", "sa.Date()", "DATE + seq * DAY", defaults="now"),
        ColumnType("uuid", "uuid.UUID", "sa.Uuid()", "uuid.UUID(int=seq)"),
        ColumnType("json", "dict[str, Any]", "sa.JSON()", '{"key": seq}'),
        ColumnType("jsonb", "dict[str, Any]", "postgresql.JSONB()", '{"key": seq}'),
    )
}
# PostgreSQL has no equality for json, so no unique constraint or b-tree index on it.
UNINDEXABLE = frozenset({"json"})


# Sample values too long to repeat on every line are constants of the generated factories.
SAMPLE_CONSTANTS = {
    "TIMESTAMP": "datetime.datetime(2024, 1, 2, 3, 4, 5)",
    "TIMESTAMPTZ": "datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=datetime.UTC)",
    "DATE": "datetime.date(2024, 1, 2)",
    "SECOND": "datetime.timedelta(seconds=1)",
    "DAY": "datetime.timedelta(days=1)",
}


def make_type(keyword: str, arguments: list[int]) -> ColumnType:
    """The type `keyword(arguments)`; ValueError names an argument out of range."""
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
        sample='f"sample {seq}"' if length >= 20 else f"str(seq)[-{length}:]",
    )


def _string_sample(length: int) -> str:
    """A text of at most `length` characters, distinct for at least 16**length calls."""
    if length >= 20:
        return 'f"sample {seq}"'
    if length >= 8:
        return "str(seq)"
    if length > 1:
        return f'f"{{seq:x}}"[-{length}:]'
    return "chr(0x4E00 + seq % 20_000)"  # one CJK character: 20,000 of them


def _decimal(base: ColumnType, precision: int, scale: int) -> ColumnType:
    if not 1 <= precision <= MAX_NUMERIC_PRECISION:
        raise ValueError(
            f"decimal({precision},{scale}) needs a precision from 1 to {MAX_NUMERIC_PRECISION}"
        )
    if scale > precision:
        raise ValueError(
            f"decimal({precision},{scale}) needs a scale from 0 to the precision ({precision})"
        )
    modulus = f"10**{precision}" if precision > 9 else str(10**precision)
    scaled = f".scaleb(-{scale})" if scale else ""
    return replace(
        base,
        spec=f"decimal({precision},{scale})",
        sqlalchemy=base.sqlalchemy.format(precision, scale),
        sample=f"decimal.Decimal(seq % {modulus}){scaled}",
    )
