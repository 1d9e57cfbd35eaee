"""Tables and columns parsed from the `models` answer, with the Python text each one renders to.

The templates stay plain loops over these values; every piece of generated source text comes
from here, so the models, the initial migration and the example tests agree by construction.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from template_extensions.column_types import SAMPLE_CONSTANTS, ColumnType

STDLIB_MODULES = ("collections", "datetime", "decimal", "uuid")


@dataclass(frozen=True)
class Column:
    name: str
    type: ColumnType
    nullable: bool = False
    server_default: str | None = None
    references: str | None = None
    unique: bool = False
    index: bool = False
    # A nullable foreign key that closes a cycle: added after both tables (`use_alter`), and
    # left NULL by the factories, which would otherwise build rows forever.
    deferred: bool = False

    @property
    def annotation(self) -> str:
        """The `Mapped[...]` argument; SQLAlchemy derives NOT NULL from it."""
        return f"{self.type.python} | None" if self.nullable else self.type.python

    @property
    def server_default_expression(self) -> str | None:
        if self.server_default is None:
            return None
        if self.server_default.startswith("'"):
            # A plain string is written as an SQL literal; in sa.text() ':x' would be a bind.
            return _quoted(self.server_default[1:-1])
        sql = "now()" if self.server_default == "now" else self.server_default
        return f"sa.text({_quoted(sql)})"

    @property
    def model_arguments(self) -> list[str]:
        """Arguments of `mapped_column(...)` in models.py."""
        if self.references:
            target = _quoted(self.references + ".id")
            use_alter = ", use_alter=True" if self.deferred else ""
            return [
                f'sa.ForeignKey({target}, ondelete="CASCADE"{use_alter})',
                "index=True",
            ]
        arguments = [self.type.sqlalchemy]
        if self.server_default_expression:
            arguments.append(f"server_default={self.server_default_expression}")
        if self.unique:
            arguments.append("unique=True")
        if self.index:
            arguments.append("index=True")
        return arguments

    @property
    def indexed(self) -> bool:
        """Whether the migration creates an index `ix_<table>_<column>` for this column."""
        return self.index or self.references is not None

    @property
    def migration_arguments(self) -> list[str]:
        """Arguments of `sa.Column(...)` in the initial migration."""
        arguments = [_quoted(self.name), self.type.sqlalchemy]
        if self.server_default_expression:
            arguments.append(f"server_default={self.server_default_expression}")
        arguments.append(f"nullable={self.nullable}")
        return arguments


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[Column, ...]

    @property
    def class_name(self) -> str:
        return "".join(part.capitalize() for part in self.name.split("_"))

    @property
    def factory_name(self) -> str:
        """The function in the rendered tests/factories.py that adds a row."""
        return f"add_{self.name}"

    @property
    def create_schema(self) -> str:
        """The API's Pydantic schema of a request body that adds a row."""
        return f"{self.class_name}Create"

    @property
    def read_schema(self) -> str:
        """The API's Pydantic schema of a row it returns."""
        return f"{self.class_name}Read"

    @property
    def router_name(self) -> str:
        return f"{self.name}_router"

    @property
    def route_names(self) -> tuple[str, ...]:
        """The API's route functions: create, get by id, list, delete."""
        return tuple(f"{verb}_{self.name}" for verb in ("create", "get", "list", "delete"))

    @property
    def route_test_names(self) -> tuple[str, ...]:
        """The tests of those routes (the 409 test only where a foreign key can break)."""
        names = [f"test_{self.name}_routes", f"test_{self.name}_404", f"test_{self.name}_422"]
        if self.foreign_keys:
            names.append(f"test_{self.name}_broken_foreign_key_409")
        return tuple(names)

    @property
    def test_name(self) -> str:
        return f"test_{self.name}_keeps_every_column"

    def cascade_test_name(self, column: Column) -> str:
        return f"test_{self.name}_{column.name}_cascades"

    @property
    def foreign_keys(self) -> tuple[Column, ...]:
        return tuple(column for column in self.columns if column.references)

    @property
    def plain_columns(self) -> tuple[Column, ...]:
        return tuple(column for column in self.columns if not column.references)

    @property
    def parents(self) -> tuple[Column, ...]:
        """Foreign keys to other tables: each needs a parent row before this one is added."""
        return tuple(
            column
            for column in self.foreign_keys
            if column.references != self.name and not column.deferred
        )

    @property
    def inline_foreign_keys(self) -> tuple[Column, ...]:
        """Foreign keys created with the table; the deferred ones are added after all tables."""
        return tuple(column for column in self.foreign_keys if not column.deferred)

    @property
    def deferred_foreign_keys(self) -> tuple[Column, ...]:
        return tuple(column for column in self.foreign_keys if column.deferred)

    @property
    def indexed_columns(self) -> tuple[Column, ...]:
        return tuple(column for column in self.columns if column.indexed)

    @property
    def unique_columns(self) -> tuple[Column, ...]:
        return tuple(column for column in self.columns if column.unique)

    @property
    def parent_tables(self) -> list[str]:
        """The other tables this one refers to, once each: one parent row serves them all."""
        return list(dict.fromkeys(str(column.references) for column in self.parents))

    def foreign_key_name(self, column: Column) -> str:
        """The name the models' naming convention gives this foreign key."""
        return f"fk_{self.name}_{column.name}_{column.references}"

    def index_name(self, column: Column) -> str | None:
        return f"ix_{self.name}_{column.name}" if column.indexed else None

    def unique_name(self, column: Column) -> str | None:
        return f"uq_{self.name}_{column.name}" if column.unique else None


