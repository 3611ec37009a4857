"""The engagement analytics (issue 4) built by dbt equal the pure-Python analytics oracle:
sessions, pages per session, bounce rate, derived points in the score, score components that sum
to the score, DAU/MAU and stickiness; and derived weights of 0 give exactly the core scores."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

from analytics_oracle import DERIVED_TYPES, Analytics, derived_weights, expected_analytics
from harness import (CORE_MARTS_ONLY, DATA_ONLY, ProjectCopy, as_decimal, as_naive_utc, build_vars, diff_mart,
                     utc_now)
from oracle import Row, Weight, expected_marts


SCORE_DATE = date(2024, 3, 31)
WINDOW_DAYS = 30
# Ratios are stored with 6 decimals.
RATIO_TOLERANCE = Decimal("0.000001")

WEIGHTS = [
    Weight("web", "page_view", Decimal("1")),
    Weight("web", "click", Decimal("0.5")),
    Weight("app", "app_open", Decimal("2")),
    *derived_weights(session="1", bounce="-0.5", minutes="0.1", returning="2",
                     caps=(3, None, 100, 1)),
]


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def analytics_dataset() -> dict[str, list[Row]]:
    """One customer per sessionization and activity case (window 2024-03-02 .. 2024-03-31)."""
    tables: dict[str, list[Row]] = {t: [] for t in (
        "customers", "web_events", "app_events", "social_interactions", "offline_registrations",
        "survey_responses", "product_events")}
    ids = iter(range(1, 10_000))

    def customer(cid: str) -> None:
        tables["customers"].append({"customer_id": cid, "account_id": None,
                                    "signed_up_at": datetime(2023, 1, 1), "plan": "free",
                                    "country": "NL", "persona": "analyst"})

    def web(cid: str | None, event_type: str, ts: str, session_id: str | None = None,
            event_id: str | None = None) -> None:
        tables["web_events"].append({
            "event_id": event_id or f"w{next(ids)}", "customer_id": cid, "anonymous_id": "a",
            "session_id": session_id, "event_type": event_type, "page_url": "/",
            "occurred_at": at(ts)})

    def app(cid: str, ts: str) -> None:
        tables["app_events"].append({
            "event_id": f"a{next(ids)}", "customer_id": cid, "device_id": "d", "platform": "ios",
            "event_type": "app_open", "occurred_at": at(ts)})

    # Untracked: 30:00 apart stays one session, 30:01 apart is a new one; a lone click is not a
    # bounce, a lone page view is.
    customer("edge")
    web("edge", "page_view", "2024-03-10 10:00:00")
    web("edge", "click", "2024-03-10 10:30:00")
    web("edge", "click", "2024-03-10 11:00:01")
    web("edge", "page_view", "2024-03-10 12:00:00")
    # Fractions of a second: 30:00.7 apart is past the timeout; a 9:59.1 session lasts 9.985 minutes.
    customer("fractions")
    web("fractions", "page_view", "2024-03-18 10:00:00.200")
    web("fractions", "page_view", "2024-03-18 10:30:00.900")
    web("fractions", "click", "2024-03-18 10:40:00")
    # Tracker sessions across midnight and a 30:30 gap; an interleaved untracked page view is its
    # own session; a copy of a row counts once; a rejected (future) row never forms a session.
    customer("tracked")
    web("tracked", "page_view", "2024-03-11 23:50:00", "T1", event_id="t1")
    web("tracked", "page_view", "2024-03-11 23:50:00", "T1", event_id="t1")
    web("tracked", "page_view", "2024-03-12 00:20:30", "T1")
    web("tracked", "click", "2024-03-12 00:21:00", "T1")
    web("tracked", "page_view", "2024-03-12 09:00:00", "T2")
    web("tracked", "page_view", "2024-03-12 09:10:00", " ")
    web("tracked", "page_view", "2099-01-01 00:00:00", "T3")
    web(None, "page_view", "2024-03-12 09:00:00", "T1")  # anonymous: rejected
    # A two-hour session: minutes capped at 60 per session, 100 per day by the seed.
    customer("long")
    web("long", "page_view", "2024-03-15 08:00:00", "L1")
    web("long", "page_view", "2024-03-15 10:00:00", "L1")
    web("long", "page_view", "2024-03-15 11:00:00", "L2")
    web("long", "click", "2024-03-15 11:50:00", "L2")
    # Returning visits: 2024-02-01 is 30 days before 03-02 (not returning), 03-01 is before the
    # window but makes 03-05 returning; two sessions on 03-05 (the daily cap keeps one).
    customer("returning")
    for ts in ("2024-02-01 09:00:00", "2024-03-02 09:00:00", "2024-03-05 09:00:00",
               "2024-03-05 18:00:00", "2024-03-20 09:00:00"):
        web("returning", "page_view", ts)
    web("returning", "click", "2024-03-01 09:00:00", "R0")
    web("returning", "click", "2024-03-01 09:05:00", "R0")
    # Many sessions a day: the session cap (3) and the bounce weight.
    customer("busy")
    for hour in range(10, 15):
        web("busy", "page_view", f"2024-03-31 {hour}:00:00")
    # Other channels for DAU/MAU: active on 03-01 only (MAU until 03-30), and in the window.
    customer("app_only")
    for ts in ("2024-03-01 10:00:00", "2024-03-25 10:00:00", "2024-03-31 23:59:59"):
        app("app_only", ts)
    customer("gone")
    app("gone", "2024-03-01 00:00:00")
    customer("idle")
    return tables


def build(project: ProjectCopy, raw: dict[str, list[Row]], weights: list[Weight],
          *extra: str, **dbt_vars: Any) -> datetime:
    run_started_at = utc_now()
    project.set_weights(weights)
    project.reset_database(raw)
    result = project.build({**build_vars(SCORE_DATE, WINDOW_DAYS), **dbt_vars}, *extra, *DATA_ONLY)
    assert result.success, f"dbt build failed: {result.failed_nodes()}"
    return run_started_at


@pytest.fixture(scope="module")
def analytics_build(new_project: Callable[[str], ProjectCopy]) -> tuple[ProjectCopy, Analytics]:
    project = new_project("analytics")
    raw = analytics_dataset()
    run_started_at = build(project, raw, WEIGHTS)
    return project, expected_analytics(raw, WEIGHTS, SCORE_DATE, WINDOW_DAYS, run_started_at)


def close(expected: Any, actual: Any) -> bool:
    if expected is None or actual is None:
        return expected is None and actual is None
    return abs(as_decimal(actual) - Decimal(expected)) <= RATIO_TOLERANCE  # type: ignore[operator]


def session_key(row: Row) -> tuple[Any, ...]:
    return (row["customer_id"], row["session_id"], as_naive_utc(row["session_start_at"]),
            as_naive_utc(row["session_end_at"]), row["web_events"], row["page_views"],
            row["clicks"], bool(row["is_bounce"]), as_decimal(row["duration_minutes"]))


def test_sessions_match_oracle(analytics_build: tuple[ProjectCopy, Analytics]) -> None:
    project, expected = analytics_build
    actual = Counter(session_key(r) for r in project.internal("int_engagement__web_sessions"))
    wanted = Counter((s.customer_id, s.session_id, s.start, s.end, s.web_events, s.page_views,
                      s.clicks, s.is_bounce, s.minutes) for s in expected.sessions)
    assert actual == wanted
    # The hand-worked cases, so the oracle itself is checked too.
    edge = sorted((s.start.time().isoformat(), s.web_events, s.is_bounce)
                  for s in expected.sessions if s.customer_id == "edge")
    assert edge == [("10:00:00", 2, False), ("11:00:01", 1, False), ("12:00:00", 1, True)]
    tracked = sorted((s.session_id or "-", s.web_events) for s in expected.sessions
                     if s.customer_id == "tracked")
    assert tracked == [("-", 1), ("T1", 3), ("T2", 1)]
    fractions = sorted((s.web_events, s.minutes) for s in expected.sessions
                       if s.customer_id == "fractions")
    assert fractions == [(1, Decimal(0)), (2, Decimal("9.985000"))]


def test_metrics_match_oracle(analytics_build: tuple[ProjectCopy, Analytics]) -> None:
    project, expected = analytics_build
    rows = {r["customer_id"]: r for r in project.mart("customer_engagement_metrics")}
    assert set(rows) == set(expected.metrics)
    problems = []
    for cid, want in expected.metrics.items():
        for column, value in want.items():
            got = rows[cid][column]
            ok = close(value, got) if isinstance(value, Decimal) or value is None else got == value
            if not ok:
                problems.append(f"{cid}.{column}: expected {value!r}, got {got!r}")
    assert problems == []
    assert expected.metrics["edge"]["bounce_rate"] == Decimal(1) / 3
    assert expected.metrics["idle"]["pages_per_session"] is None


def test_scores_include_derived_points_but_not_derived_events(
        analytics_build: tuple[ProjectCopy, Analytics]) -> None:
    project, expected = analytics_build
    rows = {r["customer_id"]: r for r in project.mart("customer_engagement_scores")}
    got = {cid: (as_decimal(r["engagement_score"]), r["event_count"]) for cid, r in rows.items()}
    want = {cid: (expected.scores[cid], expected.event_counts[cid]) for cid in expected.scores}
    assert got == want
    # busy: 5 page views (5) + 5 sessions capped at 3 (3) + 5 bounces (-2.5); 0 minutes and no
    # earlier visit day add nothing.
    assert expected.scores["busy"] == Decimal("5.50")


def test_components_sum_to_the_score(analytics_build: tuple[ProjectCopy, Analytics]) -> None:
    project, expected = analytics_build
    scores = {r["customer_id"]: as_decimal(r["engagement_score"])
              for r in project.mart("customer_engagement_scores")}
    totals: dict[str, Decimal] = {cid: Decimal(0) for cid in scores}
    problems = []
    for row in project.mart("customer_engagement_score_components"):
        cid, key = row["customer_id"], (row["channel"], row["event_type"])
        totals[cid] += as_decimal(row["points"])  # type: ignore[operator]
        term = expected.terms[cid][key]
        if row["raw_count"] != term.raw_count or as_decimal(row["counted_units"]) != term.counted_units:
            problems.append(f"{cid} {key}: counts {row['raw_count']}/{row['counted_units']}, "
                            f"expected {term.raw_count}/{term.counted_units}")
        if abs(as_decimal(row["points"]) - term.points) >= Decimal("0.01"):  # type: ignore[operator]
            problems.append(f"{cid} {key}: points {row['points']}, exact {term.points}")
    assert problems == []
    assert totals == scores
    assert {cid: set(terms) for cid, terms in expected.terms.items()} == {
        cid: {(r["channel"], r["event_type"]) for r in project.mart(
            "customer_engagement_score_components") if r["customer_id"] == cid}
        for cid in expected.terms}


def test_daily_activity_matches_oracle(analytics_build: tuple[ProjectCopy, Analytics]) -> None:
    project, expected = analytics_build
    rows = {r["activity_date"]: r for r in project.mart("engagement_daily_activity")}
    assert len(rows) == WINDOW_DAYS
    problems = []
    for want in expected.daily_activity:
        got = rows[want["activity_date"]]
        for column, value in want.items():
            ok = close(value, got[column]) if column in ("stickiness", "engagement_rate") \
                else got[column] == value
            if not ok:
                problems.append(f"{want['activity_date']} {column}: expected {value}, got {got[column]}")
    assert problems == []
    # gone (active on 03-01 only) is in the 30 days ending 03-30, not in those ending 03-31,
    # when busy (03-31) joins: edge, tracked, long, returning, fractions, app_only and one of the
    # two.
    by_day = {r["activity_date"]: r for r in expected.daily_activity}
    assert [by_day[date(2024, 3, n)]["mau"] for n in (29, 30, 31)] == [7, 7, 7]
    assert [by_day[date(2024, 3, n)]["new_active_customers"] for n in (2, 31)] == [0, 1]


def test_zero_derived_weights_give_the_core_scores(
        new_project: Callable[[str], ProjectCopy]) -> None:
    """The scoring oracle of issue 3 knows nothing of sessions: with the four derived weights at
    0 (present in the seed, not missing), dbt's score marts equal it on the web-heavy dataset."""
    project = new_project("zero_derived")
    raw = analytics_dataset()
    core_weights = [w for w in WEIGHTS if w.event_type not in DERIVED_TYPES]
    run_started_at = build(project, raw, [*core_weights, *derived_weights()], *CORE_MARTS_ONLY)
    core = expected_marts(raw, core_weights, project.tiers(), SCORE_DATE, WINDOW_DAYS,
                          run_started_at)
    for mart in ("customer_engagement_scores", "customer_engagement_tiers",
                 "engagement_tier_summary", "engagement_unweighted_event_types"):
        assert diff_mart(mart, core[mart], project.mart(mart)) == []
    # The same data with the default derived weights scores differently: the test can fail.
    analytics = expected_analytics(raw, WEIGHTS, SCORE_DATE, WINDOW_DAYS, run_started_at)
    core_scores = {r["customer_id"]: r["engagement_score"] for r in core["customer_engagement_scores"]}
    assert analytics.scores != core_scores


