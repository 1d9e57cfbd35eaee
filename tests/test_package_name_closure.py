"""`package_name` may not shadow any module the rendered project imports, however indirectly.

The pre-generation hook keeps a list of the import names of the rendered project's dependency
closure (`xdist`, `iniconfig`, `py`, ...). This compares it with the distributions installed
here (requirements-dev.txt installs the rendered project's dependencies and its [test] extra),
following every requirement from the rendered pyproject.toml, so a new dependency or a new
module of an old one fails here until the list names it.
"""

import importlib.metadata as metadata
import re
import tomllib
from collections import defaultdict
from pathlib import Path

import pytest
from cookiecutter.exceptions import FailedHookException
from cookiecutter.main import cookiecutter
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.conftest import EACH_DRIVER, Bake

TEMPLATE = Path(__file__).resolve().parents[1]
HOOK = TEMPLATE / "hooks/pre_gen_project.py"
PACKAGE_NAME = re.compile(r"[a-z][a-z0-9_]*\Z")


def hook_taken_names() -> set[str]:
    """The hook's TAKEN_IMPORT_NAMES, read from its source (the hook is a Jinja template)."""
    source = HOOK.read_text()
    words = source.split("TAKEN_IMPORT_NAMES = frozenset(", 1)[1].split(")", 1)[0]
    return set(words.strip().strip('"').split())


def closure(roots: list[str]) -> set[str]:
    """Canonical names of the installed distributions `roots` require, transitively."""
    seen: set[str] = set()
    pending = [Requirement(root) for root in roots]
    while pending:
        requirement = pending.pop()
        name = canonicalize_name(requirement.name)
        if name in seen:
            continue
        seen.add(name)
        environments = [{"extra": extra} for extra in requirement.extras or {""}]
        for text in metadata.distribution(name).requires or []:
            needed = Requirement(text)
            marker = needed.marker
            if marker is None or any(marker.evaluate(env) for env in environments):
                pending.append(needed)
    return seen


def import_names(distributions: set[str]) -> set[str]:
    by_distribution: dict[str, set[str]] = defaultdict(set)
    for module, owners in metadata.packages_distributions().items():
        for owner in owners:
            by_distribution[canonicalize_name(owner)].add(module)
    return {module for name in distributions for module in by_distribution[name]}


@EACH_DRIVER
@pytest.mark.parametrize("framework", ["none", "fastapi"])
def test_every_import_name_of_the_rendered_dependency_closure_is_refused(
    bake: Bake, driver: str, framework: str
) -> None:
    project = bake(driver=driver, framework=framework)
    pyproject = tomllib.loads((project / "pyproject.toml").read_text())["project"]
    roots = [*pyproject["dependencies"], *pyproject["optional-dependencies"]["test"]]

    modules = import_names(closure(roots))

    assert {"xdist", "iniconfig", "py", "pytest_randomly", "_pytest"} <= modules
    choosable = {module for module in modules if PACKAGE_NAME.match(module)}
    assert choosable - hook_taken_names() == set()


@pytest.mark.parametrize(
    "name",
    ["xdist", "iniconfig", "py", "pytest_randomly", "execnet", "test_models", "test_mine"],
)
def test_package_name_of_a_dependency_or_test_module_is_refused(
    name: str, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(FailedHookException):
        cookiecutter(
            str(TEMPLATE), no_input=True, extra_context={"package_name": name}, output_dir=tmp_path
        )

    errors = [line for line in capfd.readouterr().err.splitlines() if line.startswith("error:")]
    assert errors == [
        f"error: package_name: {name!r} would shadow the module of that name in the standard "
        "library, a dependency or the test suite; choose another name"
    ]
    assert list(tmp_path.iterdir()) == []
