"""`dev-db`: a development database at head, on the embedded PostgreSQL the tests use.

This is only a launcher. The embedded server is a test dependency and production code
never starts one, so the work is done by the test suite's machinery
(tests/testdb/devdb.py), imported only when the command runs.
"""

import sys
from pathlib import Path

TESTS = Path(__file__).resolve().parents[2] / "tests"


def main() -> int:
    if not (TESTS / "testdb" / "devdb.py").is_file():
        print(
            f"dev-db: no test suite at {TESTS}; run it from the project's checkout "
            "(pip install -e '.[test]')",
            file=sys.stderr,
        )
        return 2
    sys.path.insert(0, str(TESTS))
    try:
        from testdb import devdb
    except ImportError as error:
        print(
            f"dev-db: {error.name or error} is missing; install the test extra: "
            "pip install -e '.[test]'",
            file=sys.stderr,
        )
        return 2
    return devdb.main(sys.argv[1:])


if __name__ == "__main__":
    sys.exit(main())
