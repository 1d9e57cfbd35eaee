"""Every answer is checked before anything is rendered: a bad one stops the generation with
one line naming the question, the value and what is allowed, and leaves nothing on disk."""

from pathlib import Path

import pytest
from cookiecutter.exceptions import FailedHookException
from cookiecutter.main import cookiecutter

from tests.answers import LONG_ANSWERS, SHARED_FILES_TEST_COUNT
from tests.conftest import Bake
from tests.rendered import run, run_tests

TEMPLATE = Path(__file__).resolve().parents[1]
# Every project below isolates by rollback; its suite has the fixtures' tests, the
# migration safety checks and the seed's tests too.
FIXTURES = SHARED_FILES_TEST_COUNT["rollback"]

BAD_ANSWERS = [
    ({"project_name": " "}, "project_name: must not be empty"),
    (
        {"project_name": 'Evil"""; import os'},
        'project_name: \'Evil"""; import os\' is not allowed',
    ),
    ({"project_name": "Two\nlines"}, "project_name: 'Two\\nlines' is not allowed"),
    ({"project_name": "x" * 81}, "one line of at most 80 letters"),
    ({"project_name": "{% raw %}{{ 7 * 7 }}{% endraw %}"}, "project_name: '{{ 7 * 7 }}' is not"),
    ({"project_slug": "My Project"}, "project_slug: 'My Project' is not allowed; use lowercase"),
    ({"project_slug": "../escape"}, "project_slug: '../escape' is not allowed"),
    ({"project_slug": "double--hyphen"}, "project_slug: 'double--hyphen' is not allowed"),
    ({"project_slug": "pr\u043eject"}, "project_slug: 'pr\u043eject' is not allowed"),
    ({"package_name": "asyncio"}, "package_name: 'asyncio' would shadow the module"),
    ({"package_name": "sqlalchemy"}, "package_name: 'sqlalchemy' would shadow the module"),
    ({"package_name": "psycopg"}, "package_name: 'psycopg' would shadow the module"),
    ({"package_name": "test"}, "package_name: 'test' would shadow the module"),
    ({"package_name": "factories"}, "package_name: 'factories' would shadow the module"),
    ({"package_name": "seed"}, "package_name: 'seed' would shadow the module"),
    ({"package_name": "class"}, "package_name: 'class' is not allowed; use a lowercase ASCII"),
    ({"package_name": "my-package"}, "package_name: 'my-package' is not allowed"),
    ({"package_name": "p\u0430ckage"}, "package_name: 'p\u0430ckage' is not allowed"),
    ({"package_name": "x;import os"}, "package_name: 'x;import os' is not allowed"),
    ({"package_name": "a" * 31}, "of at most 30 characters"),
    ({"database_name": "example-db"}, "database_name: 'example-db' is not allowed"),
    ({"database_name": "db'; DROP DATABASE postgres; --"}, "database_name: \"db'; DROP"),
    ({"database_name": "Example"}, "database_name: 'Example' is not allowed"),
    ({"database_name": "d" * 41}, "at most 40 characters (the tests add suffixes"),
    ({"author_name": "Tab\there"}, "author_name: 'Tab\\there' is not allowed"),
    ({"description": "d" * 201}, "description: 'ddd"),
    ({"description": "multi\nline"}, "description: 'multi\\nline' is not allowed"),
    ({"description": 'say "hi" \\ bye'}, "description: 'say \"hi\" \\\\ bye' is not allowed"),
    ({"author_name": "<script>"}, "author_name: '<script>' is not allowed"),
    ({"models": "product: price decimal(2,3)"}, "models: column product.price: decimal(2,3)"),
    ({"models": "user: name text"}, "models: table name 'user' is a reserved word"),
    ({"models": "review: product_id -> products"}, "refers to table 'products', which is not"),
    (
        {"models": "t: a text = 'x'; DROP TABLE y; --'"},
        "models: unexpected character '-' at position 31",
    ),
    ({"models": 't: a text""" + __import__("os")'}, "models: unexpected character '\"'"),
    ({"models": "{% raw %}t: a text = '{{x}}'{% endraw %}"}, "models: expected a quoted default"),
    ({"models": "t: " + "c" * 31 + " int"}, "is 31 characters; at most 30 are allowed"),
]


@pytest.fixture
def output_dir(tmp_path: Path) -> Path:
    """An output directory that already holds another project, which must survive."""
    other = tmp_path / "other-project"
    other.mkdir()
    (other / "keep.txt").write_text("mine")
    return tmp_path


@pytest.mark.parametrize(
    ("answers", "message"),
    BAD_ANSWERS,
    ids=[f"{next(iter(answers))}-{number}" for number, (answers, _) in enumerate(BAD_ANSWERS)],
)
def test_bad_answer_stops_with_one_line_and_leaves_nothing(
    answers: dict[str, str],
    message: str,
    output_dir: Path,
    capfd: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(FailedHookException):
        cookiecutter(str(TEMPLATE), no_input=True, extra_context=answers, output_dir=output_dir)

    errors = [line for line in capfd.readouterr().err.splitlines() if line.startswith("error:")]
    assert len(errors) == 1
    assert message in errors[0]
    assert [path.name for path in output_dir.iterdir()] == ["other-project"]
    assert (output_dir / "other-project/keep.txt").read_text() == "mine"


def test_at_least_25_distinct_bad_answers() -> None:
    assert len({str(answers) for answers, _ in BAD_ANSWERS}) >= 25


@pytest.mark.parametrize(
    ("answers", "expected_tests"),
    [
        (LONG_ANSWERS, 19 + FIXTURES),
        (
            {
                "project_name": "Service 2",
                "package_name": "service2",
                "database_name": "db2",
                "models": "t1: c2 int, c3 str(1); t2: t1_id -> t1, n9 decimal(3,0)",
            },
            17 + FIXTURES,
        ),
        ({"project_name": "Notes", "models": "note: body text"}, 15 + FIXTURES),
        (
            {"project_name": "Zoë's Café", "project_slug": "zoe-cafe", "models": "a: b bool?"},
            15 + FIXTURES,
        ),
    ],
    ids=["longest-names", "digits", "one-table", "unicode-name"],
)
def test_unusual_good_answers_render_a_clean_working_project(
    bake: Bake, answers: dict[str, str], expected_tests: int
) -> None:
    project = bake(**answers)

    run(project, "-m", "ruff", "check", ".")
    run(project, "-m", "ruff", "format", "--check", ".")
    run(project, "-m", "mypy", "--strict")
    assert run_tests(project) == {"passed": expected_tests}
