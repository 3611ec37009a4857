"""Every valid setting builds cleanly (issue 23): unit tests pass under any setting, the whole
project builds and equals the oracle under a matrix of settings on one database, the history
follows its settings, and the partial selections users run pass with dbt's default (eager)
indirect selection."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from analytics_oracle import derived_weights, expected_analytics
from conftest import Built
from contract import CHANNELS, MARTS
from harness import DATA_ONLY, TIERS_SEED, ProjectCopy, diff_mart, utc_now, write_csv
from oracle import MIN_EVENT_DATE, Params, Row, Tier, Weight, expected_marts, round2, tier_rows, tier_summary_rows
from scenarios import CRAFTED_WEIGHTS, SCORE_DATE, crafted

HISTORY = "customer_engagement_daily"
# The crafted weights and the four derived web events, so that the session settings move scores.
MATRIX_WEIGHTS = [*CRAFTED_WEIGHTS, *derived_weights(session="0.25", bounce="-0.1", minutes="0.05",
                                                     returning="0.5", caps=(None, None, 30, 1))]
# Values no unit test expects: each unit test pins the vars its model reads.
OTHER_SETTINGS = [
    {"engagement_decay_half_life_days": 60},
    {"engagement_score_date": "1997-09-30", "engagement_window_days": 1},
    {"engagement_window_days": 7, "engagement_session_timeout_minutes": 5, "engagement_session_minutes_cap": 1,
     "engagement_alert_drop_points": 5, "engagement_alert_drop_pct": 90, "engagement_engaged_tiers": ["power_user"],
     "engagement_upgrade_plans": ["paid"], "engagement_upgrade_tiers": ["power_user"],
     "engagement_churn_watch_tiers": ["churn_risk"], "engagement_churn_lookback_days": 3,
     "engagement_segment_columns": ["country"], "engagement_min_event_date": "2030-01-01",
     "engagement_history_start_date": "2026-01-01", "engagement_lookback_days": 0},
]


@pytest.mark.not_on_spark("three dbt invocations of Jinja that is the same on every engine")
@pytest.mark.parametrize("settings", OTHER_SETTINGS, ids=["decay_60", "score_date_1997", "everything_else"])
def test_unit_tests_pass_under_any_valid_setting(crafted_build: Built, settings: dict[str, Any]) -> None:
    result = crafted_build.project.invoke("test", settings, "--select", "test_type:unit")
    assert result.success, [(r.node.name, r.message) for r in result.failed_nodes()]
    assert len(result.result.result.results) > 20


def test_every_data_test_reads_one_model(crafted_build: Built) -> None:
    """dbt's default (eager) indirect selection runs a test when any model it reads is selected; a
    test reading two models would run against one left out of the selection."""
    manifest = json.loads((crafted_build.project.root / "target" / "manifest.json").read_text())
    shared = {name: parents for name, node in manifest["nodes"].items() if node["resource_type"] == "test"
              and len(parents := {p for p in node["depends_on"]["nodes"]
                                  if p.split(".")[0] in ("model", "seed", "snapshot")}) > 1}
    assert not shared, shared


# ---------------------------------------------------------------- partial selections


def test_compile_on_an_empty_database(new_project: Callable[[str], ProjectCopy]) -> None:
    """A user's first command can be `dbt compile` (or `dbt docs generate`, which compiles) before
    anything is built: no model may need a relation of the package to exist to compile."""
    project = new_project("empty")
    result = project.invoke("compile", {})
    assert result.success, result.messages()


@pytest.mark.not_on_spark("four builds; which tests dbt selects is the same on every engine")
def test_partial_selections_pass(new_project: Callable[[str], ProjectCopy]) -> None:
    """`dbt build --select +customer_engagement_scores` and `+customer_engagement_tiers` with the
    default indirect selection (unit tests included), on a fresh database and after a weights edit."""
    project, started = new_project("partial"), utc_now()
    raw = crafted(started).tables
    project.reset_database(raw)
    edited = [w if w.event_type != "page_view" else Weight("web", "page_view", Decimal("2.5")) for w in CRAFTED_WEIGHTS]
    for weights in (CRAFTED_WEIGHTS, edited):
        project.set_weights(weights)
        for mart in ("customer_engagement_scores", "customer_engagement_tiers"):
            result = project.build({"engagement_score_date": SCORE_DATE.isoformat()}, "--select", f"+{mart}")
            assert result.success, [(r.node.name, r.message) for r in result.failed_nodes()]
        expected = expected_marts(raw, weights, project.tiers(), SCORE_DATE, 30, started)
        for mart in ("customer_engagement_scores", "customer_engagement_tiers"):
            assert not diff_mart(mart, expected[mart], project.mart(mart))


# ---------------------------------------------------------------- the settings matrix


@dataclass(frozen=True)
class Setting:
    name: str
    score_date: date | None  # None: the run's date (the default)
    window_days: int = 30
    half_life: float | None = None
    timeout_minutes: float = 30
    minutes_cap: Decimal = Decimal(60)
    other: Mapping[str, Any] | None = None

    def dbt_vars(self) -> dict[str, Any]:
        out: dict[str, Any] = dict(self.other or {})
        if self.score_date is not None:
            out["engagement_score_date"] = self.score_date.isoformat()
        if self.name != "defaults":
            out.update(engagement_window_days=self.window_days, engagement_decay_half_life_days=self.half_life,
                       engagement_session_timeout_minutes=self.timeout_minutes,
                       engagement_session_minutes_cap=float(self.minutes_cap))
        return out


MATRIX = [
    Setting("window_1_before_any_data", date(2023, 1, 15), window_days=1),
    Setting("window_7_inside_decay_30", date(2024, 3, 20), window_days=7, half_life=30),
    Setting("window_90_timeout_5_cap_1_thresholds", SCORE_DATE, window_days=90, timeout_minutes=5,
            minutes_cap=Decimal(1), other={"engagement_alert_drop_points": 5, "engagement_alert_drop_pct": 10}),
    Setting("window_365_after_decay_365_timeout_120_cap_1_tier_lists", date(2024, 6, 30), window_days=365,
            half_life=365, timeout_minutes=120, minutes_cap=Decimal(1),
            other={"engagement_engaged_tiers": ["power_user"], "engagement_upgrade_plans": ["paid"],
                   "engagement_upgrade_tiers": ["highly_engaged"], "engagement_churn_watch_tiers": ["churn_risk"]}),
    Setting("window_30_after_all_data", date(2025, 1, 31)),
    Setting("defaults", None),
]


def expected_core_marts(raw: Mapping[str, Sequence[Row] | None], tiers: Sequence[Tier], setting: Setting,
                        started: datetime) -> dict[str, list[Row]]:
    """The marts of the core oracle, with scores from the analytics oracle, which adds the derived
    web events (sessions under the setting's timeout and minutes cap) and decay."""
    score_date = setting.score_date or started.date()
    expected = expected_marts(raw, MATRIX_WEIGHTS, tiers, score_date, setting.window_days, started)
    analytics = expected_analytics(raw, MATRIX_WEIGHTS, score_date, setting.window_days, started,
                                   setting.timeout_minutes, setting.minutes_cap, setting.half_life)
    for row in expected["customer_engagement_scores"]:
        terms = analytics.terms.get(row["customer_id"], {})
        row["engagement_score"] = round2(sum((t.points for t in terms.values()), Decimal(0)))
        for channel in CHANNELS:
            row[f"{channel}_score"] = round2(sum((t.points for (c, _), t in terms.items() if c == channel), Decimal(0)))
    expected["customer_engagement_tiers"] = tier_rows(expected["customer_engagement_scores"], tiers)
    params = Params(score_date, setting.window_days, started, MIN_EVENT_DATE)
    expected["engagement_tier_summary"] = tier_summary_rows(expected["customer_engagement_tiers"], tiers, params)
    return expected


def history_matches_scores(project: ProjectCopy, score_date: date) -> list[str]:
    """The history's rows of the run's score date are the scores mart's (customers without an
    event yet have no history row and score 0); no row lies after it."""
    history = project.query(f"select * from {project.warehouse.mart_schema}.{HISTORY}")
    problems = [f"history row after the score date: {r}" for r in history if r["score_date"] > score_date][:3]
    on_date = {r["customer_id"]: r for r in history if r["score_date"] == score_date}
    for score in project.mart("customer_engagement_scores"):
        row = on_date.get(score["customer_id"])
        if row is None:
            if score["engagement_score"] != 0 or score["last_event_at"] is not None:
                problems.append(f"no history row for {score}")
            continue
        problems += [f"{score['customer_id']} {column}: scores {value!r}, history {row[column]!r}"
                     for column, value in score.items() if row[column] != value]
    return problems


@pytest.mark.not_on_spark("six whole-project builds in a row; the settings are Jinja, the same on every engine")
def test_settings_matrix(new_project: Callable[[str], ProjectCopy]) -> None:
    """The whole project on the crafted data under each setting, one after another on the same
    database, then back to the defaults: each build succeeds (its data tests included), equals
    the oracle, and its history agrees with the scores mart on the run's score date."""
    project, started = new_project("settings_matrix"), utc_now()
    raw = crafted(started).tables
    project.set_weights(MATRIX_WEIGHTS)
    project.reset_database(raw)
    for setting in MATRIX:
        result = project.build(setting.dbt_vars(), *DATA_ONLY)
        assert result.success, (setting.name, [(r.node.name, r.message) for r in result.failed_nodes()])
        expected = expected_core_marts(raw, project.tiers(), setting, started)
        problems = [p for mart in MARTS for p in diff_mart(mart, expected[mart], project.mart(mart))]
        problems += history_matches_scores(project, setting.score_date or started.date())
        assert not problems, (setting.name, problems[:20])


# ---------------------------------------------------------------- the history's settings


@pytest.mark.not_on_spark("fourteen builds; cutting the history back needs deletes, which Spark tables without Delta Lake refuse")
def test_history_follows_its_settings(new_project: Callable[[str], ProjectCopy]) -> None:
    """Each setting the history depends on, changed on its own, rebuilds every date with one log
    line naming it; a run for an earlier score date cuts the history back to it, and the next run
    builds the later dates again. After each step the history equals a full refresh."""
    project, started = new_project("history_settings"), utc_now()
    raw = crafted(started).tables
    project.set_weights(MATRIX_WEIGHTS)
    project.reset_database(raw)
    select = ("--select", f"+{HISTORY}")
    base = {"engagement_score_date": SCORE_DATE.isoformat()}
    assert project.build(base, *select, *DATA_ONLY).success

    def rebuilt(settings: dict[str, Any], named: str | None) -> None:
        result = project.build({**base, **settings}, *select, *DATA_ONLY)
        assert result.success, result.failed_nodes()
        log = (project.root / "logs" / "dbt.log").read_text().split("customer_engagement_daily: building")[-2]
        if named is not None:
            assert re.search(rf"customer_engagement_daily: {named} \(.* -> .*\) changed since the last build, "
                             r"rebuilding every date", log), log[-2000:]
        incremental = project.snapshot(HISTORY)
        assert project.build({**base, **settings}, "--select", HISTORY, "--full-refresh", *DATA_ONLY).success
        assert project.snapshot(HISTORY) == incremental

    settings: dict[str, Any] = {}
    for name, value in (("engagement_window_days", 7), ("engagement_decay_half_life_days", 14),
                        ("engagement_session_timeout_minutes", 5), ("engagement_session_minutes_cap", 1)):
        settings[name] = value
        rebuilt(settings, name)
    # The tier scale: disengaged up to 45, somewhat engaged from there.
    tiers_path = project.root / TIERS_SEED
    cells = [line.split(",") for line in tiers_path.read_text().splitlines()]
    for row in cells:
        if row[1] == "disengaged":
            row[5] = "45"  # max_score
        if row[1] == "somewhat_engaged":
            row[3] = "45"  # min_score
    write_csv(tiers_path, cells)
    rebuilt(settings, "engagement_tiers")
    # An earlier score date cuts the history back; the next run builds the later dates again.
    earlier = SCORE_DATE - timedelta(days=10)
    rebuilt({**settings, "engagement_score_date": earlier.isoformat()}, None)
    assert max(r[0] for r in project.read(f"select score_date from {project.warehouse.mart_schema}.{HISTORY}")[1]) == earlier
    rebuilt(settings, None)
