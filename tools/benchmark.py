#!/usr/bin/env python3
"""Benchmark the scoring path and the daily history on generated data (`make bench`).

Generates N contract-shaped events (duplicates, bad rows and all) into a DuckDB file, then
measures, each several times, reporting the median:

  (a) floor:  one hand-written DuckDB statement computing customer_engagement_scores for the end
              date straight from the raw tables (dedupe, reject, cap, score);
  (b) build:  `dbt build` of the path to customer_engagement_scores and customer_engagement_tiers;
  (a0), (b0): the same two with every derived web event type (session, bounce, minutes_on_site,
              returning_visit) weighted 0: the floor then does not sessionize, and neither should
              the package (the path runs in a copy of the project whose weights seed says so);
  (c) full:   a full refresh of customer_engagement_daily over --history-days score dates;
  (d) incr:   one new day of events appended, then the incremental run of customer_engagement_daily;
  (d0):       for scale, the incremental run of a one-row delete+insert model in an otherwise empty
              dbt project on the same database: what dbt-duckdb spends on any incremental run;
  (f) full:   `dbt build --full-refresh` of the whole project (every model, data and unit test);
  (e) morning: one more new day of events appended, then `dbt build` as a scheduler runs it
              every morning (the whole project, incremental where the models are);
  (f) and (e) run on the load-time path: the raw event tables carry `_loaded_at` (the day after
  the event, 02:00; the appended day now) and var engagement_loaded_at_column names it, so the
  event staging reads only new loads (--no-loaded-at: without it, as before);
  (e0):       (f) and (e) again on 10,000 events in a database of their own: what the whole build
              costs before any data, so (e0)/(f) is the least (e)/(f) can be;

plus the peak memory (max RSS) of the process doing the work. Every measured step runs in a
child Python process (dbt through its Python API, dbtRunner), so its peak RSS is its own.
Writes the figures into docs/benchmarks.md, between markers per event count, so a 10M and a 100M
run live side by side next to the hand-written notes.

With --engine postgres it runs tools/benchmark_postgres.py instead: PostgreSQL (a throw-away
server) next to DuckDB on the same generated data, full build, scoring path and morning run, at
100k, 1M and 10M events unless --events says otherwise.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta, timezone
from importlib import metadata
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT = ROOT / "docs" / "benchmarks.md"
WINDOW_DAYS = 30
CHANNELS = ("web", "app", "social", "offline", "survey", "product")


# ---------------------------------------------------------------- the floor query (a)

@dataclass(frozen=True)
class RawTable:
    channel: str
    id_column: str
    timestamp_column: str
    other_columns: tuple[str, ...]


RAW_EVENT_TABLES: dict[str, RawTable] = {
    "web_events": RawTable("web", "event_id", "occurred_at",
                           ("customer_id", "anonymous_id", "session_id", "event_type", "page_url")),
    "app_events": RawTable("app", "event_id", "occurred_at", ("customer_id", "device_id", "platform", "event_type")),
    "social_interactions": RawTable("social", "interaction_id", "occurred_at",
                                    ("customer_id", "network", "interaction_type")),
    "offline_registrations": RawTable("offline", "registration_id", "registered_at",
                                      ("customer_id", "event_name", "event_date", "attended")),
    "survey_responses": RawTable("survey", "response_id", "responded_at", ("customer_id", "survey_type", "score")),
    "product_events": RawTable("product", "event_id", "occurred_at", ("customer_id", "event_type")),
}

SURVEY_EVENT_TYPE = """case
            when clean_survey_type = 'nps' and score between 9 and 10 then 'nps_promoter'
            when clean_survey_type = 'nps' and score between 7 and 8 then 'nps_passive'
            when clean_survey_type = 'nps' and score between 0 and 6 then 'nps_detractor'
            when clean_survey_type = 'csat' and score between 4 and 5 then 'csat_satisfied'
            when clean_survey_type = 'csat' and score = 3 then 'csat_neutral'
            when clean_survey_type = 'csat' and score between 1 and 2 then 'csat_unsatisfied'
        end"""
SURVEY_IS_VALID = ("coalesce((clean_survey_type = 'nps' and score between 0 and 10)"
                   " or (clean_survey_type = 'csat' and score between 1 and 5), false)")


def _deduplicated(name: str, table: RawTable, raw: str) -> str:
    """The table's rows with copies removed: only keys that occur more than once are sorted."""
    columns = (table.timestamp_column, table.id_column, *table.other_columns)
    hashed = " || '|' || ".join(f"coalesce(cast({c} as varchar), '<null>')"
                                for c in (table.timestamp_column, *table.other_columns))
    row_id = f"cast({table.id_column} as varchar)"
    # A blank id (empty or spaces, so it starts with a space) is no id, as in the package.
    clean_id = f"case when {row_id} = '' or ({row_id} like ' %' and trim({row_id}) = '') then null else {row_id} end"
    keyed = (f"select coalesce({clean_id}, 'no-id:' || md5({hashed})) as k, "
             f"{', '.join(columns)} from {raw}.{name}")
    order = ", ".join(f"{c} asc nulls last" for c in columns)
    copied = f"select hash(k) as h from ({keyed}) group by hash(k) having count(*) > 1"
    return f"""
        select r.* from ({keyed}) as r anti join ({copied}) as c on hash(r.k) = c.h
        union all
        select r.* from ({keyed}) as r semi join ({copied}) as c on hash(r.k) = c.h
        qualify row_number() over (partition by r.k order by {order}) = 1"""


