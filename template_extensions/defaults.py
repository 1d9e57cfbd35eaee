"""Whether a server default fits its column, checked when the answer is parsed.

PostgreSQL checks a default only when a row uses it, which for the generated tests is never
and for the user is the first insert: `int = 99999999999`, `str(3) = 'toolong'` or
`decimal(2,1) = 100` would be accepted by the migration and fail later. They are refused here.
"""

from __future__ import annotations

from decimal import Decimal, localcontext

from template_extensions.column_types import ColumnType

# The default's line of the initial migration, `server_default=sa.text("<number>"),` at
# 12 spaces, must fit in the formatter's 88 columns (a quoted text has room to spare).
MAX_DEFAULT_LENGTH = 49
INTEGER_BITS = {"int": 32, "bigint": 64}


def check_default(column_type: ColumnType, value: str) -> str | None:
    """What is wrong with `value` as a default of `column_type`, or None if it fits."""
    length = len(value) - 2 if value.startswith("'") else len(value)
    if length > MAX_DEFAULT_LENGTH:
        return f"is {length} characters long; at most {MAX_DEFAULT_LENGTH} are allowed"
    if column_type.keyword in INTEGER_BITS:
        return _integer(column_type, int(value))
    if column_type.keyword == "str":
        length = int(column_type.spec[4:-1])
        if len(value) - 2 > length:
            return f"is {len(value) - 2} characters long; {column_type.spec} holds {length}"
    if column_type.keyword == "decimal":
        return _decimal(column_type, Decimal(value))
    return None


def _integer(column_type: ColumnType, value: int) -> str | None:
    bits = INTEGER_BITS[column_type.keyword]
    lowest, highest = -(2 ** (bits - 1)), 2 ** (bits - 1) - 1
    if not lowest <= value <= highest:
        return f"is out of range for {column_type.spec}; allowed: {lowest} to {highest}"
    return None


def _decimal(column_type: ColumnType, value: Decimal) -> str | None:
    precision, scale = (int(part) for part in column_type.spec[8:-1].split(","))
    with localcontext() as context:
        context.prec = precision + len(value.as_tuple().digits) + 2  # no rounding but ours
        too_large = abs(round(value, scale)) >= Decimal(10) ** (precision - scale)
    if too_large:
        return (
            f"does not fit {column_type.spec}: at most {precision - scale} digits before "
            "the decimal point are allowed"
        )
    return None
