"""Source freshness follows the vars: no loaded_at column, no check; with one, `dbt source
freshness` warns and errors after the configured hours."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from contract import RAW_TABLES
from engines import RAW_SCHEMA
from harness import ProjectCopy, utc_now
from scenarios import crafted


def freshness(project: ProjectCopy, **dbt_vars: object) -> dict[str, str]:
    result = project.invoke("source freshness", dbt_vars)
    results = getattr(result.result.result, "results", None) or []
    return {r.node.name: str(r.status) for r in results if r.node.resource_type == "source"}


def test_freshness_follows_the_vars(new_project: Callable[[str], ProjectCopy], request: pytest.FixtureRequest) -> None:
    if request.config.getoption("--engine") != "duckdb":
        pytest.skip("dbt's freshness query is the adapter's own; the vars are checked on DuckDB")
    project = new_project("freshness")
    project.reset_database(crafted(utc_now()).tables)
    loaded = (utc_now() - timedelta(hours=30)).isoformat(sep=" ")
    for table in RAW_TABLES:
        project.warehouse.execute(  # type: ignore[attr-defined]
            f"alter table {RAW_SCHEMA}.{table} add column _loaded_at timestamp default '{loaded}'")

    assert freshness(project) == {}  # no loaded_at field: nothing to check
    tables = set(RAW_TABLES)
    assert freshness(project, engagement_loaded_at_field="_loaded_at") == {t: "warn" for t in tables}
    assert freshness(project, engagement_loaded_at_field="_loaded_at",
                     engagement_freshness_error_after_hours=12) == {t: "error" for t in tables}
