"""The daily history (issue 5): incremental runs equal a full rebuild and the Python oracle.

One project copy walks through a month of daily runs: plain daily runs, late events inside and
outside the lookback (one older than the window, which only moves last_event_at), a copy with an
earlier timestamp, and a weights edit followed by the documented recompute (a plain `dbt build`).
After each step the history is compared row by row with pytests/history_oracle.py, and after the
late events and the weights edit also with a `--full-refresh` of the same state. Another project
walks through runs that repeat a date, skip days, jump past the window or change the lookback, and
one more checks the optional time decay. dbt runs are few and select only what the step needs.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from conftest import Built
from harness import (DATA_ONLY, HISTORY_KEY, ProjectCopy, as_decimal, as_naive_utc, differences,
                     downstream_differences, utc_now)
from analytics_oracle import expected_analytics
from history_oracle import daily_history, raw_type_day_points, score_alerts, score_changes
from oracle import Row, TypeDay, Weight
from scenarios import CRAFTED_WEIGHTS, SCORE_DATE
from scenarios import WINDOW_DAYS as CRAFTED_WINDOW_DAYS


WINDOW_DAYS = 30
HISTORY = "customer_engagement_daily"
MANIFEST = "int_engagement__history_manifest"
WEIGHTS = [
    Weight("web", "page_view", Decimal("1"), 20),
    Weight("web", "click", Decimal("0.25"), None),
    Weight("app", "app_open", Decimal("2"), None),
    Weight("app", "app_uninstall", Decimal("-20"), None),
    Weight("social", "like", Decimal("0.5"), None),
]
EDITED_WEIGHTS = [w if w.event_type != "app_open" else Weight("app", "app_open", Decimal("3.125"), None)
                  for w in WEIGHTS]
CustomerScores = dict[str, Decimal | None]
CUSTOMERS = ("steady", "capped", "uninstaller", "old_timer", "newcomer", "idle")


def day(text: str) -> date:
    return date.fromisoformat(text)


class Events:
    """Raw tables under construction: customers plus web, app and social rows."""

    def __init__(self) -> None:
        self.tables: dict[str, list[Row]] = {
            "customers": [{"customer_id": c, "account_id": None, "signed_up_at": datetime(2023, 1, 1),
                           "plan": "paid", "country": "NL", "persona": "analyst"} for c in CUSTOMERS],
            "web_events": [], "app_events": [], "social_interactions": [],
            "offline_registrations": [], "survey_responses": [], "product_events": [],
        }
        self.ids = 0

    def add(self, customer: str, event_type: str, at: datetime, times: int = 1, event_id: str | None = None) -> None:
        for _ in range(times):
            self.ids += 1
            row_id = event_id or f"e{self.ids}"
            if event_type in ("page_view", "click"):
                self.tables["web_events"].append({"event_id": row_id, "customer_id": customer, "anonymous_id": None,
                                                  "session_id": None, "event_type": event_type,
                                                  "page_url": "/", "occurred_at": at})
            elif event_type.startswith("app_"):
                self.tables["app_events"].append({"event_id": row_id, "customer_id": customer, "device_id": "d1",
                                                  "platform": "ios", "event_type": event_type, "occurred_at": at})
            else:
                self.tables["social_interactions"].append({"interaction_id": row_id, "customer_id": customer,
                                                           "network": "x", "interaction_type": event_type,
                                                           "occurred_at": at})

    def days(self, first: str, last: str) -> None:
        """The regular customers' activity on every day from first to last."""
        current = day(first)
        while current <= day(last):
            noon = datetime.combine(current, datetime.min.time()) + timedelta(hours=12)
            n = current.toordinal()
            if n % 2 == 0:
                self.add("steady", "page_view", noon, 3)
                self.add("steady", "app_open", noon + timedelta(hours=1), 2)
            if n % 3 == 0:
                self.add("capped", "page_view", noon, 25)  # capped at 20
                self.add("capped", "click", noon, 4)
            if n % 5 == 0:
                self.add("uninstaller", "like", noon, 3)
            current += timedelta(days=1)


