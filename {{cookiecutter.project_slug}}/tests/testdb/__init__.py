"""The machinery behind the fixtures in conftest.py: plain functions, no fixtures."""