def _canonical(name: str, table: RawTable, raw: str) -> str:
    """The table's deduplicated rows as (channel, customer_id, event_type, occurred_at, ...)."""
    event_type = {
        "social_interactions": "nullif(lower(trim(interaction_type)), '')",
        "offline_registrations": "'registration'",
        "survey_responses": SURVEY_EVENT_TYPE,
    }.get(name, "nullif(lower(trim(event_type)), '')")
    valid = SURVEY_IS_VALID if name == "survey_responses" else "true"
    attended = ("case when attended then cast(cast(event_date as date) as timestamp) end"
                if name == "offline_registrations" else "cast(null as timestamp)")
    survey_type = ", nullif(lower(trim(survey_type)), '') as clean_survey_type" if name == "survey_responses" else ""
    session_id = "nullif(trim(session_id), '')" if name == "web_events" else "cast(null as varchar)"
    return f"""
    select '{table.channel}' as channel, nullif(trim(customer_id), '') as customer_id, {event_type} as event_type,
        cast({table.timestamp_column} as timestamp) as occurred_at, {valid} as is_valid, {attended} as attended_at,
        {session_id} as session_id, k
    from (select *{survey_type} from ({_deduplicated(name, table, raw)}))"""


def floor_sql(score_date: date, cutoff: datetime, raw: str = "raw", seeds: str = "main_stg_engagement",
              session_timeout_minutes: int = 30, session_minutes_cap: int = 60, sessions: bool = True) -> str:
    """One DuckDB statement giving customer_engagement_scores for score_date from the raw tables:
    dedupe, reject, sessionize the web events into derived events (issue 4), cap, score. Without
    sessions (every derived event type weighted 0) it skips the sessionizing, as what it would add
    is 0 points and no events."""
    start = score_date - timedelta(days=WINDOW_DAYS - 1)
    end = score_date + timedelta(days=1)
    rows = "\n    union all".join(_canonical(name, table, raw) for name, table in RAW_EVENT_TABLES.items())
    channel_scores = ",\n        ".join(
        f"round(sum(case when channel = '{c}' then points else 0 end), 2)::decimal(18, 2) as {c}_score" for c in CHANNELS
    )
    # Sessions that start in the window are settled by the web events from one timeout before it
    # on; a tracker id also sent before that began before the window (as the score mart does).
    cut = datetime.combine(start, datetime.min.time()) - timedelta(minutes=session_timeout_minutes)
    session_ctes = f"""cut_web as (
    -- Events after the score date do not count, also not in a session.
    select customer_id, event_type, occurred_at, session_id, k from accepted
    where channel = 'web' and occurred_at >= timestamp '{cut}' and occurred_at < timestamp '{end}'
),
earlier_ids as (
    select distinct w.customer_id, w.session_id
    from (select distinct customer_id, session_id from cut_web where session_id is not null) as w
    inner join accepted as a on a.customer_id = w.customer_id and a.session_id = w.session_id
    where a.channel = 'web' and a.occurred_at < timestamp '{cut}'
),
web as (
    select * from cut_web anti join earlier_ids using (customer_id, session_id)
),
untracked as (
    select customer_id, event_type, occurred_at,
        sum(case when previous_at is null or date_diff('microsecond', previous_at, occurred_at) > {session_timeout_minutes * 60_000_000}
            then 1 else 0 end) over (partition by customer_id order by occurred_at, k rows unbounded preceding) as session_number
    from (
        select *, lag(occurred_at) over (partition by customer_id order by occurred_at, k) as previous_at
        from web where session_id is null
    )
),
sessions as (
    select customer_id, cast(min(occurred_at) as date) as session_date,
        -- Exact micro-minutes, rounded half up.
        cast((2 * date_diff('microsecond', min(occurred_at), max(occurred_at)) + 60) // 120 * 0.000001
            as decimal(28, 6)) as minutes,
        count(*) = 1 and count(*) filter (where event_type = 'page_view') = 1 as is_bounce
    from (
        select customer_id, 't' || session_id as session_key, event_type, occurred_at from web where session_id is not null
        union all
        select customer_id, 'i' || session_number, event_type, occurred_at from untracked
    )
    group by customer_id, session_key
),
returning_days as (
    select customer_id, session_date
    from (
        select customer_id, session_date, lag(session_date) over (partition by customer_id order by session_date) as previous_date
        from (select distinct customer_id, session_date from sessions)
    )
    where previous_date >= date '{start}'
),
derived as (
    select customer_id, 'session' as event_type, session_date, 1::decimal(28, 6) as units from sessions
    union all
    select customer_id, 'bounce', session_date, 1 from sessions where is_bounce
    union all
    select customer_id, 'minutes_on_site', session_date, least(minutes, {session_minutes_cap}) from sessions where minutes > 0
    union all
    select s.customer_id, 'returning_visit', s.session_date, 1 from sessions as s semi join returning_days as r using (customer_id, session_date)
),
"""
    derived_days = f"""
        union all
        select customer_id, 'web', event_type, session_date, 0, units
        from derived
        where session_date between date '{start}' and date '{score_date}'
"""
    return f"""
with customers as (
    select customer_id, account_id, plan, country, persona
    from (
        select nullif(trim(customer_id), '') as customer_id, nullif(trim(account_id), '') as account_id, signed_up_at,
            nullif(trim(plan), '') as plan, nullif(trim(country), '') as country, nullif(trim(persona), '') as persona
        from {raw}.customers
    )
    where customer_id is not null
    qualify row_number() over (partition by customer_id order by signed_up_at asc nulls last, account_id asc nulls last,
        plan asc nulls last, country asc nulls last, persona asc nulls last) = 1
),
accepted as (
    select r.*
    from ({rows}
    ) as r
    semi join customers as c on r.customer_id = c.customer_id
    where r.occurred_at <= timestamp '{cutoff:%Y-%m-%d %H:%M:%S}' and r.is_valid
),
events as (
    select customer_id, channel, event_type, occurred_at from accepted
    union all
    select customer_id, channel, 'attendance', attended_at from accepted where attended_at is not null
),
last_events as (
    select customer_id, max(occurred_at) as last_event_at
    from events where occurred_at < timestamp '{end}'
    group by customer_id
),
{session_ctes if sessions else ''}weights as (
    select lower(trim(channel)) as channel, lower(trim(event_type)) as event_type,
        cast(trim(weight) as decimal(28, 6)) as weight, cast(nullif(trim(daily_cap), '') as decimal(28, 6)) as daily_cap
    from {seeds}.engagement_event_weights
),
window_days as (
    select customer_id, channel, event_type, event_date, sum(events) as events, sum(units) as units
    from (
        select customer_id, channel, event_type, cast(occurred_at as date) as event_date, 1 as events, 1::decimal(28, 6) as units
        from events
        where occurred_at >= timestamp '{start}' and occurred_at < timestamp '{end}'
{derived_days if sessions else ''}    )
    group by all
),
scored as (
    select d.customer_id, d.channel, d.event_date, d.events,
        -- Exact: 6-decimal weights times 6-decimal units, as the package's points type keeps them.
        cast(coalesce(w.weight, 0) * cast(case when d.units > w.daily_cap then w.daily_cap else d.units end
            as decimal(28, 6)) as decimal(30, 12)) as points
    from window_days as d
    left join weights as w on d.channel = w.channel and d.event_type = w.event_type
),
customer_points as (
    select customer_id, round(sum(points), 2)::decimal(18, 2) as engagement_score,
        {channel_scores},
        sum(events) as event_count, count(distinct case when events > 0 then event_date end) as active_days
    from scored
    group by customer_id
)
select c.customer_id, c.account_id, c.plan, c.country, c.persona, date '{score_date}' as score_date,
    coalesce(p.engagement_score, 0) as engagement_score,
    {", ".join(f"coalesce(p.{c}_score, 0) as {c}_score" for c in CHANNELS)},
    coalesce(p.event_count, 0)::bigint as event_count, coalesce(p.active_days, 0)::bigint as active_days,
    l.last_event_at
from customers as c
left join customer_points as p using (customer_id)
left join last_events as l using (customer_id)
"""


