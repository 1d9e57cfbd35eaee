"""Read a rendered README's sections and fenced blocks, and run its commands as a user
types them: in one bash, stopping at the first that fails, in a user's environment."""

import os
import re
import shlex

CHECK_STATUS = 'status=$?; [ "$status" = 0 ] || { echo "README command failed"; exit "$status"; }'


def section(readme: str, title: str) -> str:
    """The text under the heading `title` (`## title`, `### title`, ...), up to the next
    heading of that level or above."""
    heading = re.search(rf"^(#+) {re.escape(title)}\n", readme, re.M)
    assert heading, f"the rendered README has no section {title!r}"
    level = len(heading[1])
    end = re.compile(rf"^#{{1,{level}}} ", re.M).search(readme, heading.end())
    return readme[heading.end() : end.start() if end else len(readme)]


def blocks(readme: str, title: str, language: str) -> list[str]:
    """The section's fenced blocks of `language`, in order."""
    fenced = re.compile(rf"^```{language}\n(.*?)^```", re.MULTILINE | re.DOTALL)
    found: list[str] = fenced.findall(section(readme, title))
    assert found, f"section {title!r} of the rendered README has no {language} block"
    return found


def commands(readme: str, title: str) -> list[str]:
    """The command lines of the section's bash blocks, as the user would type them."""
    lines = "".join(blocks(readme, title, "bash")).splitlines()
    return [line for line in lines if line.strip()]


def stop_at_first_failure(lines: list[str]) -> str:
    """A script running `lines` as written, that stops at the first one that fails
    (`set -e` would not: it ignores failures early in an `a && b` list)."""
    script = []
    for line in lines:
        script.append(f"echo {shlex.quote('$ ' + line)}")
        script.append(line)
        script.append(CHECK_STATUS)
    return "\n".join(script) + "\n"


def environment(postgres_dsn: str | None) -> dict[str, str]:
    """A user's shell: nothing pointing at the template's own Python, POSTGRES_DSN as given."""
    hidden = {"PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "POSTGRES_DSN"}
    result = {name: value for name, value in os.environ.items() if name not in hidden}
    if postgres_dsn:
        result["POSTGRES_DSN"] = postgres_dsn
    return result
