#!/usr/bin/env python3
"""Suggest event weights, a scoring window and a decay half-life that predict the backtest outcome.

Reads the warehouse through the project's dbt profile and target (dbt's Python API, `dbt show`),
so it works wherever the models do (DuckDB, PostgreSQL). The project must have been built: the
tool reads int_engagement__daily_points (per customer, event type and day, raw and derived
events, after the daily caps), customer_engagement_daily (the current score) and the backtest
population model with its own dates.

On a training date it fits a logistic regression of the outcome (the backtest's: any accepted
event in the horizon, or the outcome model's) on each customer's counted units per event type in
the window, decayed, for every window length and half-life of the sweep, and keeps the setting
with the best cross-validated AUC on that date. The weights are the model's coefficients, scaled
so that the suggested score is on the current score's scale (least squares on the training date)
and the current tier bounds keep their meaning. It then scores a later, held-out date whose
outcome window has closed, and prints AUC and top-decile lift of the current and the suggested
settings there. The weights go to a CSV in the format of seeds/engagement_event_weights.csv.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from dbt.artifacts.schemas.run import RunExecutionResult
from dbt.cli.main import dbtRunner
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

ROOT = Path(__file__).resolve().parent.parent
WEIGHTS_SEED = Path("seeds") / "engagement_event_weights.csv"
WEIGHTS_HEADER = ("channel", "event_type", "weight", "daily_cap", "description")
DEFAULT_WINDOWS = (7, 14, 30, 60, 90)
DEFAULT_HALF_LIVES: tuple[float | None, ...] = (None, 7, 14, 30, 60)
FOLDS = 3
MICRO = Decimal("0.000001")

EventType = tuple[str, str]  # channel, event_type


@dataclass(frozen=True)
class Setting:
    window_days: int
    half_life_days: float | None

    @property
    def label(self) -> str:
        return f"window {self.window_days}, half-life {fmt_half_life(self.half_life_days)}"


@dataclass(frozen=True)
class ProjectSettings:
    score_date: date
    window_days: int
    half_life_days: float | None
    horizon_days: int
    outcome_is_bad: bool
    outcome_name: str


@dataclass
class Sample:
    """One date's customers: their outcome, current score and counted units per setting."""

    customers: list[str]
    has_outcome: np.ndarray
    current_score: np.ndarray
    features: dict[Setting, np.ndarray]  # customers × event types


@dataclass
class Evaluation:
    name: str
    setting: Setting
    auc: float | None
    top_decile_lift: float | None


