"""Build the demo end to end: demo data (only if the database has none), `dbt build`, summary.

Used by `make run`. Prints the marts a BI tool would show first, then writes the HTML report
(tools/report.py) and prints its path.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import duckdb
from dbt.cli.main import dbtRunner

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

import generate_demo_data  # noqa: E402  (sibling scripts, not an installed package)
import report  # noqa: E402

SUMMARIES: dict[str, str] = {
    "Engagement tiers": """
        select score_date, engagement_tier, customers,
               round(100 * share_of_customers, 1) as pct_of_customers, avg_engagement_score
        from main.engagement_tier_summary
        order by tier_rank
    """,
    "Engagement by segment": """
        select segment_column, segment_value, customers, avg_engagement_score, median_engagement_score,
               round(pct_engaged, 1) as pct_engaged, round(pct_disengaged, 1) as pct_disengaged,
               round(pct_churn_risk, 1) as pct_churn_risk
        from main.engagement_segment_summary
        order by segment_column = 'all' desc, segment_column, avg_engagement_score desc
    """,
    "Top upgrade candidates (free and trial customers ready to upgrade)": """
        select customer_id, plan, engagement_score, engagement_tier, days_since_signup,
               top_event_type_1, top_event_type_2, top_event_type_3
        from main.engagement_upgrade_candidates
        order by engagement_score desc, customer_id
        limit 10
    """,
    "Does the score predict anything? Backtest: the score on a past date against activity after it": """
        select score_date, horizon_days, outcome_name, customers, positives,
               round(base_rate, 3) as base_rate, round(auc, 3) as auc,
               round(top_decile_lift, 2) as top_decile_lift, tiers_monotone
        from main.engagement_backtest_summary
        order by score_date
    """,
    "Outcome rate per tier on the backtest date": """
        select score_date, engagement_tier, customers, round(100 * share_of_customers, 1) as pct_of_customers,
               round(100 * outcome_rate, 1) as pct_active_after, round(lift, 2) as lift
        from main.engagement_backtest_tiers
        order by score_date, tier_rank
    """,
    "Where the raw rows went": """
        select source_table, raw_rows, accepted_rows, duplicate_rows, rejected_rows, unaccounted_rows
        from main.engagement_source_reconciliation
        order by source_table
    """,
}


def print_summaries(database: str) -> None:
    with duckdb.connect(database) as con:
        for title, query in SUMMARIES.items():
            print(f"\n{title}")
            con.sql(query).show(max_width=160)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--database",
        default=os.environ.get("ENGAGEMENT_DUCKDB_PATH", "engagement.duckdb"),
        help="DuckDB file (default: $ENGAGEMENT_DUCKDB_PATH or engagement.duckdb)",
    )
    parser.add_argument("--report", type=Path, default=report.DEFAULT_OUT,
                        help=f"HTML report to write (default: {report.DEFAULT_OUT.relative_to(ROOT)})")
    args = parser.parse_args(argv)
    os.environ["ENGAGEMENT_DUCKDB_PATH"] = args.database

    generate_demo_data.main(["--database", args.database, "--if-empty"])
    result = dbtRunner().invoke(
        ["build", "--project-dir", str(ROOT), "--profiles-dir", str(ROOT)]
    )
    if not result.success:
        print("dbt build failed; see the output above.", file=sys.stderr)
        return 1
    print_summaries(args.database)
    print()
    return report.main(["--out", str(args.report)])


if __name__ == "__main__":
    sys.exit(main())
