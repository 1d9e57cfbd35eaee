"""The order the initial migration creates tables in, and the foreign keys that must wait.

Referenced tables come first, so `create_table` never names a table that does not exist yet.
Foreign keys that form a cycle cannot all be created with their tables: when the remaining
tables all wait on each other, the first one whose waiting is only on nullable foreign keys is
created without them, and those keys are marked `deferred` (`use_alter`: added after every
table exists). A cycle of NOT NULL keys could never hold a first row, so it is refused.
"""

from __future__ import annotations

from dataclasses import replace

from template_extensions.schema import Table


class TableOrderError(ValueError):
    """Foreign keys that no order of tables can satisfy."""


def dependency_order(tables: list[Table]) -> list[Table]:
    """The tables, referenced ones first, with cycle-closing foreign keys marked deferred."""
    ordered: list[Table] = []
    remaining = list(tables)
    while remaining:
        done = {table.name for table in ordered}
        ready = [table for table in remaining if not _waits_on(table, done)]
        if not ready:
            ready = [_break_cycle(remaining, done)]
        ordered.extend(ready)
        names = {table.name for table in ready}
        remaining = [table for table in remaining if table.name not in names]
    return ordered


def _waits_on(table: Table, done: set[str]) -> list[str]:
    """Tables this one refers to that are not created yet (itself excluded)."""
    return [
        str(column.references)
        for column in table.foreign_keys
        if column.references not in done and column.references != table.name
    ]


def _break_cycle(remaining: list[Table], done: set[str]) -> Table:
    for table in remaining:
        waiting = [
            column
            for column in table.foreign_keys
            if column.references not in done and column.references != table.name
        ]
        if all(column.nullable for column in waiting):
            columns = tuple(
                replace(column, deferred=True) if column in waiting else column
                for column in table.columns
            )
            return replace(table, columns=columns)
    cycle = ", ".join(table.name for table in remaining)
    raise TableOrderError(
        f"models: foreign keys form a cycle between tables {cycle}; "
        "make one of them nullable ('column -> table?')"
    )
