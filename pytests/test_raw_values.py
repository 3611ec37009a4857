"""Raw values never crash the build (issue 23): a raw table whose columns all arrived as text
scores its readable values and rejects the others as invalid_value with a detail naming the
column and the value; timestamps before engagement_min_event_date are invalid values; customers
rows reconcile like event rows."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from conftest import build_crafted
from contract import MARTS, RAW_TABLES
from harness import ProjectCopy, diff_mart, values_match
from scenarios import EPOCH_SCORE_DATE, min_event_date_edges, text_values, zero_times


def mart_problems(project: ProjectCopy, expected: dict[str, list[dict]]) -> list[str]:
    return [p for mart in MARTS for p in diff_mart(mart, expected[mart], project.mart(mart))]


def test_text_columns_score_or_reject_with_a_detail(new_project: Callable[[str], ProjectCopy]) -> None:
    built = build_crafted(new_project("text_values"), make=text_values, as_text=tuple(RAW_TABLES))
    assert not mart_problems(built.project, built.expected)
    rejected = built.project.mart("engagement_rejected_events")
    got = {(r["source_table"], r["source_id"]): r["reason"] for r in rejected}
    assert got == built.dataset.expected_rejections
    details = {r["rejection_detail"] for r in rejected}
    for fragment in ("occurred_at 'not a date'", "score 'ten'", "attended 'maybe'", "event_date 'someday'",
                     "signed_up_at 'garbage'"):
        assert any(fragment in d for d in details), (fragment, details)
    scores = {r["customer_id"]: r for r in built.project.mart("customer_engagement_scores")}
    assert scores["txt_blank_signup"]["engagement_score"] == 0  # a blank sign-up time is unknown, not bad
    for column, value in built.dataset.expected_scores["txt_c"].items():
        assert values_match(column, value, scores["txt_c"][column]), (column, value, scores["txt_c"][column])


def test_min_event_date_edges(new_project: Callable[[str], ProjectCopy]) -> None:
    built = build_crafted(new_project("epoch"), score_date=EPOCH_SCORE_DATE, make=min_event_date_edges,
                          core_only=True)
    assert not mart_problems(built.project, built.expected)
    score = built.project.mart("customer_engagement_scores")[0]
    assert (score["engagement_score"], score["event_count"]) == (20, 4)


def test_min_event_date_is_a_var(new_project: Callable[[str], ProjectCopy]) -> None:
    """engagement_min_event_date moves the edge: with 1970-01-02 the first day's events are invalid."""
    built = build_crafted(new_project("epoch_var"), score_date=EPOCH_SCORE_DATE, make=min_event_date_edges,
                          core_only=True, min_event_date=date(1970, 1, 2))
    assert not mart_problems(built.project, built.expected)
    details = [r["rejection_detail"] for r in built.project.mart("engagement_rejected_events")]
    assert any("engagement_min_event_date 1970-01-02" in d for d in details), details


@pytest.mark.not_on_spark("pyspark cannot hand a timestamp of year 1 back to Python")
@pytest.mark.parametrize("as_text", [(), tuple(RAW_TABLES)], ids=["typed", "text"])
def test_zero_times_are_invalid_values_and_start_no_history(new_project: Callable[[str], ProjectCopy],
                                                              as_text: tuple[str, ...]) -> None:
    """0001-01-01 once stopped the history's compile ('date value out of range') and 1900-01-01
    added a row per day since 1900: both are rejected, and the whole project builds."""
    built = build_crafted(new_project("zero_times"), make=zero_times, as_text=as_text)
    assert not mart_problems(built.project, built.expected)
    got = {(r["source_table"], r["source_id"]): r["reason"] for r in built.project.mart("engagement_rejected_events")}
    assert got == built.dataset.expected_rejections
    first = min(r["score_date"] for r in built.project.mart("customer_engagement_daily"))
    assert first == date(2024, 3, 20)