def initial_events() -> Events:
    events = Events()
    events.add("old_timer", "app_open", datetime(2024, 1, 5, 9))
    events.add("old_timer", "like", datetime(2024, 1, 20, 9))
    events.days("2024-02-10", "2024-03-29")
    events.add("uninstaller", "app_uninstall", datetime(2024, 3, 10, 22))
    return events


def history_vars(score_date: date, **more: Any) -> dict[str, Any]:
    return {"engagement_score_date": score_date.isoformat(), "engagement_window_days": WINDOW_DAYS, **more}


def built_range(project: ProjectCopy) -> tuple[date, date]:
    """The score dates the last run of the history (re)built, from the dbt log."""
    log = (project.root / "logs" / "dbt.log").read_text()
    found = re.findall(r"customer_engagement_daily: building score dates (\S+) to (\S+)", log)
    assert found, "the history logged no score dates"
    first, last = found[-1]
    return day(first), day(last)


def build(project: ProjectCopy, score_date: date, *select: str, **more: Any) -> None:
    # cautious: no tests of models outside the selection (e.g. relationships to customers).
    args = ("--select", *select, "--indirect-selection", "cautious") if select else ()
    result = project.build(history_vars(score_date, **more), *args, *DATA_ONLY)
    assert result.success, f"dbt build failed: {result.failed_nodes()}"


def expect_downstream_marts(project: ProjectCopy, history: Sequence[Row], points: Mapping[TypeDay, Decimal],
                            window_days: int) -> None:
    assert downstream_differences(project, history, points, window_days) == []
    # Both datasets that call this raise every alert type, so none of the rules goes unchecked.
    alert_types = {r["alert_type"] for r in project.mart("engagement_score_alerts")}
    assert alert_types == {"score_drop", "tier_drop", "churn_risk_entry"}


def expect_oracle(project: ProjectCopy, events: Events, weights: Sequence[Weight], last: date,
                  started: datetime, **options: Any) -> list[Row]:
    expected = daily_history(events.tables, weights, project.tiers(), last, WINDOW_DAYS, started, **options)
    assert expected, "the oracle has no history rows"
    assert differences(expected, project.mart(HISTORY), HISTORY_KEY) == []
    return expected


@pytest.fixture(scope="module")
def walk(new_project: Callable[[str], ProjectCopy]) -> ProjectCopy:
    return new_project("history")