class Dbt:
    """Queries through dbt (`dbt show`) with the project's profile, target and vars."""

    def __init__(self, project_dir: Path, profiles_dir: Path | None, target: str | None,
                 dbt_vars: dict[str, Any]) -> None:
        self.base = ["--project-dir", str(project_dir), "--log-level", "none", "--limit", "-1"]
        if profiles_dir is not None:
            self.base += ["--profiles-dir", str(profiles_dir)]
        if target is not None:
            self.base += ["--target", target]
        self.vars = dbt_vars

    def _show(self, args: list[str], more_vars: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        dbt_vars = {**self.vars, **(more_vars or {})}
        result = dbtRunner().invoke(["show", *args, *self.base, "--vars", json.dumps(dbt_vars)])
        if not result.success:
            messages = [str(result.exception)] if result.exception else []
            messages += [str(r.message) for r in getattr(result.result, "results", None) or [] if r.message]
            raise SystemExit("dbt show failed: " + "; ".join(messages or ["see logs/dbt.log"]))
        table = result.result.results[0].agate_table if isinstance(result.result, RunExecutionResult) else None
        if table is None:
            raise SystemExit(f"dbt show returned no table for {' '.join(args)[:80]}")
        return [dict(zip(table.column_names, row)) for row in table.rows]

    def query(self, sql: str) -> list[dict[str, Any]]:
        return self._show(["--inline", sql])

    def model(self, name: str, more_vars: dict[str, Any]) -> list[dict[str, Any]]:
        return self._show(["--select", name], more_vars)


# ---------------------------------------------------------------- reading


SETTINGS_SQL = """
select
    {{ engagement_date_literal(engagement_score_date()) }} as score_date,
    {{ engagement_window_days() }} as window_days,
    {{ engagement_decay_half_life_days() if engagement_decay_half_life_days() is not none else 'null' }} as half_life_days,
    {{ engagement_backtest_horizon_days() }} as horizon_days,
    {{ 'true' if engagement_backtest_outcome_is_bad() else 'false' }} as outcome_is_bad,
    '{{ engagement_backtest_outcome_name() }}' as outcome_name
"""

WEIGHTS_SQL = """
select channel, event_type, weight, daily_cap, description
from {{ ref('stg_engagement__event_weights') }}
"""


def features_sql(score_dates: Sequence[date], settings: Sequence[Setting]) -> str:
    """Per date, customer and event type: counted units in each setting's window, decayed."""
    longest = max(s.window_days for s in settings)
    double = "{{ engagement_type_double() }}"
    selects = []
    for score_date in score_dates:
        day = f"cast('{score_date.isoformat()}' as date)"
        age = f"{{{{ dbt.datediff('event_date', \"{day}\", 'day') }}}}"
        columns = []
        for i, setting in enumerate(settings):
            factor = ("1" if setting.half_life_days is None
                      else f"power(0.5, cast({age} as {double}) / {setting.half_life_days})")
            columns.append(f"sum(case when {age} < {setting.window_days} "
                           f"then cast(counted_units as {double}) * {factor} else 0 end) as f{i}")
        selects.append(
            f"select {day} as score_date, customer_id, channel, event_type, {', '.join(columns)} "
            f"from {{{{ ref('int_engagement__daily_points') }}}} "
            f"where event_date <= {day} and {age} < {longest} "
            "group by customer_id, channel, event_type")
    return "\nunion all\n".join(selects)


def as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def read_settings(dbt: Dbt) -> ProjectSettings:
    row = dbt.query(SETTINGS_SQL)[0]
    half_life = row["half_life_days"]
    return ProjectSettings(as_date(row["score_date"]), int(row["window_days"]),
                           None if half_life is None else float(half_life), int(row["horizon_days"]),
                           str(row["outcome_is_bad"]).lower() in ("true", "1"), str(row["outcome_name"]))


def read_samples(dbt: Dbt, dates: Sequence[date], horizon: int, settings: Sequence[Setting],
                 event_types: list[EventType]) -> dict[date, Sample]:
    """The backtest population of each date and the features of its customers. Appends event
    types seen in the data to event_types."""
    population = dbt.model("int_engagement__backtest_population", {
        "engagement_backtest_score_dates": [d.isoformat() for d in dates],
        "engagement_backtest_horizon_days": horizon,
    })
    feature_rows = dbt.query(features_sql(dates, settings))
    for row in feature_rows:
        key = (str(row["channel"]), str(row["event_type"]))
        if key not in event_types:
            event_types.append(key)
    column = {key: i for i, key in enumerate(event_types)}
    samples = {}
    for d in dates:
        members = sorted((r for r in population if as_date(r["score_date"]) == d), key=lambda r: str(r["customer_id"]))
        if not members:
            raise SystemExit(f"no backtest population on {d}: its outcome window must end by the score date "
                             "(engagement_score_date), and customers must have signed up by then")
        index = {str(r["customer_id"]): i for i, r in enumerate(members)}
        features = {s: np.zeros((len(members), len(event_types))) for s in settings}
        for row in feature_rows:
            i = index.get(str(row["customer_id"]))
            if as_date(row["score_date"]) != d or i is None:
                continue
            j = column[(str(row["channel"]), str(row["event_type"]))]
            for k, s in enumerate(settings):
                features[s][i, j] = float(row[f"f{k}"])
        samples[d] = Sample(
            customers=[str(r["customer_id"]) for r in members],
            has_outcome=np.array([bool(r["has_outcome"]) for r in members]),
            current_score=np.array([float(r["engagement_score"]) for r in members]),
            features=features,
        )
    return samples


# ---------------------------------------------------------------- measuring


def top_decile_lift(ranking: np.ndarray, outcome: np.ndarray) -> float | None:
    """As engagement_backtest_deciles: decile 1 holds the customers ranked first, a tie group
    whole (in the decile of its first member); its outcome rate over the base rate."""
    n = len(ranking)
    if n == 0 or not outcome.any():
        return None
    order = np.sort(ranking)[::-1]
    above = np.searchsorted(-order, -ranking, side="left")  # customers ranked strictly higher
    first = (10 * above) // n == 0
    return float(outcome[first].mean() / outcome.mean())


def evaluate(name: str, setting: Setting, score: np.ndarray, has_outcome: np.ndarray, is_bad: bool) -> Evaluation:
    ranking = -score if is_bad else score
    auc = float(roc_auc_score(has_outcome, ranking)) if 0 < has_outcome.sum() < len(has_outcome) else None
    return Evaluation(name, setting, auc, top_decile_lift(ranking, has_outcome))


def model() -> Any:
    return make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))


