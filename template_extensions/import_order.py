"""The order ruff's isort gives the names of one `from x import (...)` statement.

Generated imports must already be in that order, or `ruff check` fails on a fresh project:
CONSTANTS first (more than one character, all upper case), then Classes, then the rest,
each group in natural order ("t2" before "t10"), ignoring case.
"""

import re

NUMBERS = re.compile(r"(\d+)")


def import_order(names: list[str]) -> list[str]:
    return sorted(names, key=_sort_key)


def _sort_key(name: str) -> tuple[int, list[object], list[object]]:
    return (_member_type(name), _natural(name.lower()), _natural(name))


def _member_type(name: str) -> int:
    if len(name) > 1 and name.isupper():
        return 0
    return 1 if name[:1].isupper() else 2


def _natural(text: str) -> list[object]:
    return [int(part) if part.isdigit() else part for part in NUMBERS.split(text)]