@pytest.mark.not_on_spark("six dbt runs in a row")
def test_incremental_runs_equal_full_refresh_and_oracle(walk: ProjectCopy) -> None:
    project, started = walk, utc_now()
    events = initial_events()
    project.set_weights(WEIGHTS)
    project.reset_database(events.tables)

    # (i) Plain daily runs: the first builds everything, then one new day at a time.
    build(project, day("2024-03-29"), "+" + HISTORY)
    assert built_range(project) == (day("2024-01-05"), day("2024-03-29"))
    for today in ("2024-03-30", "2024-03-31"):
        events.days(today, today)
        project.reset_database(events.tables)
        build(project, day(today), "+" + HISTORY)
    # The lookback (3 days) plus the new day, nothing older.
    assert built_range(project) == (day("2024-03-28"), day("2024-03-31"))
    expect_oracle(project, events, WEIGHTS, day("2024-03-31"), started)

    # (ii) Late events: inside the lookback, outside it but inside the window, older than the
    # window (moves old_timer's last_event_at, for every later date), and a copy with an earlier
    # timestamp that moves an event of steady's to the day before.
    events.days("2024-04-01", "2024-04-01")
    events.add("steady", "click", datetime(2024, 3, 30, 8))
    events.add("uninstaller", "app_open", datetime(2024, 3, 15, 8), times=2)
    events.add("old_timer", "like", datetime(2024, 2, 1, 9))
    moved = next(r for r in events.tables["web_events"]
                 if r["customer_id"] == "steady" and r["occurred_at"].date() in (day("2024-03-20"), day("2024-03-21")))
    moved_to = datetime.combine(moved["occurred_at"].date(), datetime.min.time()) - timedelta(minutes=1)
    events.tables["web_events"].append({**moved, "occurred_at": moved_to})
    project.reset_database(events.tables)
    build(project, day("2024-04-01"), "+" + HISTORY)
    assert built_range(project) == (day("2024-02-01"), day("2024-04-01"))
    incremental = project.snapshot(HISTORY)
    expect_oracle(project, events, WEIGHTS, day("2024-04-01"), started)
    build(project, day("2024-04-01"), HISTORY, "--full-refresh")
    assert project.snapshot(HISTORY) == incremental

    # (iii) A weights edit, then the documented recompute: a plain `dbt build`.
    project.set_weights(EDITED_WEIGHTS)
    build(project, day("2024-04-01"))
    # old_timer's first event is an app_open: every date changed.
    assert built_range(project) == (day("2024-01-05"), day("2024-04-01"))
    incremental = project.snapshot(HISTORY)
    expected = expect_oracle(project, events, EDITED_WEIGHTS, day("2024-04-01"), started)
    points = raw_type_day_points(events.tables, EDITED_WEIGHTS, day("2024-04-01"), WINDOW_DAYS, started)
    expect_downstream_marts(project, expected, points, WINDOW_DAYS)
    # Other alert thresholds (vars) raise other alerts, as the oracle says.
    default_alerts = len(project.mart("engagement_score_alerts"))
    build(project, day("2024-04-01"), "engagement_score_alerts",
          engagement_alert_drop_points=12.5, engagement_alert_drop_pct=62.5)
    other = score_alerts(score_changes(expected), project.tiers(), points, WINDOW_DAYS,
                         drop_points=Decimal("12.5"), drop_pct=Decimal("62.5"))
    assert len(other) != default_alerts
    assert differences(other, project.mart("engagement_score_alerts"), (*HISTORY_KEY, "alert_type")) == []
    build(project, day("2024-04-01"), HISTORY, "--full-refresh")
    assert project.snapshot(HISTORY) == incremental

    # (iv) A weights edit whose points cancel out on the day it touches: one customer's comment
    # gains what another's app install loses, so the day's totals, counts and rows stay the same.
    events.add("newcomer", "comment", datetime(2024, 3, 5, 10))
    events.add("idle", "app_install", datetime(2024, 3, 5, 11))
    project.reset_database(events.tables)
    added = [*EDITED_WEIGHTS, Weight("social", "comment", Decimal("1")), Weight("app", "app_install", Decimal("1"))]
    project.set_weights(added)
    build(project, day("2024-04-01"))
    assert built_range(project) == (day("2024-03-05"), day("2024-04-01"))
    swapped = [*EDITED_WEIGHTS, Weight("social", "comment", Decimal("2")), Weight("app", "app_install", Decimal("0"))]
    project.set_weights(swapped)
    build(project, day("2024-04-01"))
    assert built_range(project) == (day("2024-03-05"), day("2024-04-01"))
    incremental = project.snapshot(HISTORY)
    expect_oracle(project, events, swapped, day("2024-04-01"), started)
    build(project, day("2024-04-01"), HISTORY, "--full-refresh")
    assert project.snapshot(HISTORY) == incremental


