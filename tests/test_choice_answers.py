"""A value outside a choice is refused by cookiecutter before the template's hooks run, so the
template cannot shorten the message: the README says what the user sees, and this holds it to
that (the last line names the value and the choices, nothing is written)."""

import subprocess
import sys
from pathlib import Path

import pytest

TEMPLATE = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    ("answer", "last_line"),
    [
        (
            "python_version=2.7",
            "ValueError: 2.7 provided for choice variable python_version, but the choices are",
        ),
        ("test_isolation=x", "ValueError: x provided for choice variable test_isolation"),
        ("driver=psycopg2", "ValueError: psycopg2 provided for choice variable driver"),
        ("framework=django", "ValueError: django provided for choice variable framework"),
        (
            "run_smoke_test=maybe",
            "ValueError: maybe provided for variable run_smoke_test could not be converted",
        ),
    ],
)
def test_a_value_outside_a_choice_ends_with_a_line_naming_it(
    answer: str, last_line: str, tmp_path: Path
) -> None:
    command = ["-m", "cookiecutter", str(TEMPLATE), "--no-input", "-o", str(tmp_path), answer]
    completed = subprocess.run(
        [sys.executable, *command],
        capture_output=True,
        text=True,
        check=False,
    )

    assert completed.returncode != 0
    assert completed.stderr.strip().splitlines()[-1].startswith(last_line)
    assert list(tmp_path.iterdir()) == []
