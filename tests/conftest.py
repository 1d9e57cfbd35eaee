"""A fixture that bakes the template with given answers and checks the bake succeeded."""

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

Bake = Callable[..., Path]


@pytest.fixture
def bake(cookies: Any) -> Bake:
    """Bake with `answers` over the defaults; return the project directory."""

    def bake_answers(**answers: str) -> Path:
        result = cookies.bake(extra_context=answers)
        assert result.exception is None, result.exception
        assert result.exit_code == 0
        return Path(result.project_path)

    return bake_answers


@pytest.fixture(autouse=True)
def skip_smoke_test(monkeypatch: pytest.MonkeyPatch) -> None:
    """Bakes skip the post-generation smoke test unless a test removes this variable."""
    monkeypatch.setenv("SKIP_SMOKE_TEST", "1")
