"""pytest options for the suite in pytests/ (pytest reads options only from a root conftest)."""

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--engine", choices=("duckdb", "postgres", "spark"), default="duckdb",
                     help="warehouse to build on: duckdb (default), postgres (a throw-away server) or spark")