# ---------------------------------------------------------------- child steps

@dataclass
class StepResult:
    step: str
    wall_seconds: float
    model_seconds: float | None = None
    cpu_seconds: float = 0.0
    max_rss_mb: float = 0.0
    load_before: float = 0.0
    detail: dict[str, Any] = field(default_factory=dict)


def _dbt(args: list[str], dbt_vars: dict[str, Any], project_dir: Path = ROOT) -> tuple[float, float, dict[str, float]]:
    """Run dbt in this process; (wall, model time, per-model times). A model's time is its execute
    phase (its SQL and dbt's materialization around it) plus the queries it ran while compiling
    (the history decides what to rebuild there), without dbt's Jinja compilation (in the wall
    time). The model time of the run is the time during which at least one model did that: two
    models running side by side on dbt's two threads count once, as they do on the clock."""
    from dbt.cli.main import dbtRunner
    from dbt_common.events.base_types import EventMsg

    queries: list[tuple[str, datetime, float]] = []

    def on_event(event: EventMsg) -> None:
        if event.info.name == "SQLQueryStatus" and event.data.node_info.unique_id:
            queries.append((event.data.node_info.unique_id, event.info.ts.ToDatetime(), event.data.elapsed))

    started = time.perf_counter()
    result = dbtRunner(callbacks=[on_event]).invoke([*args, "--project-dir", str(project_dir), "--profiles-dir", str(ROOT),
                                                     "--vars", json.dumps(dbt_vars)])
    wall = time.perf_counter() - started
    if not result.success:
        raise RuntimeError(f"dbt {' '.join(args)} failed: {result.exception}")
    models: dict[str, float] = {}
    busy: list[tuple[datetime, datetime]] = []
    tests = {"test": 0.0, "unit_test": 0.0}
    for node_result in getattr(result.result, "results", None) or []:
        node = node_result.node
        if node.resource_type in tests:
            tests[node.resource_type] += sum((t.completed_at - t.started_at).total_seconds()
                                             for t in node_result.timing if t.name == "execute")
        if node.resource_type != "model":
            continue
        execute = [t for t in node_result.timing if t.name == "execute"]
        if not execute:
            continue
        executed_from = execute[0].started_at
        compiling = [(finished - timedelta(seconds=elapsed), finished) for unique_id, finished, elapsed in queries
                     if unique_id == node.unique_id and finished < executed_from]
        intervals = compiling + [(t.started_at, t.completed_at) for t in execute]
        models[node.name] = sum((end - start).total_seconds() for start, end in intervals)
        busy += intervals
    # Not models: shown beside the models in the "by model" lines of runs that test.
    if tests["test"]:
        models[DATA_TESTS] = tests["test"]
    if tests["unit_test"]:
        models[UNIT_TESTS] = tests["unit_test"]
    return wall, _covered_seconds(busy), models


DATA_TESTS, UNIT_TESTS = "(data tests, summed)", "(unit tests, summed)"


def _covered_seconds(intervals: list[tuple[datetime, datetime]]) -> float:
    """Length of the union of the intervals."""
    covered = 0.0
    reach: datetime | None = None
    for start, end in sorted(intervals):
        start = start if reach is None else max(start, reach)
        if end > start:
            covered += (end - start).total_seconds()
            reach = end
    return covered


def _connect(database: str, memory_limit: str) -> Any:
    import duckdb

    con = duckdb.connect(database)
    con.execute(f"set memory_limit = '{memory_limit}'")
    return con