def model_imports(tables: list[Table]) -> list[str]:
    """Standard-library imports for the models' annotations (uuid for every `id`)."""
    annotations = [column.type.python for table in tables for column in table.columns]
    return stdlib_imports(["uuid.UUID", *annotations])


def sample_constants(tables: list[Table]) -> dict[str, str]:
    """The SAMPLE_CONSTANTS the tables' columns use, by name."""
    return constants_in([column.type.sample for table in tables for column in table.plain_columns])


def constants_in(code: list[str]) -> dict[str, str]:
    """The SAMPLE_CONSTANTS `code` uses, by name."""
    used = " ".join(code)
    return {
        name: value for name, value in SAMPLE_CONSTANTS.items() if re.search(rf"\b{name}\b", used)
    }


def unique_samples(table: Table) -> dict[str, str]:
    """The factories' sample of each unique column of `table` (foreign keys aside), by name.

    A test that lets polyfactory fill a row gives these columns the samples instead: random
    values may repeat, which a unique column refuses.
    """
    return {column.name: column.type.sample for column in table.plain_columns if column.unique}


def uses_samples(tables: list[Table]) -> bool:
    """Whether any factory draws a `seq` number (tables with only foreign keys do not)."""
    return any(table.plain_columns for table in tables)


def sample_imports(tables: list[Table]) -> list[str]:
    """Standard-library imports for the sample values the factories write."""
    samples = [column.type.sample for table in tables for column in table.plain_columns]
    counter = ["collections.Counter"] if uses_samples(tables) else []
    return stdlib_imports([*samples, *counter, *sample_constants(tables).values()])


def stdlib_imports(code: list[str]) -> list[str]:
    """Import lines, in isort's order, for the standard-library names `code` uses."""
    text = " ".join(code)
    lines = [f"import {module}" for module in STDLIB_MODULES if f"{module}." in text]
    if "Any" in text:
        lines.append("from typing import Any")
    return lines


def uses_jsonb(tables: list[Table]) -> bool:
    return any(column.type.keyword == "jsonb" for table in tables for column in table.columns)


def _quoted(text: str) -> str:
    """A Python string literal in double quotes, as ruff format writes it."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