# ---------------------------------------------------------------- randomized sessionization

GAPS = st.sampled_from([0, 1, 1799, 1800, 1801, 3600, 86_399, 86_400 * 3])


@st.composite
def web_histories(draw: st.DrawFn) -> dict[str, list[Row]]:
    """Two customers' web events with gaps around the timeout and a few tracker ids."""
    rows: list[Row] = []
    for cid in ("c1", "c2"):
        moment = datetime(2024, 3, 1, 8, 0, 0) + timedelta(seconds=draw(GAPS))
        for _ in range(draw(st.integers(0, 8))):
            moment += timedelta(seconds=draw(GAPS))
            rows.append({
                "event_id": f"w{len(rows)}", "customer_id": cid, "anonymous_id": "a",
                "session_id": draw(st.sampled_from([None, None, "s1", "s2"])),
                "event_type": draw(st.sampled_from(["page_view", "page_view", "click", "scroll"])),
                "page_url": "/", "occurred_at": min(moment, datetime(2024, 3, 31, 23, 0))})
    return {"customers": [{"customer_id": c, "account_id": None, "signed_up_at": None,
                           "plan": "free", "country": None, "persona": None} for c in ("c1", "c2")],
            "web_events": rows}


@pytest.mark.not_on_spark("a dbt build per example")
@seed(int(os.environ.get("ENGAGEMENT_SEED", "20240301")))
@settings(max_examples=int(os.environ.get("ENGAGEMENT_EXAMPLES", "6")), deadline=None,
          database=None, phases=[Phase.explicit, Phase.generate],
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(raw=web_histories(), timeout=st.sampled_from([30, 1]))
def test_random_sessions_match_oracle(new_project: Callable[[str], ProjectCopy],
                                      raw: dict[str, list[Row]], timeout: int) -> None:
    # A fresh copy per example: an in-process DuckDB keeps a replaced database file open.
    session_project = new_project("random_sessions")
    using_web_only = {f"engagement_using_{t}": False for t in (
        "app_events", "social_interactions", "offline_registrations", "survey_responses",
        "product_events")}
    run_started_at = build(session_project, raw, WEIGHTS, "--select", "+customer_engagement_metrics",
                           "--indirect-selection", "cautious",
                           engagement_session_timeout_minutes=timeout, **using_web_only)
    expected = expected_analytics(raw, WEIGHTS, SCORE_DATE, WINDOW_DAYS, run_started_at,
                                  timeout_minutes=timeout)
    actual = Counter(session_key(r) for r in session_project.internal("int_engagement__web_sessions"))
    assert actual == Counter((s.customer_id, s.session_id, s.start, s.end, s.web_events,
                              s.page_views, s.clicks, s.is_bounce, s.minutes)
                             for s in expected.sessions)
    metrics = {r["customer_id"]: r for r in session_project.mart("customer_engagement_metrics")}
    for cid, want in expected.metrics.items():
        assert metrics[cid]["sessions"] == want["sessions"]
        assert close(want["pages_per_session"], metrics[cid]["pages_per_session"])
        assert close(want["bounce_rate"], metrics[cid]["bounce_rate"])
