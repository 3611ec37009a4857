"""A var the package cannot read stops the model that reads it with a message naming the var, and
the table keeps the rows of the last good build."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import Built
from harness import DATA_ONLY


# (var, bad value, a model that reads it)
BAD_VARS = [
    ("engagement_window_days", 0, "customer_engagement_scores"),
    ("engagement_window_days", 7.5, "customer_engagement_scores"),
    ("engagement_score_date", "2024-3-1", "customer_engagement_scores"),
    ("engagement_decay_half_life_days", 0, "customer_engagement_scores"),
    ("engagement_lookback_days", -1, "customer_engagement_daily"),
    ("engagement_alert_drop_points", 0, "engagement_score_alerts"),
    ("engagement_alert_drop_pct", "30%", "engagement_score_alerts"),
    ("engagement_segment_columns", "plan", "engagement_segment_summary"),
    ("engagement_backtest_horizon_days", 0, "engagement_backtest_summary"),
    ("engagement_backtest_score_dates", "2024-03-01", "engagement_backtest_summary"),
    ("engagement_backtest_outcome_is_bad", "yes", "engagement_backtest_summary"),
]


@pytest.mark.not_on_spark("one dbt run per bad var; the checks are Jinja, the same on every engine")
@pytest.mark.parametrize(("name", "value", "model"), BAD_VARS, ids=[f"{n}={v}" for n, v, _ in BAD_VARS])
def test_bad_var_stops_the_model_and_keeps_its_rows(crafted_build: Built, name: str, value: Any,
                                                    model: str) -> None:
    project = crafted_build.project
    before = project.snapshot(model)
    assert len(before) > 1, f"{model} is empty: the test would not see rows go"
    result = project.build({name: value}, "--select", model, *DATA_ONLY)
    assert not result.success
    # Caught while dbt parses the project, or while it compiles the model.
    messages = result.messages()
    assert any(name in m and str(value) in m for m in messages), messages
    assert project.snapshot(model) == before


BAD_POSTGRES_SETTINGS = [["jit", "off"], {"jit = off; drop table x; set jit": "off"}]


@pytest.mark.parametrize("value", BAD_POSTGRES_SETTINGS, ids=["a list", "a statement as a name"])
def test_bad_postgres_settings_stop_the_model_and_keep_its_rows(crafted_build: Built, value: Any) -> None:
    """engagement_postgres_settings becomes `set local` statements on PostgreSQL (and is read
    nowhere else): what is not a map of setting names stops the model before any SQL runs."""
    project = crafted_build.project
    if project.engine.name != "postgres":
        pytest.skip("engagement_postgres_settings is read on PostgreSQL only")
    model = "customer_engagement_scores"
    before = project.snapshot(model)
    result = project.build({"engagement_postgres_settings": value}, "--select", model, *DATA_ONLY)
    assert not result.success
    messages = result.messages()
    assert any("engagement_postgres_settings" in m for m in messages), messages
    assert project.snapshot(model) == before
