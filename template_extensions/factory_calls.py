"""How the rendered tests/factories.py builds the parent rows a new row needs, each once.

A factory that let every parent build its own parents would add the shared grandparents again
and again (a chain of 60 tables, each referring to all the earlier ones, would add 2**59
rows). Instead each factory takes every ancestor as an optional keyword, builds the missing
ones once, oldest first, and hands each one the ancestors it needs.
"""

from __future__ import annotations

from template_extensions.schema import Table

MAX_LINE = 88  # the rendered project's formatter width


def ancestors(table: Table, tables: list[Table]) -> list[Table]:
    """Every table `table` needs a row of before its own, in creation (dependency) order."""
    by_name = {each.name: each for each in tables}
    needed: set[str] = set()
    pending = list(table.parent_tables)
    while pending:
        name = pending.pop()
        if name not in needed:
            needed.add(name)
            pending.extend(by_name[name].parent_tables)
    return [each for each in tables if each.name in needed]


def factory_call(table: Table, tables: list[Table], indent: int) -> str:
    """`<name> = await add_<name>(session, <ancestor>=<ancestor>, ...)` as ruff formats it."""
    arguments = ["session", *(f"{each.name}={each.name}" for each in ancestors(table, tables))]
    prefix = " " * indent + f"{table.name} = await {table.factory_name}("
    line = prefix + ", ".join(arguments) + ")"
    if len(line) <= MAX_LINE:
        return line
    inner = " " * (indent + 4)
    return (
        prefix
        + "".join(f"\n{inner}{argument}," for argument in arguments)
        + "\n"
        + " " * indent
        + ")"
    )