def child_step(config: dict[str, Any]) -> dict[str, Any]:
    """One measured (or set-up) step; runs inside the child process."""
    step = config.get("kind", config["step"])
    # The engine and server a step runs dbt on (the PostgreSQL comparison, benchmark_postgres.py).
    os.environ.update(config.get("env", {}))
    database = config["database"]
    end_date = date.fromisoformat(config["end_date"])
    detail: dict[str, Any] = {}
    model_seconds: float | None = None
    if step == "generate":
        sys.path.insert(0, str(ROOT / "tools"))
        import generate_demo_data

        con = _connect(database, config["memory_limit"])
        started = time.perf_counter()
        detail["rows"] = generate_demo_data.generate(con, customers=config["customers"], days=config["days"],
                                                     end_date=end_date, seed=42, events=config["events"])
        wall = time.perf_counter() - started
        con.close()
    elif step == "floor":
        con = _connect(database, config["memory_limit"])
        cutoff = datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0) + timedelta(days=1)
        sql = floor_sql(end_date, cutoff, sessions=config.get("sessions", True))
        started = time.perf_counter()
        con.execute(f"create or replace temp table floor_scores as {sql}")
        wall = time.perf_counter() - started
        scores = "main.customer_engagement_scores"
        detail["rows"] = con.execute("select count(*) from floor_scores").fetchone()[0]
        detail["differences"] = con.execute(
            f"select (select count(*) from (select * from floor_scores except all select * from {scores}))"
            f" + (select count(*) from (select * from {scores} except all select * from floor_scores))"
        ).fetchone()[0]
        con.close()
    elif step == "load_times":
        con = _connect(database, config["memory_limit"])
        started = time.perf_counter()
        add_load_times(con)
        wall = time.perf_counter() - started
        con.close()
    elif step == "append_day":
        con = _connect(database, config["memory_limit"])
        started = time.perf_counter()
        detail["rows"] = append_day(con, end_date).rows
        wall = time.perf_counter() - started
        con.close()
    else:
        dbt_args: list[str] = config["dbt_args"]
        project_dir = Path(config.get("project_dir", ROOT))
        wall, model_seconds, detail["models"] = _dbt(dbt_args, config["dbt_vars"], project_dir)
    return {"wall_seconds": wall, "model_seconds": model_seconds, "detail": detail}


@dataclass
class AppendedDay:
    rows: int
    tables: dict[str, str]  # raw table -> temporary table (on the connection) holding its new rows


LOADED_AT = "_loaded_at"


def _has_load_times(con: Any, table: str) -> bool:
    return con.execute("select count(*) from information_schema.columns where table_schema = 'raw'"
                       f" and table_name = '{table}' and column_name = '{LOADED_AT}'").fetchone()[0] > 0


def add_load_times(con: Any) -> None:
    """Gives every raw event table a load time as a daily loader would: 02:00 the day after the
    event, never later than an hour ago (rows without a readable timestamp load an hour ago), so
    the day appended next, loaded now, is the newest load."""
    latest = datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0) - timedelta(hours=1)
    for name, table in RAW_EVENT_TABLES.items():
        if _has_load_times(con, name):
            continue
        day = f"cast(try_cast({table.timestamp_column} as timestamp) as date)"
        con.execute(f"alter table raw.{name} add column {LOADED_AT} timestamp")
        con.execute(f"update raw.{name} set {LOADED_AT} = least(coalesce(cast({day} + interval 1 day as timestamp)"
                    f" + interval 2 hour, timestamp '{latest}'), timestamp '{latest}')")


def append_day(con: Any, end_date: date) -> AppendedDay:
    """Appends the next day of events: every raw event row of end_date again, one day later and
    with a new id (bad rows included), so the new day looks like the ones before it. The new rows
    stay in temporary tables too, for another engine to receive the same ones."""
    new_day = end_date + timedelta(days=1)
    added = AppendedDay(0, {})
    for name, table in RAW_EVENT_TABLES.items():
        ts = table.timestamp_column
        replaced = [f"{table.id_column} || '_{new_day:%Y%m%d}' as {table.id_column}", f"{ts} + interval 1 day as {ts}"]
        if name == "offline_registrations":
            replaced.append("event_date + interval 1 day as event_date")
        if _has_load_times(con, name):
            now = datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0)
            replaced.append(f"timestamp '{now}' as {LOADED_AT}")
        added.tables[name] = f"new_day_{name}"
        con.execute(
            f"create or replace temp table new_day_{name} as select * replace ({', '.join(replaced)}) from raw.{name} "
            f"where cast({ts} as date) = date '{end_date}'"
        )
        con.execute(f"insert into raw.{name} select * from new_day_{name}")
        added.rows += con.execute(f"select count(*) from new_day_{name}").fetchone()[0]
    return added


def one_row_incremental_project(directory: Path) -> Path:
    """A dbt project of one incremental model with one row, using this package's profile (so the
    same DuckDB file and settings): its incremental run is the least any incremental model costs."""
    project = directory / "one_row_incremental"
    (project / "models").mkdir(parents=True, exist_ok=True)
    (project / "dbt_project.yml").write_text(
        "name: one_row_incremental\nversion: '1.0'\nconfig-version: 2\nprofile: customer_engagement\n")
    (project / "models" / "bench_one_row_incremental.sql").write_text(
        "{{ config(materialized='incremental', incremental_strategy='delete+insert', unique_key='score_date') }}\n"
        "select current_date as score_date, 1 as customers\n")
    return project


DERIVED_EVENT_TYPES = ("session", "bounce", "minutes_on_site", "returning_visit")


def zero_derived_weights_project(directory: Path) -> Path:
    """A copy of this project whose weights seed gives every derived web event type weight 0, as
    a team that does not score sessions would edit it: (b0) runs there, on the same database."""
    project = directory / "zero_derived_weights"
    shutil.copytree(ROOT, project, ignore=shutil.ignore_patterns(".git", ".venv", "target", "logs", "dbt_packages",
                                                                  "*.duckdb", "*.duckdb.wal", "integration_tests"))
    seed = project / "seeds" / "engagement_event_weights.csv"
    with seed.open(newline="") as handle:
        rows = list(csv.reader(handle))
    header = rows[0]
    channel, event_type, weight = (header.index(name) for name in ("channel", "event_type", "weight"))
    for row in rows[1:]:
        if row[channel].strip().lower() == "web" and row[event_type].strip().lower() in DERIVED_EVENT_TYPES:
            row[weight] = "0"
    with seed.open("w", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)
    return project


