"""A second, unprivileged user of this machine, as a colleague on a shared host is: its own
home, caches and Python, and none of root's (root's home and pyenv Python are closed to it).

Only root can make the user and run commands as it (`runuser`); the user and a virtualenv
of its own with the rendered project's dependencies are made once and kept for later
sessions, like a cache.
"""

import fcntl
import hashlib
import os
import pwd
import shutil
import subprocess
import time
import tomllib
from collections.abc import Mapping
from pathlib import Path

NAME = "template-tester"
# Debian's Python, with venv: one every user may run.
SYSTEM_PYTHON = "/usr/bin/python3"
# What the user runs the template with, besides the rendered project's own dependencies.
TOOLS = ("cookiecutter>=2.6",)


def why_not_available() -> str | None:
    """Why this machine cannot run commands as a second user; None when it can."""
    if os.geteuid() != 0:
        return "not root: only root can make a second user and run commands as it"
    return None


def ensure_user() -> pwd.struct_passwd:
    """The user, made with a home of its own if missing.

    Idempotent: xdist workers may race to make it, and useradd fails while another holds
    the lock on /etc/passwd, so a failure counts only if the user is still missing.
    """
    for _ in range(50):
        try:
            return pwd.getpwnam(NAME)
        except KeyError:
            subprocess.run(["useradd", "--create-home", "--shell", "/bin/bash", NAME], check=False)
            time.sleep(0.1)
    return pwd.getpwnam(NAME)


def environment(user: pwd.struct_passwd, **variables: str) -> dict[str, str]:
    """A login environment of the user's: nothing of root's but how pip reaches packages.

    XDG_RUNTIME_DIR is unset, as after `su -`, over ssh without logind, in containers
    and on many CI runners.
    """
    home = Path(user.pw_dir)
    result = {
        "HOME": str(home),
        "USER": user.pw_name,
        "LOGNAME": user.pw_name,
        "PATH": "/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "PIP_CACHE_DIR": str(home / ".cache/pip"),
        "UV_CACHE_DIR": str(home / ".cache/uv"),
    }
    passed_on = {name: value for name, value in os.environ.items() if reaches_packages(name)}
    return {**result, **passed_on, **variables}


def reaches_packages(variable: str) -> bool:
    """Whether an environment variable of root's tells pip where packages are."""
    if variable == "PIP_CACHE_DIR":  # root's, closed to the user
        return False
    return variable.startswith("PIP_") or variable.lower().endswith("_proxy")


def command(user: pwd.struct_passwd, arguments: list[str], env: Mapping[str, str]) -> list[str]:
    """`arguments` run as the user, in exactly the environment `env`."""
    variables = [f"{name}={value}" for name, value in env.items()]
    return ["runuser", "-u", user.pw_name, "--", "env", "-i", *variables, *arguments]


def run(
    user: pwd.struct_passwd,
    arguments: list[str],
    *,
    cwd: Path,
    env: Mapping[str, str] | None = None,
    timeout: int = 600,
) -> "subprocess.CompletedProcess[str]":
    """Run `arguments` as the user in `cwd`; output (stdout and stderr) in stdout."""
    return subprocess.run(
        command(user, arguments, env if env is not None else environment(user)),
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=timeout,
        check=False,
    )


def give(user: pwd.struct_passwd, path: Path) -> None:
    """Make `path`, and everything in it, the user's."""
    subprocess.run(["chown", "-R", f"{user.pw_uid}:{user.pw_gid}", str(path)], check=True)


def make_directory(user: pwd.struct_passwd, path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    os.chown(path, user.pw_uid, user.pw_gid)
    return path


def requirements(project: Path) -> list[str]:
    """What a rendered project and its test extra need, as pip takes them."""
    metadata = tomllib.loads((project / "pyproject.toml").read_text())["project"]
    return sorted([*metadata["dependencies"], *metadata["optional-dependencies"]["test"]])


def shared_venv(user: pwd.struct_passwd, packages: list[str]) -> Path:
    """The user's virtualenv with `packages` and TOOLS, built once (by whichever xdist
    worker gets there first) and kept, under a name that changes with the packages."""
    wanted = sorted([*packages, *TOOLS])
    key = hashlib.sha256("\n".join(wanted).encode()).hexdigest()[:12]
    base = make_directory(user, Path(user.pw_dir) / "template-tests")
    venv = base / f"venv-{key}"
    with (base / ".venv-lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (venv / "complete").exists():
            return venv
        shutil.rmtree(venv, ignore_errors=True)
        python = str(venv / "bin/python")
        for arguments in (
            [SYSTEM_PYTHON, "-m", "venv", str(venv)],
            [python, "-m", "pip", "install", "--quiet", *wanted],
        ):
            completed = run(user, arguments, cwd=base)
            assert completed.returncode == 0, completed.stdout
        (venv / "complete").touch()
    return venv
