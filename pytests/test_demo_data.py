"""The demo data at its default size (about a million events, as `make run` builds it), built with
its data tests on the suite's engine. The crafted and random rows elsewhere are a few hundred: a
plan that only explodes on real volumes (on PostgreSQL the history once took an hour on these
rows) shows up here as a slow suite. Speed is measured by `make bench`, never asserted here; this
checks that the marts add up and agree with each other on the many rows."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

import generate_demo_data  # tools/, on the path through engines.py
from contract import EVENT_SOURCES, MARTS, RAW_TABLES
from harness import DATA_ONLY, ProjectCopy, build_vars, utc_now, values_match

pytestmark = [pytest.mark.not_on_spark("a million rows through a local Spark take longer than the whole suite")]

SCORE_COLUMNS = [c for c in MARTS["customer_engagement_scores"]
                 if c not in ("account_id", "plan", "country", "persona")]


def test_demo_data_builds_and_adds_up(new_project: Callable[[str], ProjectCopy], tmp_path: Path) -> None:
    end_date = utc_now().date()
    demo = tmp_path / "demo.duckdb"
    assert generate_demo_data.main(["--database", str(demo), "--end-date", end_date.isoformat()]) == 0
    project = new_project("demo")
    project.warehouse.load_raw_from_duckdb(demo)

    result = project.build(build_vars(end_date, None), *DATA_ONLY)
    assert result.success, f"dbt build failed: {result.failed_nodes()}"

    # Every raw row is accepted, a duplicate or rejected, and the generator's faults are caught.
    reconciliation = {r["source_table"]: r for r in project.mart("engagement_source_reconciliation")}
    assert set(reconciliation) == set(RAW_TABLES)
    for table, row in reconciliation.items():
        raw_rows = project.read(f"select count(*) from raw.{table}")[1][0][0]
        assert (row["raw_rows"], row["unaccounted_rows"]) == (raw_rows, 0), row
    for source in EVENT_SOURCES:
        row = reconciliation[source.table]
        assert row["accepted_rows"] > 0 and row["duplicate_rows"] > 0 and row["rejected_rows"] > 0, row

    # One score per customer, spread over every tier, as the generator's segments intend.
    scores = {r["customer_id"]: r for r in project.mart("customer_engagement_scores")}
    customers = project.read("select count(distinct nullif(trim(customer_id), '')) from raw.customers")[1][0][0]
    assert len(scores) == customers
    tiers = {r["engagement_tier"] for r in project.mart("customer_engagement_tiers")}
    assert tiers == {t.engagement_tier for t in project.tiers()}

    # The history computes the score date's scores another way (rolling sums over the days): its
    # rows of that date equal the scores, and a customer without one has never had an event.
    history = {r["customer_id"]: r for r in project.mart("customer_engagement_daily")
               if r["score_date"] == end_date}
    assert history, "the history has no row on the score date"
    problems = []
    for customer_id, score in scores.items():
        row = history.get(customer_id)
        if row is None:
            if score["event_count"] != 0 or score["last_event_at"] is not None:
                problems.append(f"{customer_id}: no history row on {end_date}, scores {score}")
            continue
        bad = [c for c in SCORE_COLUMNS if not values_match(c, score[c], row[c])]
        if bad:
            problems.append(f"{customer_id}: " + ", ".join(f"{c} scores {score[c]!r} history {row[c]!r}" for c in bad))
    assert not problems, "\n".join(problems[:20])