# ---------------------------------------------------------------- the parent

def run_child(config: dict[str, Any], log: Path) -> StepResult:
    """Runs one step in a fresh Python process and reads its own peak RSS (os.wait4)."""
    with tempfile.NamedTemporaryFile("r", suffix=".json", delete=False) as out:
        out_path = Path(out.name)
    load_before = os.getloadavg()[0]
    with log.open("a") as log_file:
        log_file.write(f"\n===== {config['step']} {json.dumps(config.get('dbt_vars', {}))}\n")
        log_file.flush()
        process = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), "--child", json.dumps(config), "--child-output", str(out_path)],
            stdout=log_file, stderr=subprocess.STDOUT, cwd=ROOT,
        )
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
    try:
        if process.returncode != 0:
            raise RuntimeError(f"step {config['step']} failed (exit {process.returncode}); see {log}")
        payload = json.loads(out_path.read_text())
    finally:
        out_path.unlink(missing_ok=True)
    return StepResult(
        step=config["step"],
        wall_seconds=payload["wall_seconds"],
        model_seconds=payload["model_seconds"],
        cpu_seconds=usage.ru_utime + usage.ru_stime,
        max_rss_mb=usage.ru_maxrss / 1024,
        load_before=load_before,
        detail=payload["detail"],
    )


@dataclass
class Summary:
    label: str
    runs: list[StepResult]

    def median(self, attribute: str) -> float:
        values = [getattr(r, attribute) for r in self.runs if getattr(r, attribute) is not None]
        return statistics.median(values) if values else float("nan")

    def peak_rss(self) -> float:
        return max(r.max_rss_mb for r in self.runs)


