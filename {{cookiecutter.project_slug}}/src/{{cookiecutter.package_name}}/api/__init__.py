"""The HTTP API: `create_app()` builds it (`uvicorn --factory` serves it)."""

from {{ cookiecutter.package_name }}.api.app import create_app

__all__ = ["create_app"]
