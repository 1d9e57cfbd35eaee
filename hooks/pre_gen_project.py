"""Check the answers before anything is rendered: one clear line and exit 1 on a bad one."""

import json
import sys

# Rendered by cookiecutter: the parser's message for the `models` answer, "" when valid.
MODEL_SPEC_ERROR: str = json.loads(r""" {{ cookiecutter.models | model_spec_error | tojson }} """)


def main() -> int:
    if MODEL_SPEC_ERROR:
        print(f"error: {MODEL_SPEC_ERROR}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
