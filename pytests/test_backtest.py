"""The backtest marts (issue 25) equal pytests/backtest_oracle.py and scikit-learn.

The suite's shared crafted build already holds the backtest of its default date; it is checked
on every engine, Spark included. A crafted purchase log covers the cases the issue names in one build: ties, a date when every
score is 0, a date with no positives, one with no customers, one whose outcome window is still
open (skipped and logged), customers signed up later, without a history row, below 0. A second
build of the backtest models alone reads the outcome from a seed, with a bad outcome. A few
random logs (hypothesis) build the whole path each. Every AUC is also checked against
scikit-learn's roc_auc_score. tools/suggest_weights.py runs once on the crafted build.
"""

from __future__ import annotations

import csv
import json
import os
import re
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st
from sklearn.metrics import roc_auc_score

from backtest_oracle import Member, Outcome, expected_backtest, population, ranking
import suggest_weights
from conftest import Built
from harness import DATA_ONLY, WEIGHTS_HEADER, ProjectCopy, as_decimal, as_naive_utc, utc_now, write_csv
from contract import RAW_TABLES
from oracle import Row, Tier, Weight
from scenarios import CRAFTED_WEIGHTS
from scenarios import SCORE_DATE as CRAFTED_SCORE_DATE
from scenarios import WINDOW_DAYS as CRAFTED_WINDOW_DAYS

SCORE_DATE = date(2024, 6, 30)
WINDOW_DAYS = 30
HORIZON = 30
MIN_TIER_CUSTOMERS = 2
WEIGHTS = [
    Weight("product", "purchase", Decimal("1"), None),
    Weight("product", "login", Decimal("0.5"), 2),
    Weight("app", "app_uninstall", Decimal("-20"), None),
]
BACKTEST_MARTS = ("engagement_backtest_summary", "engagement_backtest_tiers", "engagement_backtest_deciles",
                  "engagement_tier_suggestions")
KEYS: dict[str, tuple[str, ...]] = {
    "engagement_backtest_summary": ("score_date",),
    "engagement_backtest_tiers": ("score_date", "engagement_tier"),
    "engagement_backtest_deciles": ("score_date", "decile"),
    "engagement_tier_suggestions": ("score_date", "engagement_tier"),
}
# The columns the issue lists come first, in its order; the report (issue 28) reads them.
CONTRACT_COLUMNS: dict[str, tuple[str, ...]] = {
    "engagement_backtest_summary": ("score_date", "horizon_days", "outcome_name", "customers", "positives",
                                    "base_rate", "auc", "top_decile_lift", "tiers_monotone"),
    "engagement_backtest_tiers": ("score_date", "horizon_days", "engagement_tier", "tier_rank", "customers",
                                  "share_of_customers", "positives", "outcome_rate", "lift"),
    "engagement_backtest_deciles": ("score_date", "horizon_days", "decile", "customers", "min_score", "max_score",
                                    "outcome_rate", "cumulative_capture"),
}
BACKTEST_SELECTION = ("--select", "+engagement_backtest_summary", "+engagement_tier_suggestions",
                      "--indirect-selection", "cautious")
OUTCOME_SEED = "backtest_churn_dates"

SEVERAL_BUILDS = pytest.mark.not_on_spark("more builds of the same SQL; the shared crafted build runs on Spark")


# ---------------------------------------------------------------- data


class PurchaseLog:
    """Customers with product purchases and logins, and app uninstalls."""

    def __init__(self) -> None:
        self.tables: dict[str, list[Row]] = {table: [] for table in RAW_TABLES}

    def customer(self, cid: str, signed_up_at: datetime | None = datetime(2024, 1, 1)) -> None:
        self.tables["customers"].append({"customer_id": cid, "account_id": None, "signed_up_at": signed_up_at,
                                         "plan": "paid", "country": "NL", "persona": "analyst"})

    def event(self, cid: str, event_type: str, at: datetime, times: int = 1) -> None:
        for _ in range(times):
            table = "app_events" if event_type.startswith("app_") else "product_events"
            row: Row = {"event_id": f"e{sum(len(t) for t in self.tables.values())}", "customer_id": cid,
                        "event_type": event_type, "occurred_at": at}
            if table == "app_events":
                row.update(device_id="d1", platform="ios")
            self.tables[table].append(row)

    def purchases(self, cid: str, *days: str) -> None:
        for text in days:
            self.event(cid, "purchase", datetime.fromisoformat(f"{text} 12:00:00"))