def test_time_decay_on_scores_and_history(new_project: Callable[[str], ProjectCopy]) -> None:
    project, started = new_project("history_decay"), utc_now()
    events = initial_events()
    project.set_weights(WEIGHTS)
    project.reset_database(events.tables)
    # build() leaves out the unit tests, which would see the half-life too.
    build(project, day("2024-03-29"), "+engagement_score_alerts", "+engagement_tier_transitions",
          "+customer_engagement_scores", engagement_decay_half_life_days=7)
    expected = expect_oracle(project, events, WEIGHTS, day("2024-03-29"), started, half_life=7)
    # Changes, alerts and their reasons follow the decayed scores and points.
    points = raw_type_day_points(events.tables, WEIGHTS, day("2024-03-29"), WINDOW_DAYS, started)
    assert downstream_differences(project, expected, points, WINDOW_DAYS, half_life=7) == []
    # The scores mart decays the same way: its rows are the history's last date.
    last = [{k: v for k, v in r.items() if k not in ("engagement_tier", "tier_rank")}
            for r in expected if r["score_date"] == day("2024-03-29")]
    in_history = {r["customer_id"] for r in last}
    scores = [r for r in project.mart("customer_engagement_scores") if r["customer_id"] in in_history]
    assert differences(last, scores, HISTORY_KEY) == []
    # Decay changes the numbers: a plain sum would differ for steady.
    plain = daily_history(events.tables, WEIGHTS, project.tiers(), day("2024-03-29"), WINDOW_DAYS, started)
    assert {r["engagement_score"] for r in plain if r["customer_id"] == "steady"} != {
        r["engagement_score"] for r in expected if r["customer_id"] == "steady"}


SESSION_WEIGHTS = [
    Weight("web", "page_view", Decimal("1"), None),
    Weight("web", "click", Decimal("0.25"), None),
    Weight("web", "session", Decimal("0.25"), 10),
    Weight("web", "bounce", Decimal("-2"), 10),
    Weight("web", "minutes_on_site", Decimal("0.1"), 30),
    Weight("web", "returning_visit", Decimal("0.5"), 1),
]


def midnight_sessions() -> Events:
    """Web sessions that go on past midnight: on each date they count as they were by its end."""
    events = Events()
    events.add("steady", "page_view", datetime(2024, 3, 8, 12))
    # Untracked: a bounce on 03-10, 20 minutes and no bounce from 03-11 on.
    events.add("steady", "page_view", datetime(2024, 3, 10, 23, 50))
    events.add("steady", "click", datetime(2024, 3, 11, 0, 10))
    # 25 minutes, then a session of 75 minutes (60 by the session cap) from 23:40: on 03-12 the
    # day has 25 minutes and a bounce, from 03-13 on 85 minutes, 30 by the day's cap.
    events.add("capped", "page_view", datetime(2024, 3, 12, 10))
    events.add("capped", "page_view", datetime(2024, 3, 12, 10, 25))
    events.add("capped", "page_view", datetime(2024, 3, 12, 23, 40))
    events.add("capped", "page_view", datetime(2024, 3, 13, 0, 5))
    events.add("capped", "click", datetime(2024, 3, 13, 0, 30))
    events.add("capped", "click", datetime(2024, 3, 13, 0, 55))
    # A tracker session over three days; and one going on at the end of the last score date.
    for at, event_type in ((datetime(2024, 3, 14, 22), "page_view"), (datetime(2024, 3, 15, 12), "click"),
                           (datetime(2024, 3, 16, 1), "page_view")):
        events.add("uninstaller", event_type, at)
        events.tables["web_events"][-1]["session_id"] = "T"
    events.add("newcomer", "page_view", datetime(2024, 3, 16, 23, 55))
    events.add("newcomer", "click", datetime(2024, 3, 17, 0, 5))
    return events


def session_score_problems(rows: Sequence[Row], events: Events, window_days: int, started: datetime) -> list[str]:
    """History rows whose score is not the analytics oracle's (sessions and derived events
    included) for their score date."""
    problems = []
    for score_date in sorted({r["score_date"] for r in rows}):
        want = expected_analytics(events.tables, SESSION_WEIGHTS, score_date, window_days, started).scores
        for row in (r for r in rows if r["score_date"] == score_date):
            if as_decimal(row["engagement_score"]) != want[row["customer_id"]]:
                problems.append(f"{row['customer_id']} {score_date}: expected {want[row['customer_id']]}, "
                                f"got {row['engagement_score']}")
    return problems


