#!/usr/bin/env python3
"""Backtest the package on a real public purchase log: CDNOW, as shipped in the PyPI package
`lifetimes` 0.11.3 (lifetimes/datasets/CDNOW_master.txt: 69,659 purchases of 23,570 customers who
first bought in January to March 1997, up to June 1998).

Downloads the wheel with pip (nothing is imported from it; the file is read from the zip), loads
the log into the raw contract of a private copy of the project on DuckDB (customers signed up at
their first purchase; one product event `purchase` per purchase, weight 1), builds the backtest
with dbt, and checks the package's AUC against a hand computation with scikit-learn straight from
the file. Then runs tools/suggest_weights.py on the same build. docs/backtest.md has the figures.

The defaults reproduce the classic CDNOW split: score on 1997-09-30 with a 273-day (39-week)
window, the outcome is any purchase in the 273 days after.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections import Counter
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
from dbt.cli.main import dbtRunner
from sklearn.metrics import roc_auc_score

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

import suggest_weights  # noqa: E402  (sibling script, not an installed package)

PACKAGE = "lifetimes==0.11.3"
MEMBER = "lifetimes/datasets/CDNOW_master.txt"
PROJECT_ITEMS = ("dbt_project.yml", "profiles.yml", "models", "macros", "seeds", "tests")
OTHER_TABLES = ("web_events", "app_events", "social_interactions", "offline_registrations", "survey_responses")
WEIGHTS = "channel,event_type,weight,daily_cap,description\nproduct,purchase,1,,A purchase (CDNOW)\n"
LAST_DAY = date(1998, 6, 30)

Purchase = tuple[str, date]


def download(cache: Path) -> Path:
    """The lifetimes wheel, fetched by pip into cache unless it is there already."""
    wheels = sorted(cache.glob("[Ll]ifetimes-0.11.3-*.whl"))
    if not wheels:
        cache.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-m", "pip", "download", PACKAGE, "--no-deps", "--quiet",
                        "--disable-pip-version-check", "-d", str(cache)], check=True)
        wheels = sorted(cache.glob("[Ll]ifetimes-0.11.3-*.whl"))
    if not wheels:
        raise SystemExit(f"pip download {PACKAGE} left no wheel in {cache}")
    return wheels[0]


def read_purchases(wheel: Path) -> list[Purchase]:
    """(customer_id, day) per line of CDNOW_master.txt (customer, YYYYMMDD, CDs, dollars)."""
    with zipfile.ZipFile(wheel) as archive:
        lines = archive.read(MEMBER).decode().splitlines()
    purchases = []
    for line in lines[1:]:
        customer_id, day, *_ = line.split()
        purchases.append((customer_id, date(int(day[:4]), int(day[4:6]), int(day[6:]))))
    return purchases


def copy_project(folder: Path) -> Path:
    project = folder / "project"
    project.mkdir(parents=True)
    for item in PROJECT_ITEMS:
        source = ROOT / item
        if source.is_dir():
            shutil.copytree(source, project / item, ignore=shutil.ignore_patterns("target", "logs"))
        else:
            shutil.copy2(source, project / item)
    (project / "seeds" / "engagement_event_weights.csv").write_text(WEIGHTS)
    return project


def load_raw(database: Path, purchases: Sequence[Purchase]) -> None:
    """raw.customers (signed up at the first purchase) and raw.product_events, from a CSV of the
    purchases (DuckDB reads it far faster than row-by-row inserts)."""
    csv_path = database.with_suffix(".purchases.csv")
    csv_path.write_text("event_id,customer_id,day\n" + "".join(
        f"cdnow_{i},{customer_id},{day.isoformat()}\n" for i, (customer_id, day) in enumerate(purchases, start=1)))
    with duckdb.connect(str(database)) as con:
        con.execute("create schema if not exists raw")
        con.execute(f"""
            create or replace table raw.product_events as
            select event_id, customer_id, 'purchase' as event_type, day + interval 12 hour as occurred_at
            from read_csv('{csv_path}', header = true,
                          columns = {{'event_id': 'varchar', 'customer_id': 'varchar', 'day': 'date'}})
        """)
        con.execute("""
            create or replace table raw.customers as
            select
                customer_id,
                cast(null as varchar) as account_id,
                min(occurred_at) as signed_up_at,
                cast(null as varchar) as plan,
                cast(null as varchar) as country,
                cast(null as varchar) as persona
            from raw.product_events
            group by customer_id
        """)
    csv_path.unlink()


def hand_auc(purchases: Sequence[Purchase], score_date: date, window_days: int, horizon_days: int) -> float:
    """scikit-learn's AUC of 'purchases in the window' against 'a purchase in the horizon', from
    the file alone."""
    window_start = score_date - timedelta(days=window_days - 1)
    outcome_end = score_date + timedelta(days=horizon_days)
    first: dict[str, date] = {}
    counts: Counter[str] = Counter()
    buyers: set[str] = set()
    for customer_id, day in purchases:
        first[customer_id] = min(first.get(customer_id, day), day)
        if window_start <= day <= score_date:
            counts[customer_id] += 1
        elif score_date < day <= outcome_end:
            buyers.add(customer_id)
    customers = sorted(c for c, d in first.items() if d <= score_date)
    return float(roc_auc_score([c in buyers for c in customers], [counts[c] for c in customers]))


def dbt_vars(args: argparse.Namespace) -> dict[str, Any]:
    return {
        "engagement_score_date": LAST_DAY.isoformat(),
        "engagement_window_days": args.window_days,
        # The history is kept from the backtest date on: the earlier days are not asked for.
        "engagement_history_start_date": min(args.score_date, args.train_date).isoformat(),
        "engagement_backtest_score_dates": [args.score_date.isoformat()],
        "engagement_backtest_horizon_days": args.horizon_days,
        **{f"engagement_using_{table}": False for table in OTHER_TABLES},
    }


def show(database: Path, sql: str) -> None:
    with duckdb.connect(str(database)) as con:
        con.sql(sql).show(max_width=200)


def run(args: argparse.Namespace) -> int:
    purchases = read_purchases(download(args.cache_dir))
    folder = Path(tempfile.mkdtemp(prefix="cdnow_backtest_")) if args.workdir is None else args.workdir
    project = copy_project(folder)
    database = folder / "cdnow.duckdb"
    load_raw(database, purchases)
    os.environ.update({"ENGAGEMENT_TARGET": "duckdb", "ENGAGEMENT_DUCKDB_PATH": str(database)})
    build_vars = dbt_vars(args)
    result = dbtRunner().invoke(["build", "--project-dir", str(project), "--profiles-dir", str(project),
                                 "--vars", json.dumps(build_vars), "--select", "+engagement_backtest_summary",
                                 "+engagement_tier_suggestions", "--indirect-selection", "cautious",
                                 "--exclude-resource-type", "unit_test",
                                 "--quiet"])
    if not result.success:
        print(f"dbt build failed; logs in {project / 'logs'}", file=sys.stderr)
        return 1
    print(f"\nCDNOW ({len(purchases):,} purchases), scored on {args.score_date} with a {args.window_days}-day "
          f"window, outcome: a purchase in the {args.horizon_days} days after.")
    show(database, "select score_date, customers, positives, round(base_rate, 4) as base_rate, auc, "
                   "round(top_decile_lift, 3) as top_decile_lift, tiers_monotone from main.engagement_backtest_summary")
    show(database, "select engagement_tier, customers, round(share_of_customers, 4) as share, "
                   "round(outcome_rate, 4) as outcome_rate from main.engagement_backtest_tiers order by tier_rank")
    show(database, "select engagement_tier, suggested_min_score, suggested_max_score, suggested_customers, "
                   "round(suggested_outcome_rate, 4) as suggested_outcome_rate, suggested_tiers_monotone "
                   "from main.engagement_tier_suggestions order by tier_rank")
    with duckdb.connect(str(database)) as con:
        package_auc = float(con.execute("select auc from main.engagement_backtest_summary").fetchall()[0][0])
    expected = hand_auc(purchases, args.score_date, args.window_days, args.horizon_days)
    agree = round(package_auc, 3) == round(expected, 3)
    print(f"package AUC {package_auc:.6f}, hand computation (scikit-learn) {expected:.6f}: "
          f"{'equal' if agree else 'DIFFERENT'} to 3 decimals")

    print(f"\nSuggested weights, window and decay (train {args.train_date}, test {args.test_date}, "
          f"horizon {args.suggest_horizon_days} days):")
    suggest_weights.main(["--project-dir", str(project), "--profiles-dir", str(project),
                          "--vars", json.dumps(build_vars), "--train-date", args.train_date.isoformat(),
                          "--test-date", args.test_date.isoformat(),
                          "--horizon-days", str(args.suggest_horizon_days), "--out", str(args.out),
                          "--windows", *map(str, args.windows), "--half-lives", *args.half_lives])
    print(f"\nWork folder (project copy, DuckDB file): {folder}")
    return 0 if agree else 1


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--score-date", type=date.fromisoformat, default=date(1997, 9, 30),
                        help="backtest date (default: 1997-09-30, the end of CDNOW's 39-week calibration period)")
    parser.add_argument("--window-days", type=int, default=273, help="scoring window in days (default: 273)")
    parser.add_argument("--horizon-days", type=int, default=273,
                        help="days after the backtest date a purchase is the outcome (default: 273, to 1998-06-30)")
    parser.add_argument("--train-date", type=date.fromisoformat, default=date(1997, 9, 30),
                        help="suggest-weights training date (default: 1997-09-30)")
    parser.add_argument("--test-date", type=date.fromisoformat, default=date(1998, 3, 31),
                        help="suggest-weights held-out date (default: 1998-03-31)")
    parser.add_argument("--suggest-horizon-days", type=int, default=91,
                        help="suggest-weights horizon, so both dates' outcome windows fit the log (default: 91)")
    parser.add_argument("--windows", type=int, nargs="+", default=[30, 91, 182, 273, 365],
                        help="window lengths suggest-weights sweeps (default: 30 91 182 273 365)")
    parser.add_argument("--half-lives", nargs="+", default=["none", "30", "91", "182", "365"],
                        help="decay half-lives suggest-weights sweeps, 'none' for no decay "
                             "(default: none 30 91 182 365)")
    parser.add_argument("--out", type=Path, default=Path("cdnow_suggested_event_weights.csv"),
                        help="where suggest-weights writes its weights (default: cdnow_suggested_event_weights.csv)")
    parser.add_argument("--cache-dir", type=Path, default=Path(tempfile.gettempdir()) / "customer_engagement_cdnow",
                        help="where the lifetimes wheel is downloaded (default: a folder in the temp dir)")
    parser.add_argument("--workdir", type=Path, help="folder for the project copy and DuckDB file (default: a new temp folder)")
    args = parser.parse_args(argv)
    if args.score_date + timedelta(days=args.horizon_days) > LAST_DAY:
        parser.error(f"--score-date plus --horizon-days must end by {LAST_DAY}, the log's last day")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    return run(parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