# D1: before any event (every score 0); D2: the main date; D3: nothing happens after it; D4: before
# every sign-up; D5: its outcome window runs past the score date.
D1, D2, D3, D4, D5 = date(2024, 1, 15), date(2024, 3, 31), date(2024, 5, 31), date(2023, 12, 1), date(2024, 6, 15)


def crafted_log() -> PurchaseLog:
    log = PurchaseLog()
    for cid in ("steady_a", "steady_b", "three", "lapsed", "late_starter", "never", "uninstaller",
                "uninstaller2", "big", "big2", "loginer"):
        log.customer(cid)
    log.customer("signed_up_later", datetime(2024, 4, 5, 9))
    log.purchases("steady_a", "2024-02-05", "2024-03-05", "2024-03-12", "2024-03-19", "2024-03-26", "2024-03-30",
                  "2024-04-10")
    log.purchases("steady_b", "2024-03-05", "2024-03-12", "2024-03-19", "2024-03-26", "2024-03-30")  # ties steady_a
    log.purchases("three", "2024-03-10", "2024-03-20", "2024-03-28", "2024-04-30")  # D2 + 30: counts
    log.purchases("lapsed", "2024-02-20", "2024-05-01")  # score 0 on D2 with a history row; D2 + 31: no
    log.purchases("late_starter", "2024-04-15")  # no history row on D2
    log.event("uninstaller", "app_uninstall", datetime(2024, 3, 15, 20))
    log.purchases("uninstaller", "2024-03-16")
    log.event("uninstaller2", "app_uninstall", datetime(2024, 3, 20, 20))
    log.purchases("uninstaller2", "2024-04-03")
    log.event("big", "purchase", datetime(2024, 3, 25, 10), times=45)
    log.purchases("big", "2024-04-02")
    log.event("big2", "purchase", datetime(2024, 3, 25, 10), times=45)
    log.event("loginer", "login", datetime(2024, 3, 29, 8), times=5)  # capped at 2 a day: 1.0
    log.event("loginer", "login", datetime(2024, 3, 31, 23, 59, 59))  # on D2 itself: not an outcome
    log.purchases("loginer", "2024-04-20")
    log.purchases("signed_up_later", "2024-04-10")
    return log


CHURN_DATES = [
    Outcome("steady_b", datetime(2024, 4, 12, 10)),
    Outcome("uninstaller", datetime(2024, 4, 1)),  # D2 + 1: counts
    Outcome("never", datetime(2024, 5, 1)),  # D2 + 31: does not
    Outcome("lapsed", None),
    Outcome("big2", datetime(2024, 4, 30, 23, 59, 59)),
]


# ---------------------------------------------------------------- building and comparing


def backtest_vars(listed: Sequence[date], **more: Any) -> dict[str, Any]:
    return {"engagement_score_date": SCORE_DATE.isoformat(), "engagement_window_days": WINDOW_DAYS,
            "engagement_backtest_score_dates": [d.isoformat() for d in listed],
            "engagement_backtest_horizon_days": HORIZON,
            "engagement_backtest_min_tier_customers": MIN_TIER_CUSTOMERS, **more}


def build(project: ProjectCopy, log: PurchaseLog, dbt_vars: Mapping[str, Any], *selection: str) -> None:
    project.set_weights(WEIGHTS)
    project.reset_database(log.tables)
    result = project.build(dbt_vars, *(selection or BACKTEST_SELECTION), "--full-refresh", *DATA_ONLY)
    assert result.success, f"dbt build failed: {result.failed_nodes()}"


