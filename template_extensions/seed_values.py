"""The values of the example row the rendered tests/seed.py adds to the first table.

A seed row stays in every test's database, next to the rows the factories add, so its values
must be ones the factories never write: a `unique` column would otherwise refuse a factory's
row in some later test. The factories draw `seq` from 1 upwards (column_types.py), so the seed
takes what `seq` 0 would give where that value never comes back, and otherwise a value outside
what the factories write: a text that is neither digits nor "sample ...", a negative decimal.
"""

from __future__ import annotations

from template_extensions.schema import Column

SEED_TEXT = "seed"
# The factories' sample expression with `seq` 0, for types whose samples never repeat.
AT_SEQ_ZERO = {
    "int": "0",
    "bigint": "0",
    "bool": "False",
    "float": "-0.5",
    "timestamp": "TIMESTAMP",
    "timestamptz": "TIMESTAMPTZ",
    "date": "DATE",
    "uuid": "uuid.UUID(int=0)",
    "json": '{"key": 0}',
    "jsonb": '{"key": 0}',
}


def seed_value(column: Column) -> str:
    """A Python expression for `column`'s value in the seed row."""
    keyword = column.type.keyword
    if keyword in AT_SEQ_ZERO:
        return AT_SEQ_ZERO[keyword]
    if keyword == "decimal":
        # The factories write seq modulo 10**precision: never a negative number.
        scale = column.type.spec.rstrip(")").split(",")[1]
        return f'decimal.Decimal("-1e-{scale}")' if scale != "0" else 'decimal.Decimal("-1")'
    length = int(column.type.spec[4:-1]) if keyword == "str" else len(SEED_TEXT)
    return '"' + SEED_TEXT[:length] + '"'