def machine() -> dict[str, str]:
    cpu = "unknown"
    memory_gib = 0.0
    try:
        cpu_lines = [line for line in Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name")]
        cpu = cpu_lines[0].split(":", 1)[1].strip() if cpu_lines else cpu
        mem_line = next(line for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal"))
        memory_gib = int(mem_line.split()[1]) / 1024 / 1024
    except (OSError, StopIteration):
        pass
    versions = {name: metadata.version(name) for name in ("dbt-core", "dbt-duckdb", "duckdb")}
    return {
        "cores": str(os.cpu_count()),
        "memory": f"{memory_gib:.1f} GiB",
        "cpu": cpu,
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        **versions,
    }


def render(args: argparse.Namespace, generated: StepResult, summaries: dict[str, Summary],
           extra: dict[str, StepResult]) -> str:
    a, b, c, d, d0, a0, b0 = (summaries[k] for k in ("a", "b", "c", "d", "d0", "a0", "b0"))
    info = machine()
    rows = generated.detail.get("rows", {})
    events = sum(v for k, v in rows.items() if k != "customers")
    floor_check = a.runs[0].detail
    floor = a.median("wall_seconds")
    ratio_b = b.median("model_seconds") / floor
    ratio_b0 = b0.median("model_seconds") / a0.median("wall_seconds")
    summed_b = statistics.median(sum(r.detail.get("models", {}).values()) for r in b.runs)
    ratio_d = d.median("model_seconds") / c.median("model_seconds")
    ratio_d0 = d0.median("model_seconds") / c.median("model_seconds")

    def line(key: str, s: Summary, measure: str, target: str = "") -> str:
        times = ", ".join(f"{(r.model_seconds if measure == 'model_seconds' else r.wall_seconds):.2f}" for r in s.runs)
        total = f"{s.median('wall_seconds'):.2f}" if measure == "model_seconds" else "–"
        return (f"| ({key}) {s.label} | {s.median(measure):.2f} | {times} | {total} | {s.median('cpu_seconds'):.1f} "
                f"| {s.peak_rss():,.0f} | {target} |")

    morning = extra.get("downstream")
    lines = [
        f"### {args.events:,} events",
        "",
        f"Measured {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC with `python tools/benchmark.py --events {args.events}"
        f" --customers {args.customers} --runs {args.runs}`: {events:,} raw event rows ({rows.get('customers', 0):,}"
        f" customers, {args.days} days of events), score date {args.end_date}, history of {args.history_days} score"
        f" dates, window {WINDOW_DAYS} days, DuckDB memory_limit {args.memory_limit}. Generating the data took"
        f" {generated.wall_seconds:.0f} s.",
        "",
        "| step | median (s) | runs (s) | dbt wall, median (s) | CPU (s) | peak RSS (MB) | target |",
        "|---|---|---|---|---|---|---|",
        line("a", a, "wall_seconds"),
        line("b", b, "model_seconds", f"(b)/(a) = **{ratio_b:.2f}** (≤ 1.2); peak < 4,096 MB"),
        line("a0", a0, "wall_seconds"),
        line("b0", b0, "model_seconds", f"(b0)/(a0) = **{ratio_b0:.2f}** (≤ 1.2)"),
        line("c", c, "model_seconds"),
        line("d", d, "model_seconds", f"(d)/(c) = **{ratio_d:.3f}** (< 0.05)"),
        line("d0", d0, "model_seconds", f"(d0)/(c) = {ratio_d0:.3f}"),
    ]
    tested = extra.get("tested")
    if tested is not None:
        lines.append(f"| (b) once more with the path's data and unit tests | {tested.model_seconds:.2f} | – | "
                     f"{tested.wall_seconds:.2f} | {tested.cpu_seconds:.1f} | {tested.max_rss_mb:,.0f} | – |")
    upstream = extra.get("upstream")
    if upstream is not None:
        lines.append(f"| tables the history reads, rebuilt with the new day (before (c) and (d)) | "
                     f"{upstream.model_seconds:.2f} | {upstream.model_seconds:.2f} | {upstream.wall_seconds:.2f} | "
                     f"{upstream.cpu_seconds:.1f} | {upstream.max_rss_mb:,.0f} | – |")
    if morning is not None:
        lines.append(f"| downstream marts (changes, alerts, transitions), full build | {morning.model_seconds:.2f} | "
                     f"{morning.model_seconds:.2f} | {morning.wall_seconds:.2f} | {morning.cpu_seconds:.1f} | "
                     f"{morning.max_rss_mb:,.0f} | – |")
    next_morning = extra.get("e")
    if next_morning is not None:
        lines += morning_rows(args, extra)
    b_models = b.runs[len(b.runs) // 2].detail.get("models", {})
    slowest = sorted(b_models.items(), key=lambda item: -item[1])[:5]
    lines += [
        "",
        "Model time is the time during which dbt runs a model: its execute phase plus the queries it runs"
        " while it compiles (the SQL the database runs and dbt's materialization around it; what the targets"
        " are about), counted once when dbt's two threads run models side by side; the dbt wall time adds"
        " dbt's start-up, parsing, Jinja compilation and, for (b), the data tests. Summed model by model"
        f" instead (the definition before 2026-12-02), (b) is {summed_b:.2f} s and (b)/(a) {summed_b / floor:.2f}."
        " (d) runs the history model alone: the all-days tables it reads are rebuilt first, in full (the line"
        " above the downstream marts). Load average before the runs:"
        f" {', '.join(f'{r.load_before:.1f}' for s in (a, b, c, d) for r in s.runs)} (a busy machine inflates wall times)."
        " (d0) is no part of the package: a one-row delete+insert model in an empty dbt project on the same"
        " database, run incrementally, i.e. what dbt-duckdb spends on any incremental model (its temporary"
        " table, delete, insert, adapter cache and commits); (d) cannot take less.",
        f"(b) by model (median run): {', '.join(f'{name} {seconds:.2f} s' for name, seconds in slowest)}.",
    ]
    if next_morning is not None:
        lines.append(morning_by_model(args, next_morning))
    lines += [
        f"The floor and customer_engagement_scores agree: {floor_check.get('rows', 0):,} rows,"
        f" {floor_check.get('differences', '?')} differences; without sessions"
        f" {a0.runs[0].detail.get('differences', '?')} differences. (d) appended {extra['append_day'].detail.get('rows', 0):,}"
        " raw rows for the new day and rebuilt the last lookback dates plus the new one.",
        "",
        f"Machine: {info['cores']} cores ({info['cpu']}), {info['memory']}, {info['os']}; Python {info['python']},"
        f" dbt-core {info['dbt-core']}, dbt-duckdb {info['dbt-duckdb']}, duckdb {info['duckdb']}.",
    ]
    return "\n".join(lines)


def write_report(path: Path, key: int | str, section: str, heading: str = "## Results\n") -> None:
    """Puts the section between its markers (replacing an earlier run's), else right under heading
    (added at the end when missing)."""
    begin, end = f"<!-- BEGIN benchmark {key} -->", f"<!-- END benchmark {key} -->"
    text = path.read_text() if path.exists() else "# Benchmarks\n\n## Results\n\n"
    block = f"{begin}\n{section}\n{end}"
    pattern = re.compile(re.escape(begin) + ".*?" + re.escape(end), re.DOTALL)
    if pattern.search(text):
        text = pattern.sub(lambda _: block, text)
    else:
        if heading not in text:
            text = text.rstrip("\n") + f"\n\n{heading}"
        insert_at = text.find(heading) + len(heading)
        text = text[:insert_at] + "\n" + block + "\n" + text[insert_at:]
    path.write_text(text)


MORNING_FLOOR_EVENTS = 10_000


def morning(args: argparse.Namespace, step: Any, history_vars: dict[str, Any], workdir: Path) -> dict[str, StepResult]:
    """(f) the whole project's full build, then (e) one more day and the whole `dbt build`; then
    (e0), the same two builds on 10,000 events in a database of their own: what the whole build
    costs before any data (dbt's start-up and parsing, every node and test), which no incremental
    model can take away, so the least (e)/(f) can be is (e0)/(f)."""
    end = args.end_date
    load_time = {"engagement_loaded_at_column": LOADED_AT} if args.loaded_at else {}
    full_vars = dict(history_vars, engagement_score_date=(end + timedelta(days=1)).isoformat(), **load_time)
    morning_vars = dict(history_vars, engagement_score_date=(end + timedelta(days=2)).isoformat(), **load_time)
    next_day = (end + timedelta(days=1)).isoformat()

    def full_then_morning(prefix: str, **at: Any) -> tuple[StepResult, StepResult]:
        if args.loaded_at:
            step(f"{prefix}load_times", kind="load_times", **at)
        full = step(f"{prefix}f-full", dbt_args=["build", "--full-refresh"], dbt_vars=full_vars, **at)
        step(f"{prefix}append_day_2", kind="append_day", end_date=next_day, **at)
        return full, step(f"{prefix}e-morning", dbt_args=["build"], dbt_vars=morning_vars, **at)

    found = dict(zip(("f", "e"), full_then_morning("")))
    tiny = str(workdir / "morning_floor.duckdb")
    at = {"database": tiny, "events": MORNING_FLOOR_EVENTS, "customers": 100, "env": {"ENGAGEMENT_DUCKDB_PATH": tiny}}
    step("0-generate", kind="generate", **at)
    step("0-setup", dbt_args=["seed"], dbt_vars={"engagement_score_date": end.isoformat()}, **at)
    step("0-append_day", kind="append_day", **at)
    found["f0"], found["e0"] = full_then_morning("0-", **at)
    Path(tiny).unlink(missing_ok=True)  # also when --database keeps the benchmark's own file
    return found


def benchmark(args: argparse.Namespace) -> int:
    workdir = Path(tempfile.mkdtemp(prefix="engagement-bench-", dir=args.temp_dir))
    database = str(Path(args.database) if args.database else workdir / "bench.duckdb")
    log = Path(args.log) if args.log else workdir / "benchmark.log"
    os.environ["ENGAGEMENT_DUCKDB_PATH"] = database
    os.environ["ENGAGEMENT_DUCKDB_MEMORY_LIMIT"] = args.memory_limit
    os.environ["ENGAGEMENT_TARGET"] = "duckdb"
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    print(f"benchmark: {args.events:,} events into {database}; log {log}", flush=True)

    end = args.end_date
    history_start = end - timedelta(days=args.history_days - 1)
    base = {"database": database, "end_date": end.isoformat(), "memory_limit": args.memory_limit,
            "events": args.events, "customers": args.customers, "days": args.days}
    scores_vars = {"engagement_score_date": end.isoformat()}
    history_vars = {"engagement_score_date": end.isoformat(), "engagement_history_start_date": history_start.isoformat()}
    next_vars = dict(history_vars, engagement_score_date=(end + timedelta(days=1)).isoformat())

    def step(name: str, **more: Any) -> StepResult:
        result = run_child(dict(base, step=name, **more), log)
        shown = result.model_seconds if result.model_seconds is not None else result.wall_seconds
        print(f"  {name:<12} {shown:8.2f} s  (wall {result.wall_seconds:.2f} s, cpu {result.cpu_seconds:.1f} s,"
              f" peak {result.max_rss_mb:,.0f} MB)", flush=True)
        return result

    try:
        generated = step("generate") if not args.database or args.generate else StepResult("generate", 0.0)
        if args.morning_only:
            # The morning run alone (f, then e), e.g. at 100M where the other steps take long.
            step("setup", dbt_args=["seed"], dbt_vars=scores_vars)
            step("append_day")
            found = morning(args, step, history_vars, workdir)
            section = render_morning(args, found)
            key = f"{args.events} morning" + (" load-time path" if args.loaded_at else " no load times")
            write_report(Path(args.output), key, section)
            print("\n" + section + f"\n\nwritten to {args.output}", flush=True)
            return 0
        step("setup", dbt_args=["seed"], dbt_vars=scores_vars)
        step("warm-up", dbt_args=["run", "--select", "+customer_engagement_tiers"], dbt_vars=scores_vars)
        runs: dict[str, list[StepResult]] = {"a": [], "b": [], "c": [], "d": [], "d0": []}
        path = ["--select", "+customer_engagement_tiers"]
        # The data tests re-read the views they test; measured once, apart from the model time.
        no_tests = ["--exclude-resource-type", "test", "--exclude-resource-type", "unit_test"]
        for _ in range(args.runs):
            tests = ["--indirect-selection", "cautious"] if args.with_tests else no_tests
            runs["b"].append(step("b-build", dbt_args=["build", *path, *tests],
                                  dbt_vars=scores_vars))
            runs["a"].append(step("a-floor", kind="floor"))
        extra: dict[str, StepResult] = {}
        if args.tests_once and not args.with_tests:
            extra["tested"] = step("b-tested", dbt_args=["build", *path, "--indirect-selection", "cautious"],
                                   dbt_vars=scores_vars)
        # The same path and floor with the derived event types weighted 0, then the default weights again.
        zero = {"project_dir": str(zero_derived_weights_project(workdir))}
        step("setup-b0", dbt_args=["seed"], dbt_vars=scores_vars, **zero)
        runs["a0"], runs["b0"] = [], []
        for _ in range(args.runs):
            runs["b0"].append(step("b0-build", dbt_args=["build", *path, *no_tests], dbt_vars=scores_vars, **zero))
            runs["a0"].append(step("a0-floor", kind="floor", sessions=False))
        step("setup-default", dbt_args=["seed"], dbt_vars=scores_vars)
        extra["append_day"] = step("append_day")
        # Upstream of the history, rebuilt once with the new day in it (as every morning's build does).
        extra["upstream"] = step("upstream", dbt_args=["run", "--select", "+int_engagement__daily_points",
                                                       "+int_engagement__open_session_points",
                                                       "+int_engagement__customers", "stg_engagement__tiers"],
                                 dbt_vars=next_vars)
        for _ in range(args.runs):
            runs["c"].append(step("c-full", dbt_args=["run", "--select", "customer_engagement_daily", "--full-refresh"],
                                  dbt_vars=history_vars))
            runs["d"].append(step("d-incr", dbt_args=["run", "--select", "customer_engagement_daily"],
                                  dbt_vars=next_vars))
        one_row = {"dbt_args": ["run"], "dbt_vars": {}, "project_dir": str(one_row_incremental_project(workdir))}
        step("d0-create", **one_row)
        for _ in range(args.runs):
            runs["d0"].append(step("d0-one-row", **one_row))
        extra["downstream"] = step("downstream", dbt_args=["run", "--select", "customer_engagement_score_changes",
                                                           "engagement_score_alerts", "engagement_tier_transitions"],
                                   dbt_vars=next_vars)
        extra.update(morning(args, step, history_vars, workdir))
        labels = {"a": "floor: one DuckDB statement", "b": "dbt build, path to scores and tiers",
                  "a0": "floor, derived event types weighted 0 (no sessions)",
                  "b0": "dbt build, path to scores and tiers, derived event types weighted 0",
                  "c": "customer_engagement_daily, full refresh", "d": "new day + incremental run",
                  "d0": "any incremental run: one row, empty project"}
        summaries = {key: Summary(labels[key], results) for key, results in runs.items()}
        section = render(args, generated, summaries, extra)
        write_report(Path(args.output), args.events, section)
        print("\n" + section + f"\n\nwritten to {args.output}", flush=True)
    finally:
        if not args.keep_database and not args.database:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


def morning_rows(args: argparse.Namespace, found: Mapping[str, StepResult]) -> list[str]:
    target = "≤ 0.10 at 100M" if args.events >= 100_000_000 else "≤ 0.15 at 10M"
    path = "load-time path" if args.loaded_at else "no load times"
    full, next_morning, floor = found["f"], found["e"], found["e0"]
    return [f"| ({key}) {label} ({path}) | {result.model_seconds:.2f} | – | {result.wall_seconds:.2f} | "
            f"{result.cpu_seconds:.1f} | {result.max_rss_mb:,.0f} | {note} |"
            for key, label, result, note in (
                ("f", "whole project, `dbt build --full-refresh`", full, "–"),
                ("e", "morning: one new day, then the whole `dbt build`", next_morning,
                 f"(e)/(f) = **{next_morning.wall_seconds / full.wall_seconds:.2f}** by dbt wall time ({target})"),
                ("e0", f"the same morning on {MORNING_FLOOR_EVENTS:,} events: the build's fixed cost", floor,
                 f"(e0)/(f) = {floor.wall_seconds / full.wall_seconds:.2f}: the least (e)/(f) can be"))]


def morning_by_model(args: argparse.Namespace, next_morning: StepResult) -> str:
    by_node = dict(next_morning.detail.get("models", {}))
    data_tests, unit_tests = by_node.pop(DATA_TESTS, 0.0), by_node.pop(UNIT_TESTS, 0.0)
    models = sorted(by_node.items(), key=lambda item: -item[1])
    return (f"(e) by model: {', '.join(f'{name} {seconds:.2f} s' for name, seconds in models[:8])};"
            f" {len(models)} models, {sum(s for _, s in models):.2f} s summed; data tests {data_tests:.2f} s and"
            f" unit tests {unit_tests:.2f} s summed.")


def render_morning(args: argparse.Namespace, found: Mapping[str, StepResult]) -> str:
    info = machine()
    return "\n".join([
        f"### {args.events:,} events: the morning run only ({datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC)",
        "",
        "| step | model s | – | dbt wall s | cpu s | peak MB | ratio |",
        "|---|---|---|---|---|---|---|",
        *morning_rows(args, found),
        "",
        morning_by_model(args, found["e"]),
        f"Load average before (f) and (e): {found['f'].load_before:.1f}, {found['e'].load_before:.1f}.",
        f"Machine: {info['cores']} cores ({info['cpu']}), {info['memory']}; dbt-core {info['dbt-core']},"
        f" dbt-duckdb {info['dbt-duckdb']}, duckdb {info['duckdb']}.",
    ])


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--engine", choices=("duckdb", "postgres"), default="duckdb",
                        help="duckdb: the steps above; postgres: PostgreSQL next to DuckDB on the same data, one run"
                             " of each step (tools/benchmark_postgres.py)")
    parser.add_argument("--events", type=int, nargs="+",
                        help="raw event rows to generate, one benchmark each (default: 10M; with --engine postgres"
                             " 100k, 1M and 10M)")
    parser.add_argument("--customers", type=int, help="customers (default: events / 1000, about 8 events a day each)")
    parser.add_argument("--days", type=int, default=120, help="days of generated events (default: 120)")
    parser.add_argument("--history-days", type=int, default=90, help="score dates in the history (default: 90)")
    parser.add_argument("--end-date", type=date.fromisoformat,
                        default=datetime.now(timezone.utc).date() - timedelta(days=1),
                        help="last day of generated events and the score date (default: yesterday, UTC)")
    parser.add_argument("--runs", type=int, default=3, help="measured runs of each step; the median is reported")
    parser.add_argument("--memory-limit", default=os.environ.get("ENGAGEMENT_DUCKDB_MEMORY_LIMIT", "3.5GB"),
                        help="DuckDB memory_limit for dbt and the floor (default: $ENGAGEMENT_DUCKDB_MEMORY_LIMIT, "
                             "else 3.5GB as in profiles.yml)")
    parser.add_argument("--with-tests", action="store_true",
                        help="(b) runs the path's data tests too (they re-read the views they test)")
    parser.add_argument("--tests-once", action=argparse.BooleanOptionalAction, default=True,
                        help="also time one build of the path with its data tests (default: on)")
    parser.add_argument("--loaded-at", action=argparse.BooleanOptionalAction, default=True,
                        help="(f) and (e) on the load-time path: raw load times and var"
                             " engagement_loaded_at_column (default: on)")
    parser.add_argument("--morning-only", action="store_true", help="measure only (f) and (e)")
    parser.add_argument("--database", help="use this DuckDB file instead of a temporary one (kept afterwards)")
    parser.add_argument("--generate", action="store_true", help="with --database: (re)generate its raw tables")
    parser.add_argument("--temp-dir", help="directory for the temporary database and its spill files")
    parser.add_argument("--keep-database", action="store_true", help="keep the temporary database")
    parser.add_argument("--output", default=str(DEFAULT_OUTPUT), help="report to update (default: docs/benchmarks.md)")
    parser.add_argument("--log", help="dbt and step output (default: benchmark.log in the temporary directory)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--child-output", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.events is None:
        args.events = [100_000, 1_000_000, 10_000_000] if args.engine == "postgres" else [10_000_000]
    if args.engine == "postgres" and args.database:
        parser.error("--database is for the DuckDB benchmark; --engine postgres generates its own data")
    if args.runs < 1 or args.history_days < 1 or args.days < args.history_days:
        parser.error("--runs and --history-days must be at least 1, and --days at least --history-days")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.child:
        result = child_step(json.loads(args.child))
        Path(args.child_output).write_text(json.dumps(result, default=str))
        return 0
    if args.engine == "postgres":
        from benchmark_postgres import benchmark_postgres

        return benchmark_postgres(args)
    for events in args.events:
        benchmark(argparse.Namespace(**{**vars(args), "events": events,
                                        "customers": args.customers or max(events // 1000, 100)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