def expected_marts(log: PurchaseLog, tiers: Sequence[Tier], listed: Sequence[date], run_started_at: datetime,
                   **options: Any) -> tuple[dict[str, list[Row]], dict[date, list[Member]]]:
    """The oracle's rows of every backtest mart for a purchase log, and its population per date."""
    settings: dict[str, Any] = {"window_days": WINDOW_DAYS, "horizon": HORIZON, "min_customers": MIN_TIER_CUSTOMERS,
                                **options}
    return expected_backtest(log.tables, WEIGHTS, tiers, listed, SCORE_DATE, run_started_at=run_started_at,
                             **settings)


def matches(expected: Any, actual: Any) -> bool:
    """Ratios (Fractions here, doubles in the marts) to 1e-12; decimals and the rest exactly."""
    if expected is None or actual is None:
        return expected is None and actual is None
    if isinstance(expected, bool) or isinstance(actual, bool):
        return isinstance(expected, bool) and isinstance(actual, bool) and expected == actual
    if isinstance(expected, Fraction):
        return abs(float(actual) - float(expected)) <= 1e-12
    if isinstance(expected, (Decimal, int)):
        return as_decimal(actual) == expected
    return as_naive_utc(actual) == expected


def mart_differences(project: ProjectCopy, expected: Mapping[str, Sequence[Row]]) -> list[str]:
    problems: list[str] = []
    for mart, rows in expected.items():
        key = KEYS[mart]
        actual = {tuple(as_naive_utc(r[c]) for c in key): r for r in project.mart(mart)}
        wanted = {tuple(r[c] for c in key): r for r in rows}
        problems += [f"{mart} {k}: missing" for k in wanted.keys() - actual.keys()]
        problems += [f"{mart} {k}: unexpected {actual[k]}" for k in actual.keys() - wanted.keys()]
        for k in wanted.keys() & actual.keys():
            problems += [f"{mart} {k}: {c} expected {v!r} got {actual[k][c]!r}"
                         for c, v in wanted[k].items() if not matches(v, actual[k][c])]
    return sorted(problems)


def sklearn_differences(project: ProjectCopy, populations: Mapping[date, Sequence[Member]],
                        is_bad: bool = False) -> list[str]:
    """The marts' AUC against scikit-learn's on the oracle's population (null with one class)."""
    auc = {r["score_date"]: r["auc"] for r in project.mart("engagement_backtest_summary")}
    problems = []
    for d, members in populations.items():
        labels = [m.has_outcome for m in members]
        if len(set(labels)) < 2:
            expected = None
        else:
            expected = float(roc_auc_score(labels, [float(ranking(m, is_bad)) for m in members]))
        if not ((expected is None and auc[d] is None)
                or (expected is not None and auc[d] is not None and abs(auc[d] - expected) <= 1e-12)):
            problems.append(f"{d}: auc {auc[d]!r}, scikit-learn {expected!r}")
    return problems


# ---------------------------------------------------------------- tests


@pytest.fixture(scope="module")
def crafted(new_project: Callable[[str], ProjectCopy]) -> tuple[ProjectCopy, datetime]:
    project = new_project("backtest")
    started = utc_now()
    build(project, crafted_log(), backtest_vars([D1, D2, D3, D4, D5]))
    return project, started


def test_shared_crafted_build_backtest_matches_the_oracle(crafted_build: Built) -> None:
    """The suite's shared crafted build (every model, default backtest vars: D = score date - 30)
    on every engine, Spark included, at no extra build."""
    project = crafted_build.project
    expected, populations = expected_backtest(
        crafted_build.dataset.tables, CRAFTED_WEIGHTS, project.tiers(), [CRAFTED_SCORE_DATE - timedelta(days=HORIZON)],
        CRAFTED_SCORE_DATE, CRAFTED_WINDOW_DAYS, HORIZON, utc_now())
    assert populations and all(len({m.has_outcome for m in ms}) == 2 for ms in populations.values())
    assert mart_differences(project, expected) == []
    assert sklearn_differences(project, populations) == []


