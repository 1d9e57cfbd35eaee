"""Baking renders a complete project: the expected files, fully rendered, lint- and type-clean."""

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from tests.answers import DRIVERS, MATRIX, RICH_MODELS
from tests.conftest import Bake
from tests.rendered import run

EXPECTED_FILES = {
    ".env.example",
    ".github/workflows/ci.yml",
    ".gitignore",
    ".squawk.toml",
    "README.md",
    "alembic.ini",
    "pyproject.toml",
    "src/example_service/__init__.py",
    "src/example_service/db.py",
    "src/example_service/dev_db.py",
    "src/example_service/dsn.py",
    "src/example_service/migrations/env.py",
    "src/example_service/migrations/script.py.mako",
    "src/example_service/migrations/versions/0001_initial.py",
    "src/example_service/models.py",
    "src/example_service/py.typed",
    "src/example_service/settings.py",
    "tests/conftest.py",
    "tests/factories.py",
    "tests/test_data_migrations.py",
    "tests/test_fixtures_that_write.py",
    "tests/test_isolation.py",
    "tests/test_migration_safety.py",
    "tests/test_migrations.py",
    "tests/test_models.py",
    "tests/seed.py",
    "tests/test_seed.py",
    "tests/test_settings.py",
    "tests/testdb/__init__.py",
    "tests/testdb/cleanup.py",
    "tests/testdb/data_migrations.py",
    "tests/testdb/databases.py",
    "tests/testdb/devdb.py",
    "tests/testdb/embedded.py",
    "tests/testdb/interrupt.py",
    "tests/testdb/isolation.py",
    "tests/testdb/joined.py",
    "tests/testdb/kept.py",
    "tests/testdb/leak_guard.py",
    "tests/testdb/migrations.py",
    "tests/testdb/project.py",
    "tests/testdb/roles.py",
    "tests/testdb/seed_errors.py",
    "tests/testdb/seeding.py",
    "tests/testdb/server.py",
    "tests/testdb/startup.py",
    "tests/testdb/stop.py",
    "tests/testdb/templates.py",
}

# What framework=fastapi adds; the post-generation hook removes it for framework=none.
API_FILES = {
    "src/example_service/api/__init__.py",
    "src/example_service/api/app.py",
    "src/example_service/api/errors.py",
    "src/example_service/api/routes.py",
    "src/example_service/api/schemas.py",
    "src/example_service/api/session.py",
    "tests/api/__init__.py",
    "tests/api/client.py",
    "tests/api/conftest.py",
    "tests/api/test_app.py",
    "tests/api/test_isolation_over_http.py",
    "tests/api/test_routes.py",
    "tests/api/test_sessions_in_tests.py",
}
API_DEPENDENCIES = ("fastapi", "uvicorn", "httpx")

EVERY_COMBINATION = pytest.mark.parametrize("answers", list(MATRIX.values()), ids=list(MATRIX))


def project_files(project: Path) -> set[str]:
    return {str(path.relative_to(project)) for path in project.rglob("*") if path.is_file()}


def test_default_bake_renders_the_project_tree(bake: Bake) -> None:
    project = bake()

    assert project.name == "example-service"
    assert project_files(project) == EXPECTED_FILES
    assert not (project / "src/example_service/api").exists()
    assert not (project / "tests/api").exists()
    pyproject = (project / "pyproject.toml").read_text()
    for dependency in API_DEPENDENCIES:
        assert f'"{dependency}' not in pyproject


def test_fastapi_bake_adds_the_app_and_its_tests(bake: Bake) -> None:
    project = bake(framework="fastapi")

    assert project_files(project) == EXPECTED_FILES | API_FILES
    pyproject = (project / "pyproject.toml").read_text()
    for dependency in API_DEPENDENCIES:
        assert f'"{dependency}>=' in pyproject
    readme = (project / "README.md").read_text()
    assert "uvicorn --factory example_service.api:create_app" in readme


@EVERY_COMBINATION
def test_nothing_is_left_unrendered(bake: Bake, answers: dict[str, str]) -> None:
    project = bake(**answers)

    for path in project.rglob("*"):
        if path.is_file():
            text = path.read_text()
            if ".github" in path.parts:  # ${{ ... }} there is GitHub's, left for it to fill
                text = re.sub(r"\$\{\{.*?\}\}", "", text)
            assert "{{" not in text, path
            assert "{%" not in text, path
            assert "cookiecutter" not in text, path


@EVERY_COMBINATION
def test_rendered_code_passes_ruff_and_mypy_strict(bake: Bake, answers: dict[str, str]) -> None:
    project = bake(**answers)

    run(project, "-m", "ruff", "check", ".")
    run(project, "-m", "ruff", "format", "--check", ".")
    run(project, "-m", "mypy", "--strict")


def test_answers_reach_the_rendered_files(bake: Bake) -> None:
    project = bake(
        project_name="Shop Backend",
        package_name="shop",
        database_name="shop_db",
        python_version="3.12",
        description="Sells things: fast, cheap & good (really!)",
    )

    pyproject = (project / "pyproject.toml").read_text()
    assert project.name == "shop-backend"
    assert 'name = "shop-backend"' in pyproject
    assert 'requires-python = ">=3.12"' in pyproject
    assert 'description = "Sells things: fast, cheap & good (really!)"' in pyproject
    assert (project / "src/shop/models.py").is_file()
    assert 'NAME = "shop_db"' in (project / "tests/testdb/project.py").read_text()


@pytest.mark.parametrize("driver", DRIVERS)
def test_only_the_chosen_driver_is_a_dependency(bake: Bake, driver: str) -> None:
    project = bake(driver=driver)

    pyproject = tomllib.loads((project / "pyproject.toml").read_text())["project"]
    names = {Requirement(text).name for text in pyproject["dependencies"]}
    assert names & set(DRIVERS) == {driver}


def test_models_answer_shapes_models_and_migration(bake: Bake) -> None:
    project = bake(models=RICH_MODELS)

    models = (project / "src/example_service/models.py").read_text()
    migration = (project / "src/example_service/migrations/versions/0001_initial.py").read_text()
    assert "class OrderLine(Base):" in models
    assert "price: Mapped[decimal.Decimal] = mapped_column(" in models
    assert "profile: Mapped[dict[str, Any] | None] = mapped_column(" in models
    assert migration.index('"category",') < migration.index('"item",')
    assert 'name=op.f("fk_order_line_item_id_item"),' in migration


def test_invalid_models_answer_fails_the_bake_with_the_parsers_message(
    cookies: object, capfd: pytest.CaptureFixture[str]
) -> None:
    result = cookies.bake(extra_context={"models": "product: price decimal(2,3)"})  # type: ignore[attr-defined]

    assert result.exit_code != 0
    assert "models: column product.price: decimal(2,3) needs a scale" in capfd.readouterr().err
    assert result.project_path is None or not Path(result.project_path).exists()
