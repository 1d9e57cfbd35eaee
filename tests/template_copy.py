"""A git repository holding a copy of this template, as cruft and `cookiecutter gh:` see it."""

import shutil
import subprocess
from pathlib import Path

TEMPLATE = Path(__file__).resolve().parents[1]
NOT_COPIED = shutil.ignore_patterns(".git", ".venv", "__pycache__", ".*_cache")


def git(repo: Path, *arguments: str) -> str:
    completed = subprocess.run(
        ["git", "-c", "user.name=Test", "-c", "user.email=test@example.com", *arguments],
        cwd=repo,
        capture_output=True,
        text=True,
        check=True,
    )
    return completed.stdout


def template_repo(destination: Path) -> Path:
    """Copy the working tree of the template (edits included) and commit it."""
    shutil.copytree(TEMPLATE, destination, ignore=NOT_COPIED)
    git(destination, "init", "--quiet", "--initial-branch=main")
    commit_all(destination, "template")
    return destination


def commit_all(repo: Path, message: str) -> None:
    git(repo, "add", "--all")
    git(repo, "commit", "--quiet", "--message", message)
