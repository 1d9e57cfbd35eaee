"""The template's own code is held to the bar it sets for the projects it renders."""

import subprocess
import sys
from pathlib import Path

TEMPLATE = Path(__file__).resolve().parents[1]
OWN_CODE = ("hooks", "template_extensions", "tests", "benchmarks")


def check(*arguments: str) -> None:
    completed = subprocess.run(
        [sys.executable, "-m", *arguments],
        cwd=TEMPLATE,
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr


def test_ruff_check() -> None:
    check("ruff", "check", *OWN_CODE)


def test_ruff_format() -> None:
    check("ruff", "format", "--check", *OWN_CODE)


def test_mypy_strict() -> None:
    check("mypy", "--strict")