def scores_by_customer_and_date(rows: Sequence[Row]) -> dict[tuple[str, date], Decimal | None]:
    return {(r["customer_id"], as_naive_utc(r["score_date"])): as_decimal(r["engagement_score"]) for r in rows}


def history_and_mart_scores(project: ProjectCopy, score_date: date) -> tuple[CustomerScores, CustomerScores]:
    """The history's scores of score_date, and customer_engagement_scores' for the same customers."""
    history = {r["customer_id"]: as_decimal(r["engagement_score"]) for r in project.mart(HISTORY)
               if as_naive_utc(r["score_date"]) == score_date}
    mart = {r["customer_id"]: as_decimal(r["engagement_score"]) for r in project.mart("customer_engagement_scores")
            if r["customer_id"] in history}
    return history, mart


def test_history_counts_sessions_as_they_were_on_each_date(new_project: Callable[[str], ProjectCopy]) -> None:
    """A history row equals the score of its date also where a web session went on past that
    date's midnight (later events do not count): after a run each day, and after a later run
    that rebuilt those dates; a full refresh gives the same rows, and so does decay on such a
    date."""
    project, started = new_project("history_sessions"), utc_now()
    events = midnight_sessions()
    project.set_weights(SESSION_WEIGHTS)
    # The run of 03-12 sees the events until then; the run of 03-16 all of them, 03-17 included.
    project.reset_database({**events.tables, "web_events": [
        r for r in events.tables["web_events"] if r["occurred_at"].date() <= day("2024-03-12")]})
    build(project, day("2024-03-12"), "+" + HISTORY)
    project.reset_database(events.tables)
    build(project, day("2024-03-16"), "+" + HISTORY)
    assert built_range(project) == (day("2024-03-10"), day("2024-03-16"))
    rows = project.mart(HISTORY)
    assert session_score_problems(rows, events, WINDOW_DAYS, started) == []
    # The cases above, worked by hand, so the oracle is checked too.
    score = scores_by_customer_and_date(rows)
    # steady, 03-10: 2 page views, 2 sessions, 2 bounces, a returning visit; 03-11: + a click,
    # one bounce less, 20 minutes.
    assert score["steady", day("2024-03-10")] == Decimal("-1.00")
    assert score["steady", day("2024-03-11")] == Decimal("3.25")
    # capped, 03-12: 3 page views, 2 sessions, a bounce, 25 minutes (4.00); 03-13: + a page view
    # and two clicks, no bounce, 30 minutes (8.00).
    assert score["capped", day("2024-03-12")] == Decimal("4.00")
    assert score["capped", day("2024-03-13")] == Decimal("8.00")
    # newcomer's last date: a page view, its session a bounce so far.
    assert score["newcomer", day("2024-03-16")] == Decimal("-0.75")
    incremental = project.snapshot(HISTORY)
    build(project, day("2024-03-16"), HISTORY, "--full-refresh")
    assert project.snapshot(HISTORY) == incremental
    # With decay a session going on at midnight still counts on its date as it was then: the
    # history's 03-12 is the scores mart built for 03-12 (capped's session of 23:40 is open there).
    decay = {"engagement_decay_half_life_days": 2}
    build(project, day("2024-03-16"), HISTORY, "--full-refresh", **decay)
    build(project, day("2024-03-12"), "+customer_engagement_scores", **decay)
    on_date, scores = history_and_mart_scores(project, day("2024-03-12"))
    assert on_date == scores and on_date["steady"] != score["steady", day("2024-03-12")]


def returning_visits() -> Events:
    """Single page views, so each is a bounced session: with a 7-day window a visit day stops
    being a returning visit once the visit before it has left the window."""
    events = Events()
    for at in ("03-01 09", "03-05 09", "03-05 18", "03-12 09", "03-14 09", "03-20 09", "03-21 09"):
        events.add("steady", "page_view", datetime.fromisoformat(f"2024-{at}:00"))
    for at in ("03-10 09", "03-16 09", "03-22 09"):
        events.add("capped", "page_view", datetime.fromisoformat(f"2024-{at}:00"))
    return events