@SEVERAL_BUILDS
def test_crafted_backtest_matches_the_oracle_and_scikit_learn(crafted: tuple[ProjectCopy, datetime]) -> None:
    project, started = crafted
    expected, populations = expected_marts(crafted_log(), project.tiers(), [D1, D2, D3, D4, D5], started)
    assert mart_differences(project, expected) == []
    assert sklearn_differences(project, populations) == []
    for mart, columns in CONTRACT_COLUMNS.items():
        assert tuple(project.mart_columns(mart)[:len(columns)]) == columns
    # The cases the data was made for, read from the marts themselves.
    summary = {r["score_date"]: r for r in project.mart("engagement_backtest_summary")}
    assert sorted(summary) == [D4, D1, D2, D3]
    assert (summary[D1]["auc"], summary[D1]["top_decile_lift"]) == (0.5, 1.0)  # every score 0
    assert summary[D2]["auc"] is not None and summary[D2]["tiers_monotone"] is False
    assert (summary[D3]["auc"], summary[D3]["auc_null_reason"]) == (None, "no_positives")
    assert (summary[D4]["customers"], summary[D4]["auc_null_reason"]) == (0, "no_customers")
    log = (project.root / "logs" / "dbt.log").read_text()
    assert f"engagement backtest: skipping score date {D5}: its outcome window" in log


