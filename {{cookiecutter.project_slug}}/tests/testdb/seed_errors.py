"""One line for a seed that raised: where in the seed, the row, and what went wrong.

A seed's error would otherwise come as a traceback through SQLAlchemy's flush, which
names neither the seed's line nor, for one INSERT of many rows, the row at fault.
"""

import re
import traceback
from pathlib import Path

from sqlalchemy.exc import DBAPIError

STATEMENT = re.compile(
    r"(?:INSERT INTO|UPDATE|DELETE FROM) (?P<table>\S+)(?: \((?P<columns>[^)]*)\))?"
)


def describe(error: Exception, seed_file: Path) -> str:
    """One line: where in the seed, what went wrong, and the row."""
    lines = [
        frame.lineno
        for frame in traceback.extract_tb(error.__traceback__)
        if Path(frame.filename) == seed_file
    ]
    where = f"{seed_file.parent.name}/{seed_file.name}"
    where += f", line {lines[-1]}" if lines else ""
    if isinstance(error, DBAPIError):
        what = f"{row(error)}: {database_message(error)}"
    else:
        what = f"{type(error).__name__}: {error}"
    return f"the seed failed ({where}): {what}; fix the seed, then run the tests again"


def row(error: DBAPIError) -> str:
    """`table row (column=value, ...)` from the failed statement and its parameters."""
    statement = " ".join(str(error.statement).split())
    found = STATEMENT.match(statement)
    if not found:
        return f"statement {statement[:80]}"
    table, columns = found["table"], (found["columns"] or "").split(", ")
    values = error.params
    if isinstance(values, dict):
        pairs = [f"{name}={value!r}" for name, value in values.items()]
    elif isinstance(values, tuple | list) and len(values) == len(columns):
        pairs = [f"{n}={v!r}" for n, v in zip(columns, values, strict=True)]
    else:
        pairs = [repr(values)]
    return f"{table} row ({', '.join(pairs)})"


def database_message(error: DBAPIError) -> str:
    """The server's message, with its DETAIL (which often names the row's key)."""
    original = error.orig
    message = " ".join(str(original).split())
    # asyncpg's own error, under SQLAlchemy's adapter, keeps the detail apart.
    detail = getattr(getattr(original, "__cause__", None), "detail", None)
    if detail and detail not in message:
        message += f" DETAIL: {detail}"
    return message
