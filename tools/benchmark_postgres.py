"""PostgreSQL next to DuckDB on the same generated data (`make bench ENGINE=postgres`).

For each event count: generates the raw tables in DuckDB (tools/generate_demo_data.py), starts a
throw-away PostgreSQL server (tools/throwaway_postgres.py) and copies them in with COPY, then runs
on each engine, one after the other, measuring model times from dbt's run results:

  full:     `dbt build --full-refresh` of the whole project (seeds, models, data and unit tests);
  path:     the scoring path, models only (as (b) of the DuckDB benchmark);
  morning:  one new day of events appended, then `dbt build` as a morning run does it: the history
            runs incrementally, every other table is rebuilt.

full and morning run on the load-time path (raw load times and var engagement_loaded_at_column, as
benchmark.py's (f) and (e); --no-loaded-at: without); the path runs first, without it.

After the full build and after the morning run the scores and the whole history of PostgreSQL are
compared with DuckDB's, row by row. Writes one block per event count into docs/benchmarks.md.
Called by tools/benchmark.py (`--engine postgres`); shares its child processes and report file.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from importlib import metadata
from pathlib import Path
from typing import Any

from benchmark import LOADED_AT, StepResult, append_day, machine, run_child, write_report
from postgres_copy import copy_query, copy_schema
from throwaway_postgres import find_bin, throwaway_server

ENGINES = ("duckdb", "postgres")
# What is compared between the engines: every customer's score, and every history row.
COMPARED = ("customer_engagement_scores", "customer_engagement_daily")
HISTORY = "customer_engagement_daily"
MART_SCHEMA = {"duckdb": "main", "postgres": "analytics"}
NO_TESTS = ["--exclude-resource-type", "test", "--exclude-resource-type", "unit_test"]


@dataclass
class SizeResult:
    events: int
    customers: int
    generated: StepResult
    copy_seconds: float
    raw_rows: dict[str, int]
    steps: dict[str, dict[str, StepResult]] = field(default_factory=dict)
    differences: dict[str, dict[str, tuple[int, int]]] = field(default_factory=dict)
    appended_rows: int = 0
    database_bytes: int = 0


def pg_connect(server: dict[str, str]) -> Any:
    import psycopg2

    return psycopg2.connect(host=server["ENGAGEMENT_PG_HOST"], port=int(server["ENGAGEMENT_PG_PORT"]),
                            user=server["ENGAGEMENT_PG_USER"], dbname=server["ENGAGEMENT_PG_DATABASE"])


def duck_connect(database: str, memory_limit: str) -> Any:
    import duckdb

    con = duckdb.connect(database)
    con.execute(f"set memory_limit = '{memory_limit}'")
    return con


def compare(database: str, memory_limit: str, server: dict[str, str]) -> dict[str, tuple[int, int]]:
    """Per compared table: (DuckDB's rows, rows that differ counted both ways). PostgreSQL's rows
    are copied into a DuckDB temporary table with DuckDB's column types, then `except all` both ways."""
    out: dict[str, tuple[int, int]] = {}
    duck = duck_connect(database, memory_limit)
    pg = pg_connect(server)
    try:
        for table in COMPARED:
            described = duck.execute(f"describe {MART_SCHEMA['duckdb']}.{table}").fetchall()
            names = [row[0] for row in described]
            with tempfile.TemporaryDirectory(prefix="engagement-compare-") as folder:
                path = Path(folder) / f"{table}.csv"
                with path.open("w") as rows, pg.cursor() as cursor:
                    cursor.copy_expert(f"copy (select {', '.join(names)} from {MART_SCHEMA['postgres']}.{table})"
                                       " to stdout (format csv)", rows)
                types = ", ".join(f"'{name}': '{kind}'" for name, kind, *_ in described)
                duck.execute(f"create or replace temp table from_postgres as select * from "
                             f"read_csv('{path}', header = false, columns = {{{types}}})")
            ours = f"select {', '.join(names)} from {MART_SCHEMA['duckdb']}.{table}"
            differing = duck.execute(
                f"select (select count(*) from (select * from from_postgres except all {ours}))"
                f" + (select count(*) from ({ours} except all select * from from_postgres))"
            ).fetchone()[0]
            out[table] = (duck.execute(f"select count(*) from ({ours})").fetchone()[0], int(differing))
    finally:
        pg.close()
        duck.close()
    return out


def database_size(server: dict[str, str]) -> int:
    """Bytes on disk of the PostgreSQL database: raw tables, the package's tables and indexes."""
    pg = pg_connect(server)
    try:
        with pg.cursor() as cursor:
            cursor.execute("select pg_database_size(current_database())")
            return int(cursor.fetchone()[0])
    finally:
        pg.close()


def append_day_everywhere(database: str, memory_limit: str, server: dict[str, str], end_date: date) -> int:
    """The next day of events (benchmark.append_day) into DuckDB, and the same rows into PostgreSQL."""
    duck = duck_connect(database, memory_limit)
    pg = pg_connect(server)
    try:
        added = append_day(duck, end_date)
        with pg.cursor() as cursor:
            for table in added.tables:
                copy_query(duck, cursor, f"select * from {added.tables[table]}", f"raw.{table}")
                cursor.execute(f"analyze raw.{table}")
        pg.commit()
    finally:
        pg.close()
        duck.close()
    return added.rows


def measure_size(args: argparse.Namespace, events: int) -> SizeResult:
    workdir = Path(tempfile.mkdtemp(prefix="engagement-bench-pg-", dir=args.temp_dir))
    database = str(workdir / "bench.duckdb")
    log = Path(args.log) if args.log else workdir / "benchmark.log"
    customers = args.customers or max(events // 1000, 100)
    end = args.end_date
    base = {"database": database, "end_date": end.isoformat(), "memory_limit": args.memory_limit,
            "events": events, "customers": customers, "days": args.days}
    today = {"engagement_score_date": end.isoformat()}
    load_time = {"engagement_loaded_at_column": LOADED_AT} if args.loaded_at else {}
    next_day = {"engagement_score_date": (end + timedelta(days=1)).isoformat(), **load_time}
    print(f"benchmark (PostgreSQL and DuckDB): {events:,} events into {database}; log {log}", flush=True)
    try:
        generated = run_child(dict(base, step="generate"), log)
        if args.loaded_at:
            run_child(dict(base, step="load_times"), log)
        with throwaway_server() as server:
            envs = {"duckdb": {"ENGAGEMENT_TARGET": "duckdb", "ENGAGEMENT_DUCKDB_PATH": database},
                    "postgres": {"ENGAGEMENT_TARGET": "postgres", **server}}
            started = time.perf_counter()
            duck, pg = duck_connect(database, args.memory_limit), pg_connect(server)
            try:
                raw_rows = copy_schema(duck, pg, "raw")
            finally:
                pg.close()
                duck.close()
            result = SizeResult(events, customers, generated, time.perf_counter() - started, raw_rows)
            print(f"  copied the raw tables into PostgreSQL in {result.copy_seconds:.1f} s", flush=True)

            def step(engine: str, name: str, dbt_args: list[str], dbt_vars: dict[str, Any]) -> None:
                measured = run_child(dict(base, step=f"{engine}-{name}", env=envs[engine], dbt_args=dbt_args,
                                          dbt_vars=dbt_vars), log)
                result.steps.setdefault(name, {})[engine] = measured
                print(f"  {engine:<9} {name:<8} model time {measured.model_seconds or 0:8.2f} s, dbt wall"
                      f" {measured.wall_seconds:8.2f} s (load {measured.load_before:.1f})", flush=True)

            for engine in ENGINES:
                step(engine, "seed", ["seed"], today)
                step(engine, "path", ["build", "--select", "+customer_engagement_tiers", *NO_TESTS], today)
                step(engine, "full", ["build", "--full-refresh"], {**today, **load_time})
            result.differences["full"] = compare(database, args.memory_limit, server)
            result.database_bytes = database_size(server)
            result.appended_rows = append_day_everywhere(database, args.memory_limit, server, end)
            for engine in ENGINES:
                step(engine, "morning", ["build"], next_day)
            result.differences["morning"] = compare(database, args.memory_limit, server)
        return result
    finally:
        if not args.keep_database:
            shutil.rmtree(workdir, ignore_errors=True)


def server_version() -> str:
    return subprocess.run([find_bin("postgres"), "--version"], capture_output=True, text=True,
                          check=False).stdout.strip() or "unknown"


def render(args: argparse.Namespace, result: SizeResult) -> str:
    steps = result.steps
    events = sum(rows for table, rows in result.raw_rows.items() if table != "customers")

    def models(name: str, engine: str) -> dict[str, float]:
        return steps[name][engine].detail.get("models", {})

    def ratio(a: float, b: float) -> str:
        return f"{a / b:.1f}×" if b else "–"

    rows = []
    labels = {"full": "full build: `dbt build --full-refresh` (models, data and unit tests)",
              "path": "scoring path: `dbt build --select +customer_engagement_tiers`, models only",
              "morning": "morning run: one new day, `dbt build`"}
    for name, label in labels.items():
        duck, pg = steps[name]["duckdb"], steps[name]["postgres"]
        rows.append(f"| {label} | {duck.wall_seconds:.1f} | {pg.wall_seconds:.1f} | **{ratio(pg.wall_seconds, duck.wall_seconds)}**"
                    f" | {duck.model_seconds or 0:.1f} | {pg.model_seconds or 0:.1f} | {duck.load_before:.1f} / {pg.load_before:.1f} |")
    for name, label in (("full", "customer_engagement_daily in the full build"),
                        ("morning", "customer_engagement_daily in the morning run (incremental)")):
        duck, pg = models(name, "duckdb").get(HISTORY, 0.0), models(name, "postgres").get(HISTORY, 0.0)
        rows.append(f"| {label} | – | – | {ratio(pg, duck)} | {duck:.1f} | {pg:.1f} | – |")
    full_pg, morning_pg = steps["full"]["postgres"], steps["morning"]["postgres"]
    history_share = models("morning", "postgres").get(HISTORY, 0.0) / max(models("full", "postgres").get(HISTORY, 0.0), 1e-9)
    slowest = sorted(models("full", "postgres").items(), key=lambda item: -item[1])[:8]
    duck_full = models("full", "duckdb")
    verdicts = []
    for moment, tables in result.differences.items():
        verdicts.append(f"after the {moment} build " + ", ".join(
            f"{table} {rows_:,} rows, {differing} differing" for table, (rows_, differing) in tables.items()))
    info = machine()
    lines = [
        f"### {result.events:,} events: PostgreSQL and DuckDB",
        "",
        f"Measured {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC with `python tools/benchmark.py --engine postgres"
        f" --events {result.events}`: {events:,} raw event rows ({result.raw_rows.get('customers', 0):,} customers,"
        f" {args.days} days of events), score date {args.end_date}, default vars (the history starts at each"
        f" customer's first event){'; full build and morning run on the load-time path (raw load times, var engagement_loaded_at_column)' if args.loaded_at else ''}. Generating the data took {result.generated.wall_seconds:.0f} s, copying it"
        f" into PostgreSQL {result.copy_seconds:.0f} s; after the full build the PostgreSQL database took"
        f" {result.database_bytes / 2**30:.2f} GiB. Load average before each step (DuckDB / PostgreSQL) in the"
        " last column.",
        "",
        "| step | DuckDB, dbt wall (s) | PostgreSQL, dbt wall (s) | PostgreSQL / DuckDB | DuckDB, model time (s)"
        " | PostgreSQL, model time (s) | load |",
        "|---|---|---|---|---|---|---|",
        *rows,
        "",
        f"Targets: full build on PostgreSQL {ratio(full_pg.wall_seconds, steps['full']['duckdb'].wall_seconds)} DuckDB's"
        f" ({full_pg.wall_seconds / 60:.1f} min); the history's incremental run {100 * history_share:.1f} % of its"
        f" full build, the whole morning run {100 * morning_pg.wall_seconds / full_pg.wall_seconds:.0f} % of the"
        f" whole full build; {'; '.join(verdicts)}. The morning run appended {result.appended_rows:,} raw rows.",
        "",
        "Slowest models of PostgreSQL's full build (DuckDB's time beside): "
        + ", ".join(f"{name} {seconds:.1f} s ({duck_full.get(name, 0.0):.1f} s)" for name, seconds in slowest) + ".",
        "",
        f"Machine: {info['cores']} cores ({info['cpu']}), {info['memory']}, {info['os']}; Python {info['python']},"
        f" dbt-core {info['dbt-core']}, dbt-duckdb {info['dbt-duckdb']}, dbt-postgres {metadata.version('dbt-postgres')},"
        f" {server_version()} with its default settings but fsync off (a throw-away server), one dbt thread"
        f" (profiles.yml), duckdb {info['duckdb']} with two.",
    ]
    return "\n".join(lines)


def benchmark_postgres(args: argparse.Namespace) -> int:
    os.environ["ENGAGEMENT_DUCKDB_MEMORY_LIMIT"] = args.memory_limit
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    for events in args.events:
        section = render(args, measure_size(args, events))
        key = f"postgres {events}" + (" load-time path" if args.loaded_at else "")
        write_report(Path(args.output), key, section, heading="## PostgreSQL results\n")
        print("\n" + section + f"\n\nwritten to {args.output}", flush=True)
    return 0
