"""dbt's semantic layer (MetricFlow) over the marts: `mf validate-configs` passes, and each metric,
queried with `mf query`, gives the numbers a plain SQL query on the marts gives.

mf runs in this process (its click commands with one set-up configuration): as a command per query
it would start dbt again each time. DuckDB only: MetricFlow reads the marts through dbt's adapter,
which the other engines' suites already exercise.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from harness import DATA_ONLY, ProjectCopy, as_decimal, build_vars, utc_now
from scenarios import CRAFTED_WEIGHTS, SCORE_DATE, WINDOW_DAYS, crafted

Rows = dict[str, Any]


@pytest.fixture(scope="module")
def built(new_project: Callable[[str], ProjectCopy], request: pytest.FixtureRequest) -> ProjectCopy:
    """The crafted dataset, built with paid customers as possible upgrade candidates too (the
    crafted customers are nearly all paid, so every metric has rows to count)."""
    if request.config.getoption("--engine") != "duckdb":
        pytest.skip("MetricFlow is checked on DuckDB")
    project = new_project("semantic")
    project.set_weights(CRAFTED_WEIGHTS)
    project.reset_database(crafted(utc_now()).tables)
    result = project.build({**build_vars(SCORE_DATE, WINDOW_DAYS),
                            "engagement_upgrade_plans": ["free", "trial", "paid"]}, *DATA_ONLY)
    assert result.success, f"dbt build failed: {result.failed_nodes()}"
    return project


@pytest.fixture(scope="module")
def metricflow(built: ProjectCopy, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[..., list[Rows]]]:
    """After `mf validate-configs` passed, runs `mf query` with the arguments given and returns the
    rows it wrote as CSV (none for an empty result)."""
    from click.testing import CliRunner
    from dbt_metricflow.cli import main
    from dbt_metricflow.cli.cli_configuration import CLIConfiguration

    out = tmp_path_factory.mktemp("mf")
    with built.dbt_environment():
        config = CLIConfiguration()
        config.setup(dbt_profiles_path=built.root, dbt_project_path=built.root, configure_file_logging=False)
        validated = CliRunner().invoke(main.validate_configs, [], obj=config)
        assert validated.exit_code == 0, validated.output

        def query(*args: str) -> list[Rows]:
            path = out / "result.csv"
            path.unlink(missing_ok=True)
            result = CliRunner().invoke(main.query, [*args, "--csv", str(path)], obj=config)
            assert result.exit_code == 0, result.output
            if not path.exists():
                assert "empty result" in result.output, result.output
                return []
            with path.open(newline="") as f:
                return list(csv.DictReader(f))

        yield query


def by(rows: list[Rows], key: str, value: str) -> dict[str, Any]:
    """{group: value}; MetricFlow writes a day as a timestamp, the marts as a date."""
    return {(str(r[key])[:10] if key.startswith("metric_time") else str(r[key])): r[value] for r in rows}


def assert_same(metric: dict[str, Any], mart: dict[str, Any], tolerance: str = "0") -> None:
    assert mart, "the mart has no rows: the comparison would prove nothing"
    assert metric.keys() == mart.keys()
    wrong = {k: (metric[k], mart[k]) for k in mart
             if abs(as_decimal(float(metric[k])) - as_decimal(mart[k])) > as_decimal(tolerance)}  # type: ignore[operator]
    assert not wrong, wrong


def test_customers_by_tier(metricflow: Callable[..., list[Rows]], built: ProjectCopy) -> None:
    rows = metricflow("--metrics", "customers", "--group-by", "customer__engagement_tier")
    summary = built.mart("engagement_tier_summary")
    assert_same(by(rows, "customer__engagement_tier", "customers"),
                {r["engagement_tier"]: r["customers"] for r in summary if r["customers"] > 0})


def test_customers_by_plan(metricflow: Callable[..., list[Rows]], built: ProjectCopy) -> None:
    rows = metricflow("--metrics", "customers", "--group-by", "customer__plan")
    segments = built.query(
        "select coalesce(segment_value, '') as plan, customers from "
        f"{built.warehouse.mart_schema}.engagement_segment_summary where segment_column = 'plan'")
    assert_same(by(rows, "customer__plan", "customers"), by(segments, "plan", "customers"))


def test_average_score_by_tier(metricflow: Callable[..., list[Rows]], built: ProjectCopy) -> None:
    rows = metricflow("--metrics", "average_engagement_score", "--group-by", "customer__engagement_tier")
    summary = built.mart("engagement_tier_summary")
    # The mart rounds the average to 2 decimals like a score.
    assert_same(by(rows, "customer__engagement_tier", "average_engagement_score"),
                {r["engagement_tier"]: r["avg_engagement_score"] for r in summary if r["customers"] > 0},
                tolerance="0.005")


def test_engaged_customers_and_share(metricflow: Callable[..., list[Rows]], built: ProjectCopy) -> None:
    rows = metricflow("--metrics", "engaged_customers,engaged_share")
    everyone = [r for r in built.mart("engagement_segment_summary") if r["segment_column"] == "all"]
    engaged = {"somewhat_engaged", "highly_engaged", "power_user"}
    summary = built.mart("engagement_tier_summary")
    assert_same({"all": rows[0]["engaged_customers"]},
                {"all": sum(r["customers"] for r in summary if r["engagement_tier"] in engaged)})
    assert_same({"all": rows[0]["engaged_share"]}, {"all": as_decimal(everyone[0]["pct_engaged"]) / 100},
                tolerance="1e-12")


@pytest.mark.parametrize("metric", ["dau", "mau", "stickiness"])
def test_daily_activity(metricflow: Callable[..., list[Rows]], built: ProjectCopy, metric: str) -> None:
    rows = metricflow("--metrics", metric, "--group-by", "metric_time__day")
    activity = built.mart("engagement_daily_activity")
    expected = {str(r["activity_date"]): r[metric] for r in activity}
    actual = by(rows, "metric_time__day", metric)
    if metric == "stickiness":  # a day without MAU has no stickiness: the mart says null, MetricFlow too
        expected = {k: v for k, v in expected.items() if v is not None}
        actual = {k: v for k, v in actual.items() if v != ""}
    assert_same(actual, expected, tolerance="1e-12")


def test_alerts_raised(metricflow: Callable[..., list[Rows]], built: ProjectCopy) -> None:
    rows = metricflow("--metrics", "alerts_raised", "--group-by", "score_alert__alert_type")
    alerts = built.mart("engagement_score_alerts")
    counts: dict[str, int] = {}
    for alert in alerts:
        counts[alert["alert_type"]] = counts.get(alert["alert_type"], 0) + 1
    assert_same(by(rows, "score_alert__alert_type", "alerts_raised"), counts)


def test_tier_transitions(metricflow: Callable[..., list[Rows]], built: ProjectCopy) -> None:
    rows = metricflow("--metrics", "tier_transitions", "--group-by", "metric_time__day")
    moved: dict[str, int] = {}
    for flow in built.mart("engagement_tier_transitions"):
        changed = flow["from_tier"] not in ("new", flow["to_tier"])
        day = str(flow["score_date"])
        moved[day] = moved.get(day, 0) + (flow["customers"] if changed else 0)
    assert any(moved.values()), "no customer changed tier: the comparison would prove little"
    assert_same(by(rows, "metric_time__day", "tier_transitions"), moved)


def test_upgrade_candidates_by_plan(metricflow: Callable[..., list[Rows]], built: ProjectCopy) -> None:
    rows = metricflow("--metrics", "upgrade_candidates", "--group-by", "customer__plan")
    counts: dict[str, int] = {}
    for candidate in built.mart("engagement_upgrade_candidates"):
        counts[candidate["plan"]] = counts.get(candidate["plan"], 0) + 1
    assert_same(by(rows, "customer__plan", "upgrade_candidates"), counts)


def test_accounts_by_tier(metricflow: Callable[..., list[Rows]], built: ProjectCopy) -> None:
    rows = metricflow("--metrics", "accounts", "--group-by", "account__account_tier")
    counts: dict[str, int] = {}
    for account in built.mart("account_engagement_scores"):
        counts[account["account_tier"]] = counts.get(account["account_tier"], 0) + 1
    assert_same(by(rows, "account__account_tier", "accounts"), counts)


def test_every_metric_is_checked() -> None:
    """A metric added to the yml without a comparison here fails this list."""
    import yaml

    path = Path(__file__).resolve().parent.parent / "models" / "semantic" / "_semantic_layer.yml"
    names = {m["name"] for m in yaml.safe_load(path.read_text())["metrics"]}
    assert names == {"customers", "engaged_customers", "engaged_share", "average_engagement_score", "accounts",
                     "dau", "mau", "stickiness", "alerts_raised", "tier_transitions", "upgrade_candidates"}