def test_returning_visits_need_an_earlier_visit_in_the_window(new_project: Callable[[str], ProjectCopy]) -> None:
    """Issue 4's returning visit is a session on a day after an earlier visit day within the
    window: on every date of the history, after a full build and incremental runs that continue
    it (one of them over several dates), and with time decay on."""
    project, started = new_project("history_returning"), utc_now()
    events = returning_visits()
    window = {"engagement_window_days": 7}
    project.set_weights(SESSION_WEIGHTS)
    project.reset_database({**events.tables, "web_events": [
        r for r in events.tables["web_events"] if r["occurred_at"].date() <= day("2024-03-18")]})
    build(project, day("2024-03-18"), "+" + HISTORY, **window)
    project.reset_database(events.tables)
    for today in ("2024-03-19", "2024-03-22"):
        build(project, day(today), "+" + HISTORY, **window)
    rows = project.mart(HISTORY)
    assert session_score_problems(rows, events, 7, started) == []
    # By hand: a session is worth 1 + 0.25 - 2 = -0.75, a returning day 0.5. On 03-08 the window's
    # first visit day is 03-05 (03-01 has left), on 03-14 it is 03-12 and 03-14 returns.
    score = scores_by_customer_and_date(rows)
    assert score["steady", day("2024-03-08")] == Decimal("-1.50")
    assert score["steady", day("2024-03-14")] == Decimal("-1.00")
    assert score["capped", day("2024-03-16")] == Decimal("-1.00")
    assert score["capped", day("2024-03-17")] == Decimal("-0.75")
    incremental = project.snapshot(HISTORY)
    build(project, day("2024-03-22"), HISTORY, "--full-refresh", **window)
    assert project.snapshot(HISTORY) == incremental
    # With decay the history's last date is the scores mart (both customers' first visit day in
    # the window follows a visit before it).
    decay = {**window, "engagement_decay_half_life_days": 3}
    build(project, day("2024-03-22"), HISTORY, "customer_engagement_scores", "--full-refresh", **decay)
    last, scores = history_and_mart_scores(project, day("2024-03-22"))
    assert last == scores and len(last) == 2


def test_history_of_the_crafted_dataset(crafted_build: Built) -> None:
    """The suite's crafted build (duplicates, rejections, caps, surveys, offline attendance) also
    built the history: every date of it, its changes, alerts and transitions match the oracle."""
    project, started = crafted_build.project, utc_now()
    raw = crafted_build.dataset.tables
    expected = daily_history(raw, CRAFTED_WEIGHTS, project.tiers(), SCORE_DATE, CRAFTED_WINDOW_DAYS, started)
    assert len({r["score_date"] for r in expected}) > CRAFTED_WINDOW_DAYS
    assert differences(expected, project.mart(HISTORY), HISTORY_KEY) == []
    points = raw_type_day_points(raw, CRAFTED_WEIGHTS, SCORE_DATE, CRAFTED_WINDOW_DAYS, started)
    expect_downstream_marts(project, expected, points, CRAFTED_WINDOW_DAYS)


