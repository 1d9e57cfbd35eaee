"""Tests of the HTTP API, each inside its test's database isolation."""
