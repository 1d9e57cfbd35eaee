"""Stop the whole session with one line, with pytest-xdist workers as without them.

In a worker, `pytest.exit()` reaches the controller as a crash: it fails with an
INTERNALERROR and the line is lost (pytest-xdist issue #1239). So a worker also hands
the line to the controller, which stops the session with it once the worker is down.
"""

from typing import Any, NoReturn

import pytest

KEY = "testdb_stop"


def stop_session(config: pytest.Config, line: str) -> NoReturn:
    """End the session (all workers) with `line` and pytest's usage-error status."""
    workeroutput = getattr(config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput[KEY] = line
    pytest.exit(line, returncode=pytest.ExitCode.USAGE_ERROR)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: object) -> None:
    """In the controller: a worker stopped with a line; stop the session with it."""
    line = getattr(node, "workeroutput", {}).get(KEY)
    if line:
        pytest.exit(line, returncode=pytest.ExitCode.USAGE_ERROR)
