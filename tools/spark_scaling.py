"""Build the package on a local Spark session at demo scale and read how it would scale out.

Generates demo events in DuckDB, hands them to Spark as Parquet tables, runs `dbt seed` and
`dbt run` on the `spark` target through dbt's Python API, and prints (1) each model's time from
dbt's run results and (2) for the scoring path, the shuffles (Exchange operators and their keys)
in Spark's physical plan. docs/scaling.md is written from this output.

    python tools/spark_scaling.py --events 10000000
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
import time
from datetime import date, datetime, timezone
from pathlib import Path

import duckdb
from dbt.cli.main import dbtRunner

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

import generate_demo_data  # noqa: E402  (sibling scripts, not an installed package)
from local_spark import local_spark_session  # noqa: E402

SCORING_PATH = (
    "int_engagement__validated_rows",
    "int_engagement__events",
    "int_engagement__daily_points",
    "int_engagement__event_type_points",
    "customer_engagement_scores",
    "customer_engagement_tiers",
)


def export_raw(events: int, workdir: Path, end_date: date) -> dict[str, int]:
    database = workdir / "demo.duckdb"
    with duckdb.connect(str(database)) as con:
        counts = generate_demo_data.generate(con, customers=max(2000, events // 1000), days=120,
                                             end_date=end_date, seed=42, events=events)
        for table in counts:
            con.execute(f"copy raw.{table} to '{workdir / 'parquet' / table}' (format parquet, per_thread_output true)")
    database.unlink()
    return counts


def shuffles(spark, sql: str) -> list[str]:  # type: ignore[no-untyped-def]
    plan = spark.sql(f"explain {sql}").collect()[0][0]
    exchanges = re.findall(r"Exchange (\w+partitioning\([^)]*\)|SinglePartition)", plan)
    # Attribute ids (#123) differ per query; the column names are what the reader needs.
    return sorted({re.sub(r"#\d+L?", "", exchange) for exchange in exchanges})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=10_000_000, help="demo events to generate (default 10M)")
    parser.add_argument("--output", type=Path, help="also write the figures as JSON here")
    args = parser.parse_args(argv)

    workdir = Path(tempfile.mkdtemp(prefix="engagement-scaling-"))
    (workdir / "parquet").mkdir()
    end_date = datetime.now(timezone.utc).date()
    started = time.perf_counter()
    counts = export_raw(args.events, workdir, end_date)
    print(f"generated {sum(counts.values()) - counts['customers']:,} raw event rows in {time.perf_counter() - started:.0f} s")

    spark = local_spark_session(workdir, driver_memory="6g")
    spark.sql("create database if not exists raw")
    for table in counts:
        spark.sql(f"create table raw.{table} using parquet location '{workdir / 'parquet' / table}'")

    os.environ.update({"ENGAGEMENT_TARGET": "spark", "ENGAGEMENT_SPARK_DIR": str(workdir)})
    common = ["--project-dir", str(ROOT), "--profiles-dir", str(ROOT), "--target-path", str(workdir / "target"),
              "--vars", json.dumps({"engagement_score_date": end_date.isoformat()})]
    runner = dbtRunner()
    for command in (["seed"], ["run"]):
        result = runner.invoke([*command, *common])
        if not result.success:
            print(f"dbt {command[0]} failed", file=sys.stderr)
            return 1

    run_results = json.loads((workdir / "target" / "run_results.json").read_text())
    timings = {r["unique_id"].split(".")[-1]: round(r["execution_time"], 1) for r in run_results["results"]}
    print("\nmodel times (s):")
    for model, seconds in sorted(timings.items(), key=lambda item: -item[1]):
        print(f"  {model:45s} {seconds:8.1f}")

    plans = {}
    for model in SCORING_PATH:
        compiled = next((workdir / "target" / "compiled").rglob(f"{model}.sql")).read_text()
        plans[model] = shuffles(spark, compiled)
    print("\nshuffles per model (Exchange operators in the physical plan):")
    for model, exchanges in plans.items():
        print(f"  {model}: {len(exchanges)}")
        for exchange in exchanges:
            print(f"      {exchange}")
    if args.output:
        args.output.write_text(json.dumps({"events": args.events, "counts": counts, "timings": timings,
                                           "shuffles": plans}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
