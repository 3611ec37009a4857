"""Run the dbt project on a private warehouse and read the marts back.

One `ProjectCopy` is a private copy of the dbt project (so a test may edit its seeds) with its own
warehouse (engines.py: a DuckDB file, a PostgreSQL database or Spark schemas), target path and log
path. dbt runs in-process through `dbtRunner`.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
from collections.abc import Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

from dbt.cli.main import dbtRunner, dbtRunnerResult

from contract import MART_KEYS, MARTS, USING_VAR
from engines import INTERNAL_SCHEMA_SUFFIX, Engine
from history_oracle import score_alerts, score_changes, tier_transitions
from oracle import Row, Tier, TypeDay, Weight

REPO_ROOT = Path(__file__).resolve().parent.parent
PROJECT_ITEMS = ("dbt_project.yml", "profiles.yml", "packages.yml", "models", "macros", "seeds",
                 "tests")
WEIGHTS_SEED = "seeds/engagement_event_weights.csv"
TIERS_SEED = "seeds/engagement_tiers.csv"
WEIGHTS_HEADER = ("channel", "event_type", "weight", "daily_cap", "description")


def utc_now() -> datetime:
    """Current UTC time, naive (the contract's timestamps are naive UTC)."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


# ---------------------------------------------------------------- seeds


def _cell(value: str) -> str | None:
    return value.strip() or None


def _bool(value: str) -> bool | None:
    cell = _cell(value)
    return None if cell is None else cell.lower() in ("true", "t", "1", "yes")


def _decimal(value: str) -> Decimal | None:
    cell = _cell(value)
    return None if cell is None else Decimal(cell)


def parse_tiers(path: Path) -> list[Tier]:
    with path.open(newline="") as f:
        return [
            Tier(int(r["tier_rank"]), r["engagement_tier"].strip(), r["tier_label"].strip(),
                 _decimal(r["min_score"]), _bool(r["min_inclusive"]),
                 _decimal(r["max_score"]), _bool(r["max_inclusive"]))
            for r in csv.DictReader(f)
        ]


def parse_weights(path: Path) -> list[Weight]:
    with path.open(newline="") as f:
        return [
            Weight(r["channel"], r["event_type"], Decimal(r["weight"]),
                   int(r["daily_cap"]) if _cell(r["daily_cap"]) else None)
            for r in csv.DictReader(f)
        ]


def weights_csv(weights: Sequence[Weight]) -> list[list[str]]:
    """CSV cells (header first) of a weights seed."""
    return [list(WEIGHTS_HEADER)] + [
        [w.channel, w.event_type, str(w.weight),
         "" if w.daily_cap is None else str(w.daily_cap), f"{w.channel} {w.event_type}"]
        for w in weights
    ]


def write_csv(path: Path, cells: Sequence[Sequence[str]]) -> None:
    with path.open("w", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(cells)


# ---------------------------------------------------------------- running dbt

# Unit tests read fixed inputs, not the data a test loads: they run once per suite, in the shared
# crafted build, and every other build leaves them out (a third of a build's time; more on Spark).
DATA_ONLY = ("--exclude-resource-type", "unit_test")
# The marts of issue 3 and what they are built from, for tests whose oracle checks only those: the
# analytics and history models (half of a full build) are left to the tests that check them.
CORE_MARTS_ONLY = ("--select", *(f"+{mart}" for mart in MARTS), "--indirect-selection", "cautious")


@contextmanager
def _env(values: Mapping[str, str]) -> Iterator[None]:
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


@dataclass
class BuildResult:
    success: bool
    result: dbtRunnerResult

    def failed_nodes(self) -> list[Any]:
        """Run results (tests or models) that errored or failed."""
        results = getattr(self.result.result, "results", None) or []
        return [r for r in results if str(r.status).lower() in ("fail", "error")]

    def messages(self) -> list[str]:
        """What dbt said went wrong: the invocation's exception (parsing) and each failed node's message."""
        return [str(self.result.exception), *(str(r.message) for r in self.failed_nodes())]


class ProjectCopy:
    """A private copy of the dbt project with its own warehouse on the session's engine."""

    def __init__(self, root: Path, engine: Engine) -> None:
        self.root = root
        self.engine = engine
        root.mkdir(parents=True, exist_ok=True)
        for item in PROJECT_ITEMS:
            src = REPO_ROOT / item
            if src.is_dir():
                shutil.copytree(src, root / item)
            elif src.is_file():
                shutil.copy2(src, root / item)
        self.warehouse = engine.new_warehouse(root)

    @property
    def weights_path(self) -> Path:
        return self.root / WEIGHTS_SEED

    def tiers(self) -> list[Tier]:
        return parse_tiers(self.root / TIERS_SEED)

    def set_weights(self, weights: Sequence[Weight]) -> None:
        write_csv(self.weights_path, weights_csv(weights))

    def reset_database(self, raw: Mapping[str, Sequence[Row] | None], as_text: Collection[str] = ()) -> None:
        """Replace the raw tables (a None or missing table is not created); the tables named in
        as_text get text columns only, as loaders that land everything as strings write them."""
        self.warehouse.write_raw(raw, as_text)

    @contextmanager
    def dbt_environment(self) -> Iterator[None]:
        """The environment variables under which dbt (profiles.yml) finds this copy's warehouse."""
        with _env({**self.engine.dbt_env(), **self.warehouse.dbt_env(),
                   "DBT_SEND_ANONYMOUS_USAGE_STATS": "false", "DO_NOT_TRACK": "1"}):
            yield

    def build(self, dbt_vars: Mapping[str, Any], *extra: str) -> BuildResult:
        return self.invoke("build", dbt_vars, *extra)

    def invoke(self, command: str, dbt_vars: Mapping[str, Any], *extra: str) -> BuildResult:
        """Any dbt command (build, run, seed, test, source freshness, docs generate, ...) on this copy."""
        args = [*command.split(), "--project-dir", str(self.root), "--profiles-dir", str(self.root),
                "--target-path", str(self.root / "target"), "--log-path", str(self.root / "logs"),
                "--vars", json.dumps({**self.warehouse.dbt_vars(), **dbt_vars}), "--no-use-colors", "--quiet",
                *extra]
        with self.dbt_environment():
            result = dbtRunner().invoke(args)
        return BuildResult(bool(result.success), result)

    def read(self, sql: str) -> tuple[list[str], list[tuple[Any, ...]]]:
        return self.warehouse.read(sql)

    def query(self, sql: str) -> list[Row]:
        columns, rows = self.read(sql)
        return [dict(zip(columns, r)) for r in rows]

    def mart(self, name: str) -> list[Row]:
        return self.query(f"select * from {self.warehouse.mart_schema}.{name}")

    @property
    def internal_schema(self) -> str:
        """The schema of staging and intermediate relations, which BI tools are not pointed at."""
        return self.warehouse.mart_schema + INTERNAL_SCHEMA_SUFFIX

    def internal(self, name: str) -> list[Row]:
        """Rows of a staging or intermediate relation."""
        return self.query(f"select * from {self.internal_schema}.{name}")

    def mart_columns(self, name: str) -> list[str]:
        return self.read(f"select * from {self.warehouse.mart_schema}.{name} limit 0")[0]

    def snapshot(self, name: str) -> list[tuple[Any, ...]]:
        """Full, ordered contents of a table, for before/after comparisons."""
        columns, rows = self.read(f"select * from {self.warehouse.mart_schema}.{name}")
        return [tuple(columns), *sorted(rows, key=repr)]


def build_vars(score_date: date | None, window_days: int | None, **using: bool) -> dict[str, Any]:
    """dbt vars for a build (None: leave the project default); `using` maps raw tables to on/off."""
    out: dict[str, Any] = {}
    if score_date is not None:
        out["engagement_score_date"] = score_date.isoformat()
    if window_days is not None:
        out["engagement_window_days"] = window_days
    out.update({USING_VAR[table]: on for table, on in using.items()})
    return out


# ---------------------------------------------------------------- comparing marts

# Columns the contract rounds to 2 decimals: compared exactly.
EXACT_DECIMAL = {"engagement_score", "web_score", "app_score", "social_score", "offline_score",
                 "survey_score", "product_score"}
# Columns whose precision the contract leaves open.
# share: an exact fraction; average: of the rounded scores, rounded to 2 decimals or more.
APPROX_DECIMAL = {"share_of_customers": Decimal("1e-9"),
                  "avg_engagement_score": Decimal("0.005") + Decimal("1e-9")}


def as_decimal(value: Any) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, float):
        return Decimal(repr(value))
    return Decimal(value)


def as_naive_utc(value: Any) -> Any:
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(timezone.utc).replace(tzinfo=None)
    return value


def values_match(column: str, expected: Any, actual: Any) -> bool:
    if expected is None or actual is None:
        return expected is None and actual is None
    if column in EXACT_DECIMAL:
        return as_decimal(actual) == expected
    if column in APPROX_DECIMAL:
        diff = abs(as_decimal(actual) - Decimal(expected))  # type: ignore[operator]
        return diff <= APPROX_DECIMAL[column]
    if isinstance(expected, Decimal) or (isinstance(expected, int) and not isinstance(expected, bool)):
        return not isinstance(actual, bool) and as_decimal(actual) == expected
    return as_naive_utc(actual) == expected


def _key(row: Row, key: Sequence[str]) -> tuple[Any, ...]:
    return tuple(as_naive_utc(row[c]) for c in key)


def diff_mart(name: str, expected: Sequence[Row], actual: Sequence[Row]) -> list[str]:
    """Human-readable differences between expected and actual rows of a mart (empty: equal)."""
    key = MART_KEYS[name]
    problems: list[str] = []
    exp = _group(expected, key)
    act = _group(actual, key)
    for k in sorted(set(exp) | set(act), key=repr):
        e_rows, a_rows = exp.get(k, []), act.get(k, [])
        if len(e_rows) != len(a_rows):
            problems.append(f"{name} {dict(zip(key, k))}: expected {len(e_rows)} row(s) "
                            f"{e_rows}, got {len(a_rows)} {a_rows}")
            continue
        for e, a in zip(e_rows, a_rows):
            bad = [c for c in MARTS[name] if c in a and not values_match(c, e[c], a[c])]
            if bad:
                problems.append(f"{name} {dict(zip(key, k))}: " + ", ".join(
                    f"{c} expected {e[c]!r} got {a[c]!r}" for c in bad))
    return problems


def _group(rows: Sequence[Row], key: Sequence[str]) -> dict[tuple[Any, ...], list[Row]]:
    out: dict[tuple[Any, ...], list[Row]] = {}
    for row in rows:
        out.setdefault(_key(row, key), []).append(row)
    return out


def diff_all(expected: Mapping[str, Sequence[Row]], project: ProjectCopy) -> list[str]:
    problems: list[str] = []
    for name in MARTS:
        columns = project.mart_columns(name)
        if columns != list(MARTS[name]):
            problems.append(f"{name}: columns {columns} != contract {list(MARTS[name])}")
        problems.extend(diff_mart(name, expected[name], project.mart(name)))
    return problems


HISTORY_KEY = ("customer_id", "score_date")


def differences(expected: Sequence[Row], actual: Sequence[Row], key: Sequence[str]) -> list[str]:
    """Row-by-row differences on the expected rows' columns (empty: equal)."""
    def index(rows: Sequence[Row]) -> dict[tuple[Any, ...], Row]:
        out: dict[tuple[Any, ...], Row] = {}
        for row in rows:
            k = tuple(as_naive_utc(row[c]) for c in key)
            assert k not in out, f"duplicate key {k}"
            out[k] = row
        return out
    exp, act = index(expected), index(actual)
    problems = [f"missing {k}" for k in exp.keys() - act.keys()]
    problems += [f"unexpected {k}: {act[k]}" for k in act.keys() - exp.keys()]
    for k in exp.keys() & act.keys():
        bad = [c for c in exp[k] if not values_match(c, exp[k][c], act[k].get(c))]
        problems += [f"{k}: " + ", ".join(f"{c} expected {exp[k][c]!r} got {act[k].get(c)!r}" for c in bad)] if bad else []
    return sorted(problems)[:20]


def downstream_differences(project: ProjectCopy, history: Sequence[Row], points: Mapping[TypeDay, Decimal],
                           window_days: int, half_life: float | None = None) -> list[str]:
    """How the score changes, the alerts and the tier transitions differ from the oracle's, given
    the history they were built from and the points per customer, event type and day
    (oracle.type_day_points)."""
    changes = score_changes(history)
    alerts = score_alerts(changes, project.tiers(), points, window_days, half_life)
    return [*differences(changes, project.mart("customer_engagement_score_changes"), HISTORY_KEY),
            *differences(alerts, project.mart("engagement_score_alerts"), (*HISTORY_KEY, "alert_type")),
            *differences(tier_transitions(changes), project.mart("engagement_tier_transitions"),
                         ("score_date", "from_tier", "to_tier"))]
