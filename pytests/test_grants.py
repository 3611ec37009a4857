"""Var engagement_bi_grants gives a BI role the marts and nothing else: after a build on
PostgreSQL the role reads every mart, and neither the internal schema (staging, intermediate,
seeds, the history's bookkeeping) nor the raw tables."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from harness import DATA_ONLY, ProjectCopy, build_vars, utc_now
from scenarios import CRAFTED_WEIGHTS, SCORE_DATE, WINDOW_DAYS, crafted
from test_bi_interface import mart_nodes

ROLE = "engagement_bi_reader"


def test_bi_role_reads_the_marts_only(new_project: Callable[[str], ProjectCopy], request: pytest.FixtureRequest) -> None:
    if request.config.getoption("--engine") != "postgres":
        pytest.skip("grants are checked on PostgreSQL (DuckDB has no roles; Spark's session catalog no grants)")
    import psycopg2

    project = new_project("grants")
    project.set_weights(CRAFTED_WEIGHTS)
    project.reset_database(crafted(utc_now()).tables)
    project.warehouse.execute(f"drop role if exists {ROLE}; create role {ROLE}")
    result = project.build({**build_vars(SCORE_DATE, WINDOW_DAYS), "engagement_bi_grants": {"select": [ROLE]}},
                           *DATA_ONLY)
    assert result.success, f"dbt build failed: {result.failed_nodes()}"

    def as_role(relation: str) -> None:
        project.read(f"set role {ROLE}; select count(*) from {relation}")

    marts = [node["alias"] for node in mart_nodes(project)]
    assert len(marts) >= 17
    for mart in marts:
        as_role(f"{project.warehouse.mart_schema}.{mart}")
    hidden = [f"{project.internal_schema}.{name}" for name in (
        "stg_engagement__customers", "int_engagement__daily_points", "engagement_event_weights",
        "int_engagement__history_manifest")] + ["raw.customers", "raw.web_events"]
    for relation in hidden:
        with pytest.raises(psycopg2.errors.InsufficientPrivilege):
            as_role(relation)
