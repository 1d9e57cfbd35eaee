"""The template's test environment holds everything a rendered project's tests import,
since the template's tests run those suites in it."""

import re
import tomllib

from tests.conftest import Bake
from tests.template_copy import TEMPLATE

NAME = re.compile(r"[A-Za-z0-9_.-]+")


def names(requirements: list[str]) -> set[str]:
    found = (NAME.match(line.strip()) for line in requirements)
    return {match.group().lower().replace("_", "-") for match in found if match}


def test_requirements_dev_covers_the_rendered_dependencies(bake: Bake) -> None:
    project = tomllib.loads((bake() / "pyproject.toml").read_text())["project"]
    rendered = names(project["dependencies"] + project["optional-dependencies"]["test"])
    lines = (TEMPLATE / "requirements-dev.txt").read_text().splitlines()

    development = names([line for line in lines if line and not line.startswith("#")])

    assert rendered - development == set()
