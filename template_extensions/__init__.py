"""Jinja filters that let the templates render from the parsed `models` answer."""

from __future__ import annotations

import json
from typing import Any

from jinja2 import Environment
from jinja2.ext import Extension

from template_extensions.api_schema import beyond_limit, create_field, pydantic_imports
from template_extensions.factory_calls import ancestors, factory_call
from template_extensions.import_order import import_order
from template_extensions.model_spec import ModelSpecError, parse_models
from template_extensions.schema import (
    constants_in,
    model_imports,
    sample_constants,
    sample_imports,
    stdlib_imports,
    unique_samples,
    uses_jsonb,
    uses_samples,
)
from template_extensions.seed_values import seed_value


def model_spec_error(spec: str, framework: str = "none") -> str:
    """The parser's one-line message for a bad spec, or "" for a good one (for the hooks)."""
    try:
        parse_models(spec, framework)
    except ModelSpecError as error:
        return str(error)
    return ""


def string_escape(text: str) -> str:
    """The inside of a double-quoted string, valid in both TOML and Python."""
    return json.dumps(text)[1:-1]


class ModelSpecExtension(Extension):
    def __init__(self, environment: Environment) -> None:
        super().__init__(environment)
        filters: dict[str, Any] = {
            "parse_models": parse_models,
            "model_spec_error": model_spec_error,
            "model_imports": model_imports,
            "sample_imports": sample_imports,
            "sample_constants": sample_constants,
            "constants_in": constants_in,
            "unique_samples": unique_samples,
            "stdlib_imports": stdlib_imports,
            "uses_jsonb": uses_jsonb,
            "uses_samples": uses_samples,
            "string_escape": string_escape,
            "import_order": import_order,
            "ancestors": ancestors,
            "factory_call": factory_call,
            "create_field": create_field,
            "pydantic_imports": pydantic_imports,
            "beyond_limit": beyond_limit,
            "seed_value": seed_value,
        }
        environment.filters.update(filters)
