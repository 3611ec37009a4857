"""The load-time path (issue 27): with var engagement_loaded_at_column the event staging models are
incremental and read only newly loaded raw rows, yet every mart equals the oracle and a full
refresh after each load.

The crafted dataset (copies, rows without an id, bad values, attendance, rejections) arrives in
loads: first every other row, then the rest (so copies of an id already staged arrive later, some
with an earlier timestamp that wins the dedupe), a day loaded twice (rows of the first load again,
with a later load time), rows without a load time, and a load stamped before the latest load time
staged but inside the lookback (a loader that committed late), in a run where a var staging does
not read any more (engagement_min_event_date) changes what is rejected without a full refresh.
Between loads an analyst edits the weights seed and the window grows, as they do between runs, and
customers arrive and leave with no event loaded: the validated rows check those customers' old rows
again, the web sessions (incremental on this path too) rebuild from each customer's first change,
and the daily points rebuild the days that moved, whose sessions changed or whose weights were
edited. Runs with no load move the score date back (and the next one forward again) and change the
session timeout.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from contract import MARTS
from engines import LOADED_AT
from harness import DATA_ONLY, ProjectCopy, build_vars, diff_all, utc_now
from oracle import MIN_EVENT_DATE, Row, Weight, expected_marts
from scenarios import CRAFTED_WEIGHTS, SCORE_DATE, WINDOW_DAYS, crafted

Tables = dict[str, list[Row]]
# Incremental on this path too (the event stream where it is a table), and not all of their rows
# reach a mart.
INCREMENTAL_INTERMEDIATES = ("int_engagement__events", "int_engagement__web_sessions", "int_engagement__daily_points")
# The history and the marts after it, incremental on every path, compared with a full refresh too.
HISTORY_MARTS = ("customer_engagement_daily", "customer_engagement_score_changes", "engagement_score_alerts",
                 "engagement_tier_transitions")
UNTESTED = (*DATA_ONLY, "--exclude-resource-type", "test")
EVENT_TABLES = ("web_events", "app_events", "social_interactions", "offline_registrations", "survey_responses",
                "product_events")


def loaded(rows: Sequence[Row], at: datetime | None) -> list[Row]:
    return [{**row, LOADED_AT: at} for row in rows]


def load_vars(**more: Any) -> dict[str, Any]:
    return {**build_vars(SCORE_DATE, WINDOW_DAYS), "engagement_loaded_at_column": LOADED_AT, **more}


def expect_oracle(project: ProjectCopy, raw: Tables, started: datetime, weights: Sequence[Weight] = CRAFTED_WEIGHTS,
                  window_days: int = WINDOW_DAYS, min_event_date: date = MIN_EVENT_DATE) -> None:
    expected = expected_marts(raw, weights, project.tiers(), SCORE_DATE, window_days, started, min_event_date)
    assert diff_all(expected, project) == []


def build(project: ProjectCopy, raw: Tables | None, *extra: str, tested: bool = True, **more: Any) -> None:
    """Load the raw tables (None: keep them) and build, with the data tests unless untested."""
    if raw is not None:
        project.reset_database(raw)
    result = project.build(load_vars(**more), *(DATA_ONLY if tested else UNTESTED), *extra)
    assert result.success, f"dbt build failed: {result.failed_nodes()}"


def staged_rows(project: ProjectCopy) -> int:
    return sum(len(project.internal(f"stg_engagement__{table}")) for table in EVENT_TABLES)


def build_and_match_full_refresh(project: ProjectCopy, raw: Tables, started: datetime,
                                 weights: Sequence[Weight] = CRAFTED_WEIGHTS, oracle: bool = True,
                                 tested: bool = True, **more: Any) -> None:
    """Build with the weights seed and vars given (with the data tests, unless told), compare
    with the oracle (unless the vars are ones it does not take), then with a full refresh."""
    project.set_weights(weights)
    build(project, raw, tested=tested, **more)
    if oracle:
        expect_oracle(project, raw, started, weights, more.get("engagement_window_days", WINDOW_DAYS),
                      date.fromisoformat(more.get("engagement_min_event_date", MIN_EVENT_DATE.isoformat())))
    incremental = marts(project)
    build(project, None, "--full-refresh", tested=False, **more)
    refreshed = marts(project)
    for name in [*MARTS, *HISTORY_MARTS, *INCREMENTAL_INTERMEDIATES]:
        assert refreshed[name] == incremental[name], (name, set(refreshed[name]) ^ set(incremental[name]))


def marts(project: ProjectCopy) -> dict[str, list[tuple[Any, ...]]]:
    """Every mart's rows and the incremental intermediate models'; a future timestamp's detail
    names the run's time, so it is left out, and so is the time each row was computed."""
    found = {name: project.snapshot(name) for name in [*MARTS, *HISTORY_MARTS]}
    found["engagement_rejected_events"] = [row[:5] if row[3] == "future_timestamp" else row
                                           for row in found["engagement_rejected_events"]]
    for name in INCREMENTAL_INTERMEDIATES:
        found[name] = sorted((tuple(v for k, v in row.items() if k != "computed_at")
                              for row in project.internal(name)), key=repr)
    return found


