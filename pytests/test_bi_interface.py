"""What a BI tool sees: the marts' schema holds the marts and nothing else; every mart is a public
model with an enforced contract, an owner and a declared type for each column; the descriptions
reach the warehouse catalog; and a change that breaks a contract fails the build and keeps the
mart's rows."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from conftest import Built
from contract import MARTS
from harness import DATA_ONLY, ProjectCopy, build_vars
from scenarios import SCORE_DATE, WINDOW_DAYS

VERSIONED = {"customer_engagement_tiers", "engagement_tier_summary", "customer_engagement_daily",
             "engagement_score_alerts"}


def mart_nodes(project: ProjectCopy) -> list[dict[str, Any]]:
    """The marts as the build's manifest describes them."""
    manifest = json.loads((project.root / "target" / "manifest.json").read_text())
    return [node for node in manifest["nodes"].values()
            if node["resource_type"] == "model" and node["original_file_path"].startswith("models/marts/")]


def test_marts_schema_holds_only_the_marts(crafted_build: Built) -> None:
    project = crafted_build.project
    marts = {node["alias"] for node in mart_nodes(project)}
    assert set(MARTS) <= marts
    assert project.warehouse.relations(project.warehouse.mart_schema) == marts
    internal = project.warehouse.relations(project.internal_schema)
    assert {"stg_engagement__customers", "int_engagement__daily_points", "engagement_event_weights",
            "engagement_tiers", "int_engagement__history_manifest"} <= internal


def test_every_mart_is_public_contracted_owned_and_typed(crafted_build: Built) -> None:
    nodes = mart_nodes(crafted_build.project)
    assert len(nodes) >= 17
    for node in nodes:
        name = node["name"]
        assert node["access"] == "public", name
        assert node["config"]["contract"]["enforced"], name
        assert node["group"] == "customer_engagement" and node["meta"].get("owner"), name
        untyped = [c for c, column in node["columns"].items() if not column.get("data_type")]
        assert not untyped, f"{name}: no data_type for {untyped}"
        assert "```sql" in node["description"], f"{name}: the description has no example query"
        if name in VERSIONED:
            assert node["version"] == 1 and node["latest_version"] == 1 and node["alias"] == name, name
    assert VERSIONED <= {node["name"] for node in nodes}


def test_descriptions_reach_the_catalog(crafted_build: Built) -> None:
    project = crafted_build.project
    for node in mart_nodes(project):
        table_comment, column_comments = project.warehouse.comments(project.warehouse.mart_schema, node["alias"])
        assert (table_comment or "").strip() == node["description"].strip(), node["name"]
        if project.engine.name == "spark":
            continue  # dbt-spark comments columns of Delta, Hudi and Iceberg tables only
        described = {c: column["description"].strip() for c, column in node["columns"].items()}
        assert {c: text.strip() for c, text in column_comments.items()} == described, node["name"]


@pytest.mark.not_on_spark("one more build; every Spark build checks each mart's contract with the same dbt macro, "
                          "and dbt-spark drops a Parquet table before rebuilding it, so a failed build keeps no rows")
def test_contract_violation_fails_the_build_and_keeps_the_rows(crafted_build: Built) -> None:
    """A mart whose SQL returns another type than its contract declares is not built."""
    project = crafted_build.project
    model = project.root / "models" / "marts" / "engagement_tier_summary.sql"
    original = model.read_text()
    broken = original.replace("coalesce(tier_totals.customers, 0) as customers",
                              "cast(coalesce(tier_totals.customers, 0) as {{ dbt.type_string() }}) as customers")
    assert broken != original
    before = project.snapshot("engagement_tier_summary")
    model.write_text(broken)
    try:
        result = project.build(build_vars(SCORE_DATE, WINDOW_DAYS), "--select", "engagement_tier_summary", *DATA_ONLY)
    finally:
        model.write_text(original)
    assert not result.success
    messages = " ".join(str(r.message) for r in result.failed_nodes())
    assert "contract" in messages.lower() and "customers" in messages, messages
    assert project.snapshot("engagement_tier_summary") == before


def test_example_queries_in_the_descriptions_run(crafted_build: Built) -> None:
    """The query in each mart's description runs as a BI user would type it (bare table names)."""
    project = crafted_build.project
    if project.engine.name != "duckdb":
        pytest.skip("run where the marts' schema is the default one (DuckDB's main)")
    for node in mart_nodes(project):
        example = re.search(r"```sql\n(.*?)```", node["description"], re.DOTALL)
        assert example, node["name"]
        columns, _ = project.read(example.group(1))
        assert columns, node["name"]