def fit_weights(features: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Coefficients per unit of each event type (the scaler's standardisation undone)."""
    pipeline = model().fit(features, target)
    scaler, regression = pipeline[0], pipeline[1]
    return regression.coef_[0] / scaler.scale_


def choose_setting(train: Sample, target: np.ndarray, settings: Sequence[Setting]) -> tuple[Setting, dict[Setting, float]]:
    folds = StratifiedKFold(n_splits=FOLDS, shuffle=True, random_state=0)
    scores = {s: float(cross_val_score(model(), train.features[s], target, cv=folds, scoring="roc_auc").mean())
              for s in settings}
    return max(settings, key=lambda s: scores[s]), scores


def scale_to(current: np.ndarray, raw: np.ndarray) -> float:
    """The factor that puts raw scores on the current score's scale (least squares through 0)."""
    denominator = float(raw @ raw)
    factor = float(current @ raw) / denominator if denominator > 0 else 0.0
    return factor if factor > 0 else 1.0


def rounded(value: float) -> Decimal:
    result = Decimal(repr(float(value))).quantize(MICRO, rounding=ROUND_HALF_UP)
    return result if result != 0 else Decimal(0)


def weight_text(value: Decimal) -> str:
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


# ---------------------------------------------------------------- the run


def seed_order(project_dir: Path) -> list[EventType]:
    path = project_dir / WEIGHTS_SEED
    if not path.exists():
        return []
    with path.open(newline="") as f:
        return [(r["channel"].strip().lower(), r["event_type"].strip().lower()) for r in csv.DictReader(f)]


def write_weights(path: Path, rows: Sequence[tuple[str, str, Decimal, Any, str]]) -> None:
    with path.open("w", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(WEIGHTS_HEADER)
        for channel, event_type, weight, daily_cap, description in rows:
            writer.writerow([channel, event_type, weight_text(weight),
                             "" if daily_cap is None else str(int(daily_cap)), description])


def fmt_half_life(value: float | None) -> str:
    return "none" if value is None else f"{value:g}"


def fmt(value: float | None, digits: int) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def run(args: argparse.Namespace) -> int:
    dbt_vars = yaml.safe_load(args.vars) if args.vars else {}
    dbt = Dbt(args.project_dir, args.profiles_dir, args.target, dbt_vars or {})
    project = read_settings(dbt)
    horizon = args.horizon_days or project.horizon_days
    test_date = args.test_date or project.score_date - timedelta(days=horizon)
    train_date = args.train_date or test_date - timedelta(days=horizon)
    if train_date >= test_date:
        raise SystemExit(f"--train-date {train_date} must be before --test-date {test_date}")
    if test_date + timedelta(days=horizon) > project.score_date:
        raise SystemExit(f"--test-date {test_date}: its outcome window (to {test_date + timedelta(days=horizon)}) "
                         f"is not over by the score date {project.score_date} (engagement_score_date)")
    current = Setting(project.window_days, project.half_life_days)
    settings = list(dict.fromkeys([current, *(Setting(w, h) for w in args.windows for h in args.half_lives)]))

    weight_rows = {(str(r["channel"]), str(r["event_type"])): r for r in dbt.query(WEIGHTS_SQL)}
    order = seed_order(args.project_dir)
    event_types = sorted(weight_rows, key=lambda k: (order.index(k) if k in order else len(order), k))
    samples = read_samples(dbt, [train_date, test_date], horizon, settings, event_types)
    train, test = samples[train_date], samples[test_date]
    # Fit "more of what the score should predict": the outcome, or its absence when it is bad.
    train_target = train.has_outcome != project.outcome_is_bad
    if train_target.all() or not train_target.any() or min(train_target.sum(), (~train_target).sum()) < FOLDS:
        raise SystemExit(f"the training date {train_date} needs at least {FOLDS} customers with and without "
                         f"the outcome; it has {int(train.has_outcome.sum())} of {len(train.customers)}")

    best, cv_auc = choose_setting(train, train_target, settings)
    observed = np.asarray(train.features[best].any(axis=0), dtype=bool)
    fitted = fit_weights(train.features[best], train_target)
    factor = scale_to(train.current_score, train.features[best] @ fitted)
    suggested: list[Decimal] = []
    for j, key in enumerate(event_types):
        current_weight = weight_rows[key]["weight"] if key in weight_rows else None
        if not observed[j] and current_weight is not None:
            suggested.append(Decimal(str(current_weight)))  # nothing to learn from: keep it
        else:
            suggested.append(rounded(factor * fitted[j]))
    weights = np.array([float(w) for w in suggested])
    same_window = fit_weights(train.features[current], train_target)
    same_window *= scale_to(train.current_score, train.features[current] @ same_window)

    evaluations = [
        evaluate("current weights, window and decay (the package's score)", current, test.current_score,
                 test.has_outcome, project.outcome_is_bad),
        evaluate("suggested weights, current window and decay", current, test.features[current] @ same_window,
                 test.has_outcome, project.outcome_is_bad),
        evaluate("suggested weights, window and decay", best, test.features[best] @ weights,
                 test.has_outcome, project.outcome_is_bad),
    ]
    rows = []
    for key, weight in zip(event_types, suggested):
        existing = weight_rows.get(key)
        rows.append((key[0], key[1], weight, existing["daily_cap"] if existing else None,
                     str(existing["description"]) if existing and existing["description"] is not None
                     else "Suggested for an event type without a weight row"))
    write_weights(args.out, rows)

    positives = int(test.has_outcome.sum())
    print(f"Trained on {train_date}, held out {test_date}; outcome: {project.outcome_name} in the {horizon} days "
          f"after the date{' (bad: a higher score should mean less of it)' if project.outcome_is_bad else ''}.")
    print(f"Held-out date: {len(test.customers)} customers, {positives} with the outcome "
          f"({100 * positives / len(test.customers):.1f} %). {len(settings)} settings swept; "
          f"{best.label} had the best {FOLDS}-fold cross-validated AUC on {train_date} ({cv_auc[best]:.3f}).")
    print()
    print(f"{'held-out date ' + str(test_date):<58}{'window':>7}{'half-life':>11}{'AUC':>8}{'top-decile lift':>17}")
    for e in evaluations:
        print(f"{e.name:<58}{e.setting.window_days:>7}{fmt_half_life(e.setting.half_life_days):>11}"
              f"{fmt(e.auc, 3):>8}{fmt(e.top_decile_lift, 2):>17}")
    print()
    print(f"Wrote {len(rows)} weights to {args.out} (the format of {WEIGHTS_SEED}; daily caps carried over).")
    changes = []
    if best.window_days != current.window_days:
        changes.append(f"engagement_window_days: {best.window_days}")
    if best.half_life_days != current.half_life_days:
        changes.append("engagement_decay_half_life_days: "
                       + ("null" if best.half_life_days is None else fmt_half_life(best.half_life_days)))
    print("To adopt: copy it over seeds/engagement_event_weights.csv (or your engagement_weight_overrides seed)"
          + (f", set {' and '.join(changes)} in dbt_project.yml" if changes else "")
          + ", then dbt build (the history rebuilds itself).")
    return 0


def positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1, got {text}")
    return value


def half_life(text: str) -> float | None:
    if text.lower() in ("none", "null", "off"):
        return None
    value = float(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"expected a number of days above 0 or 'none', got {text}")
    return value


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--train-date", type=date.fromisoformat,
                        help="date whose scores and outcomes train the model (default: test date minus the horizon)")
    parser.add_argument("--test-date", type=date.fromisoformat,
                        help="held-out date, later than the training date, whose outcome window has closed "
                             "(default: engagement_score_date minus the horizon)")
    parser.add_argument("--horizon-days", type=positive_int,
                        help="days after a date the outcome is looked for (default: engagement_backtest_horizon_days)")
    parser.add_argument("--out", type=Path, default=Path("suggested_event_weights.csv"),
                        help="CSV to write, in the weights seed's format (default: suggested_event_weights.csv)")
    parser.add_argument("--target", help="dbt target of the profile (default: the profile's)")
    parser.add_argument("--project-dir", type=Path, default=ROOT, help=f"dbt project (default: {ROOT})")
    parser.add_argument("--profiles-dir", type=Path,
                        default=Path(os.environ["DBT_PROFILES_DIR"]) if "DBT_PROFILES_DIR" in os.environ else None,
                        help="folder of profiles.yml (default: $DBT_PROFILES_DIR, else dbt's own search)")
    parser.add_argument("--vars", help="dbt vars as YAML, as given to dbt build (engagement_score_date, ...)")
    parser.add_argument("--windows", type=positive_int, nargs="+", default=list(DEFAULT_WINDOWS),
                        help=f"window lengths to sweep, in days (default: {' '.join(map(str, DEFAULT_WINDOWS))})")
    parser.add_argument("--half-lives", type=half_life, nargs="+", default=list(DEFAULT_HALF_LIVES),
                        help="decay half-lives to sweep, in days, 'none' for no decay "
                             f"(default: {' '.join(fmt_half_life(h) for h in DEFAULT_HALF_LIVES)})")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    return run(parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