@pytest.mark.not_on_spark("a dozen dbt runs in a row")
def test_runs_that_skip_repeat_or_jump_ahead(new_project: Callable[[str], ProjectCopy]) -> None:
    """Every kind of run after a full build: a plain run, the same score date again, a late event
    beyond the lookback, a changed lookback, score dates that jump ahead (by more than the window
    too, with a new customer) and a new history start date. Each run equals the oracle, and the
    last one a full refresh."""
    project, started = new_project("history_walk"), utc_now()
    events = initial_events()
    project.set_weights(WEIGHTS)
    project.reset_database(events.tables)

    def run(today: str, first: str, **more: Any) -> None:
        project.reset_database(events.tables)
        build(project, day(today), "+" + HISTORY, **more)
        assert built_range(project) == (day(first), day(today))
        expect_oracle(project, events, WEIGHTS, day(today), started,
                      history_start=day(more["engagement_history_start_date"])
                      if "engagement_history_start_date" in more else None)

    run("2024-03-29", "2024-01-05")
    events.days("2024-03-30", "2024-03-30")
    run("2024-03-30", "2024-03-27")
    # The same score date again.
    run("2024-03-30", "2024-03-28")
    # A late event beyond the lookback rebuilds from its day...
    events.days("2024-03-31", "2024-03-31")
    events.add("uninstaller", "like", datetime(2024, 3, 10, 8), times=3)
    run("2024-03-31", "2024-03-10")
    # ... and the next run is a plain one again.
    events.days("2024-04-01", "2024-04-01")
    run("2024-04-01", "2024-03-29")
    # The manifest holds what that run was built from: every event date of the daily points up to
    # the score date, with the settings. Emptied (a full refresh of it alone), it sends the next
    # run back to every date.
    manifest = project.internal(MANIFEST)
    points_dates = {r["event_date"] for r in project.internal("int_engagement__daily_points")}
    assert sorted(r["event_date"] for r in manifest) == sorted(d for d in points_dates if d <= day("2024-04-01"))
    assert {r["history_settings"] for r in manifest} == {next(iter(manifest))["history_settings"]}
    assert f"engagement_window_days={WINDOW_DAYS};" in manifest[0]["history_settings"]
    build(project, day("2024-04-01"), MANIFEST, "--full-refresh")
    assert project.internal(MANIFEST) == []
    run("2024-04-01", "2024-01-05")
    # A shorter lookback.
    events.days("2024-04-02", "2024-04-03")
    run("2024-04-02", "2024-04-01", engagement_lookback_days=1)
    run("2024-04-03", "2024-04-02", engagement_lookback_days=1)
    # Score dates that jump ahead: by 9 days, then by more than the window (a new customer
    # starts, others go quiet).
    events.days("2024-04-04", "2024-04-12")
    run("2024-04-12", "2024-04-03", engagement_lookback_days=1)
    events.add("newcomer", "app_open", datetime(2024, 4, 20, 10))
    events.days("2024-05-10", "2024-05-20")
    run("2024-05-20", "2024-04-12", engagement_lookback_days=1)
    # A history start date rebuilds every date (from it), then runs are plain again.
    start = {"engagement_history_start_date": "2024-03-01"}
    run("2024-05-21", "2024-03-01", **start)
    events.days("2024-05-22", "2024-05-22")
    run("2024-05-22", "2024-05-19", **start)
    incremental = project.snapshot(HISTORY)
    build(project, day("2024-05-22"), HISTORY, "--full-refresh", **start)
    assert project.snapshot(HISTORY) == incremental


def test_points_stay_exact_until_the_score_is_rounded(new_project: Callable[[str], ProjectCopy]) -> None:
    """0.02 points a minute for a 10-second session (0.166667 minutes) is 0.00333334 points: three
    such days and one 15-second session (0.005) make 0.01500002, so with 8 page views the score is
    8.02 in the scores mart and in the history. Each day's points cut to 6 decimals would make
    0.014999 and 8.01."""
    project = new_project("history_exact_points")
    events = Events()
    for on, seconds in (("03-01", 10), ("03-02", 10), ("03-03", 10), ("03-04", 15)):
        start = datetime.fromisoformat(f"2024-{on} 12:00:00")
        events.add("steady", "page_view", start)
        events.add("steady", "page_view", start + timedelta(seconds=seconds))
    project.set_weights([Weight("web", "page_view", Decimal("1")), Weight("web", "minutes_on_site", Decimal("0.02"))])
    project.reset_database(events.tables)
    build(project, day("2024-03-04"), "+" + HISTORY, "+customer_engagement_scores")
    assert history_and_mart_scores(project, day("2024-03-04")) == ({"steady": Decimal("8.02")},) * 2