@pytest.mark.not_on_spark("five builds; test_the_load_time_path_builds_on_every_engine runs one")
def test_incremental_staging_on_load_time_equals_full_refresh(new_project: Callable[[str], ProjectCopy]) -> None:
    project, started = new_project("load_time"), utc_now()
    dataset = crafted(started)
    project.set_weights(CRAFTED_WEIGHTS)
    first_load, second_load = started - timedelta(days=2), started - timedelta(days=1)

    # Load 1: every other row of each event table (customers carry no load time: read whole);
    # one customer's row has not arrived yet, so its events are of an unknown customer.
    late_customer, leaving_customer = "att_plausible", "bad_val_c"
    raw: Tables = {"customers": [c for c in dataset.tables["customers"] if c["customer_id"] != late_customer]}
    later: Tables = {}
    for table in EVENT_TABLES:
        rows = dataset.tables[table]
        raw[table] = loaded(rows[::2], first_load)
        later[table] = rows[1::2]
    build(project, raw)
    expect_oracle(project, raw, started)
    staged_after_first = staged_rows(project)
    for name, value in (("engagement_loaded_at_column", "loaded at"), ("engagement_load_lookback_hours", -1)):
        result = project.build(load_vars(**{name: value}), "--select", "stg_engagement__web_events")
        messages = result.messages()
        assert not result.success and any(name in m and str(value) in m for m in messages), messages
    # The validated rows cannot drop a switched-off table's rows by replacing rows by key: the
    # run stops and says how to rebuild, before any mart changes.
    result = project.build(load_vars(engagement_using_survey_responses=False), "--select", "int_engagement__validated_rows")
    messages = result.messages()
    assert not result.success and any("survey_responses" in m and "--full-refresh" in m for m in messages), messages

    # Load 2: the other rows; the first load's web rows again (a day loaded twice); app rows
    # without a load time (read on every run, never lost). In the same run an analyst edits the
    # weights seed (a weight and a daily cap), which staging does not read either.
    for table in EVENT_TABLES:
        raw[table] = raw[table] + loaded(later[table], second_load)
    raw["web_events"] += loaded(dataset.tables["web_events"][::2], second_load)
    raw["app_events"] += loaded(later["app_events"][:3], None)
    edited = [replace(w, weight=Decimal("1.5")) if (w.channel, w.event_type) == ("web", "page_view")
              else replace(w, daily_cap=1) if (w.channel, w.event_type) == ("app", "app_open") else w
              for w in CRAFTED_WEIGHTS]
    build_and_match_full_refresh(project, raw, started, edited)
    assert staged_rows(project) > staged_after_first

    # Load 3, committed late: stamped an hour before the latest load time staged (inside the
    # 6-hour lookback), a copy with an earlier timestamp of a row already staged and a new event.
    web = next(r for r in dataset.tables["web_events"] if r["event_id"] and r["occurred_at"] and r["customer_id"])
    late = {**web, "occurred_at": web["occurred_at"] - timedelta(hours=2)}
    fresh = {**web, "event_id": "late_commit_new", "occurred_at": web["occurred_at"] + timedelta(minutes=5)}
    # A visit late in the evening, alone in its session (a bounce) until load 5.
    evening = {**web, "event_id": "evening_visit", "session_id": None, "occurred_at": datetime(2024, 3, 27, 23, 50)}
    # A tracker session of two events (load 5 sends a third, days later).
    tab = [{**web, "event_id": f"tab_{i}", "session_id": "walk_tab", "occurred_at": datetime(2024, 3, 20, 10, 5 * i)}
           for i in range(2)]
    raw["web_events"] = raw["web_events"] + loaded([late, fresh, evening, *tab], second_load - timedelta(hours=1))
    # In the same run, engagement_min_event_date moves into the window (staging no longer reads
    # it, so the rows before it are rejected without a full refresh) and the window grows a week.
    moved = SCORE_DATE - timedelta(days=WINDOW_DAYS // 2)
    build_and_match_full_refresh(project, raw, started, edited, engagement_min_event_date=moved.isoformat(),
                                 engagement_window_days=WINDOW_DAYS + 7)

    # Load 4, no event rows: the late customer's row arrives and another customer's row is gone.
    # Their rows checked before, loaded before the lookback, are checked again. The analyst edits
    # the seed again (a weight, a daily cap, a weight removed): with no new rows, only the edit
    # tells the daily points which days to rebuild. No lookback from here on, so the rows of the
    # loads before are not read again either.
    raw["customers"] = [c for c in dataset.tables["customers"] if c["customer_id"] != leaving_customer]
    edited_again = [replace(w, weight=Decimal("2")) if (w.channel, w.event_type) == ("web", "page_view")
                    else replace(w, daily_cap=1) if (w.channel, w.event_type) == ("web", "click") else w
                    for w in edited if (w.channel, w.event_type) != ("web", "hover")]
    settled = {"engagement_min_event_date": moved.isoformat(), "engagement_window_days": WINDOW_DAYS + 7,
               "engagement_load_lookback_hours": 0}
    build_and_match_full_refresh(project, raw, started, edited_again, **settled)

    # No load, the score date two days back: the sessions still going on then lose their later
    # events, and the events after it leave the sessions and the daily points (load 5 moves the
    # score date forward again, and they come back without being loaded again). The runs with no
    # load change a setting only, and their rows are compared with a full refresh's: their data
    # tests, which the loads run, would add nothing but time.
    build_and_match_full_refresh(project, raw, started, edited_again, oracle=False, tested=False, **settled,
                                 engagement_score_date=(SCORE_DATE - timedelta(days=2)).isoformat())

    # Load 5: one event after midnight continues the evening's session, which started the day
    # before: that day's derived events change (no bounce, minutes on site) with no event of its own.
    # The tracker session of load 3 gets an event a week after it ended (and after the customer's
    # first change of this run): it is one session still.
    after_midnight = {**evening, "event_id": "after_midnight", "occurred_at": datetime(2024, 3, 28, 0, 5)}
    tab_again = {**tab[0], "event_id": "tab_again", "occurred_at": datetime(2024, 3, 28, 9, 0)}
    raw["web_events"] = raw["web_events"] + loaded([after_midnight, tab_again], second_load + timedelta(hours=1))
    build_and_match_full_refresh(project, raw, started, edited_again, **settled)

    # No load, another session timeout: every session is split again.
    build_and_match_full_refresh(project, raw, started, edited_again, oracle=False, tested=False, **settled,
                                 engagement_session_timeout_minutes=7)

    # Runs read only what was loaded since: a row deleted from the raw table stays staged (the
    # load-time path expects append-only raw tables; README) until a full refresh.
    raw["web_events"] = [r for r in raw["web_events"] if r["event_id"] != "late_commit_new"]
    build(project, raw, "--select", "stg_engagement__web_events")
    keys = {r["source_row_key"] for r in project.internal("stg_engagement__web_events")}
    assert "late_commit_new" in keys
    build(project, raw, "--select", "stg_engagement__web_events", "--full-refresh")
    assert "late_commit_new" not in {r["source_row_key"] for r in project.internal("stg_engagement__web_events")}


def test_the_load_time_path_builds_on_every_engine(new_project: Callable[[str], ProjectCopy]) -> None:
    """One build of rows from two loads, on every engine: the load-time var is accepted and the
    marts equal the oracle (Spark keeps staging as views and reads every raw row; the loads one
    on top of another are the test above, on DuckDB and PostgreSQL)."""
    project, started = new_project("load_time_once"), utc_now()
    dataset = crafted(started)
    project.set_weights(CRAFTED_WEIGHTS)
    raw: Tables = {"customers": dataset.tables["customers"]}
    for table in EVENT_TABLES:
        raw[table] = (loaded(dataset.tables[table][::2], started - timedelta(days=2))
                      + loaded(dataset.tables[table][1::2], started - timedelta(days=1)))
    build(project, raw)
    expect_oracle(project, raw, started)