@SEVERAL_BUILDS
def test_suggest_weights_writes_the_seed_and_scores_the_held_out_date(
        crafted: tuple[ProjectCopy, datetime], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """tools/suggest_weights.py through dbt on this engine. With the current window as the only
    setting, the written weights, scored by the oracle on the held-out date, give the AUC the tool
    prints; the current score's AUC is the summary mart's."""
    project, started = crafted
    out = tmp_path / "suggested_event_weights.csv"
    dbt_vars = {**project.warehouse.dbt_vars(), **backtest_vars([D2])}
    with project.dbt_environment():
        suggest_weights.main(["--project-dir", str(project.root), "--profiles-dir", str(project.root),
                              "--vars", json.dumps(dbt_vars), "--train-date", "2024-02-29",
                              "--test-date", D2.isoformat(), "--out", str(out),
                              "--windows", str(WINDOW_DAYS), "--half-lives", "none"])
    printed = capsys.readouterr().out
    with out.open(newline="") as f:
        written = list(csv.reader(f))
    assert written[0] == list(WEIGHTS_HEADER)
    assert [(r[0], r[1], r[3]) for r in written[1:]] == [(w.channel, w.event_type, str(w.daily_cap or ""))
                                                       for w in WEIGHTS]
    assert all(re.fullmatch(r"-?\d+(\.\d{1,6})?", r[2]) for r in written[1:]), written
    suggested = [Weight(r[0], r[1], Decimal(r[2]), int(r[3]) if r[3] else None) for r in written[1:]]
    members = population(crafted_log().tables, suggested, project.tiers(), D2, HORIZON, WINDOW_DAYS, started)
    oracle_auc = roc_auc_score([m.has_outcome for m in members], [float(m.score) for m in members])
    mart_auc = next(r["auc"] for r in project.mart("engagement_backtest_summary") if r["score_date"] == D2)
    aucs = {name: float(auc) for name, auc in re.findall(r"^(current|suggested) weights,.*?(\d\.\d{3}) +\S+$",
                                                          printed, re.MULTILINE)}
    assert aucs == {"current": round(mart_auc, 3), "suggested": round(oracle_auc, 3)}, printed


@SEVERAL_BUILDS
def test_outcome_from_a_seed_and_a_bad_outcome(crafted: tuple[ProjectCopy, datetime]) -> None:
    """A churn date per customer in a seed of the project; a higher score should mean less churn:
    AUC, deciles and monotonicity follow the negated score."""
    project, started = crafted
    write_csv(project.root / "seeds" / f"{OUTCOME_SEED}.csv",
              [["customer_id", "outcome_at"]]
              + [[o.customer_id, "" if o.outcome_at is None else str(o.outcome_at)] for o in CHURN_DATES])
    dbt_vars = backtest_vars([D2], engagement_backtest_outcome_model=OUTCOME_SEED,
                             engagement_backtest_outcome_is_bad=True)
    result = project.build(dbt_vars, "--select", OUTCOME_SEED, "int_engagement__backtest_population+",
                           "--indirect-selection", "cautious", *DATA_ONLY)
    assert result.success, f"dbt build failed: {result.failed_nodes()}"
    expected, populations = expected_marts(crafted_log(), project.tiers(), [D2], started,
                                           outcome_name=OUTCOME_SEED, outcomes=CHURN_DATES, is_bad=True)
    assert mart_differences(project, expected) == []
    assert sklearn_differences(project, populations, is_bad=True) == []
    summary = project.mart("engagement_backtest_summary")
    assert [(r["outcome_name"], r["positives"], r["outcome_is_bad"]) for r in summary] == [(OUTCOME_SEED, 3, True)]
    deciles = sorted(project.mart("engagement_backtest_deciles"), key=lambda r: r["decile"])
    assert deciles[0]["max_score"] < deciles[-1]["min_score"]  # decile 1 holds the lowest scores


@pytest.fixture(scope="module")
def random_project(new_project: Callable[[str], ProjectCopy]) -> ProjectCopy:
    """One copy for every example: dbt's partial parse stays warm."""
    return new_project("backtest_random")


# Few examples, each a full build of the backtest path: CI time (ENGAGEMENT_BACKTEST_EXAMPLES for more).
customer_ids = [f"c{i}" for i in range(10)]
days = st.integers(0, (SCORE_DATE - date(2024, 1, 1)).days).map(lambda n: date(2024, 1, 1) + timedelta(days=n))


@st.composite
def purchase_logs(draw: st.DrawFn) -> PurchaseLog:
    log = PurchaseLog()
    # At least a few customers with an event each: hypothesis starts from the smallest example.
    for cid in customer_ids[:draw(st.integers(4, len(customer_ids)))]:
        signed_up = draw(st.none() | days.map(lambda d: datetime.combine(d, datetime.min.time())))
        log.customer(cid, signed_up)
        for day, event_type, times in draw(st.lists(st.tuples(days, st.sampled_from(["purchase", "login",
                                                                                       "app_uninstall"]),
                                                              st.integers(1, 4)), min_size=1, max_size=12)):
            log.event(cid, event_type, datetime.combine(day, datetime.min.time()) + timedelta(hours=13), times)
    return log


@SEVERAL_BUILDS
@seed(int(os.environ.get("ENGAGEMENT_SEED", "20240331")))
@settings(max_examples=int(os.environ.get("ENGAGEMENT_BACKTEST_EXAMPLES", "3")), deadline=None, database=None,
          phases=[Phase.explicit, Phase.generate],
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(log=purchase_logs(), listed=st.lists(days, min_size=1, max_size=3), horizon=st.integers(1, 60),
       window_days=st.integers(1, 45), min_customers=st.integers(1, 3), is_bad=st.booleans())
def test_random_logs_match_the_oracle_and_scikit_learn(random_project: ProjectCopy, log: PurchaseLog,
                                                       listed: list[date], horizon: int, window_days: int,
                                                       min_customers: int, is_bad: bool) -> None:
    project = random_project
    started = utc_now()
    build(project, log, backtest_vars(listed, engagement_window_days=window_days,
                                      engagement_backtest_horizon_days=horizon,
                                      engagement_backtest_min_tier_customers=min_customers,
                                      engagement_backtest_outcome_is_bad=is_bad))
    expected, populations = expected_marts(log, project.tiers(), listed, started, is_bad=is_bad,
                                           window_days=window_days, horizon=horizon, min_customers=min_customers)
    assert mart_differences(project, expected) == []
    assert sklearn_differences(project, populations, is_bad=is_bad) == []


