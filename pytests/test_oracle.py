"""The oracle checked against hand-computed expectations (pure Python, no dbt)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

import pytest

from oracle import CONTRACT_TIERS, Row, expected_marts, round2, tier_of
from scenarios import (CRAFTED_WEIGHTS, EXPECTED_UNWEIGHTED, SCORE_DATE, WINDOW_DAYS, Dataset,
                       crafted)

RUN_STARTED_AT = datetime(2026, 1, 1, 12, 0, 0)


@pytest.fixture(scope="module")
def dataset() -> Dataset:
    return crafted(RUN_STARTED_AT)


@pytest.fixture(scope="module")
def marts(dataset: Dataset) -> dict[str, list[Row]]:
    return expected_marts(dataset.tables, CRAFTED_WEIGHTS, CONTRACT_TIERS, SCORE_DATE,
                          WINDOW_DAYS, RUN_STARTED_AT)


@pytest.mark.parametrize(("value", "expected"), [
    ("0.005", "0.01"), ("-0.005", "-0.01"), ("0.015", "0.02"), ("-0.015", "-0.02"),
    ("0.0049", "0.00"), ("-0.004", "0.00"), ("40.005", "40.01"), ("2.675", "2.68"),
])
def test_round_half_away_from_zero(value: str, expected: str) -> None:
    assert round2(Decimal(value)) == Decimal(expected)


@pytest.mark.parametrize(("score", "tier"), [
    ("-0.01", "churn_risk"), ("0", "disengaged"), ("40", "disengaged"),
    ("40.01", "somewhat_engaged"), ("70", "somewhat_engaged"), ("70.01", "highly_engaged"),
    ("100", "highly_engaged"), ("100.01", "power_user"), ("-1000", "churn_risk"),
    ("1000000", "power_user"),
])
def test_contract_tiers(score: str, tier: str) -> None:
    assert tier_of(Decimal(score), CONTRACT_TIERS).engagement_tier == tier


def test_crafted_scores_match_hand_computation(dataset: Dataset,
                                               marts: dict[str, list[Row]]) -> None:
    rows = {r["customer_id"]: r | t for r, t in zip(marts["customer_engagement_scores"],
                                                     marts["customer_engagement_tiers"])}
    wrong: dict[str, dict[str, Any]] = {}
    for cid, expect in dataset.expected_scores.items():
        got = {k: rows[cid][k] for k in expect}
        if got != expect:
            wrong[cid] = {"expected": expect, "oracle": got}
    assert not wrong


def test_crafted_customers(marts: dict[str, list[Row]]) -> None:
    ids = [r["customer_id"] for r in marts["customer_engagement_scores"]]
    assert len(ids) == len(set(ids))
    assert "pad_c" in ids and " pad_c " not in ids
    assert all(i.strip() for i in ids)


def test_crafted_rejections(dataset: Dataset, marts: dict[str, list[Row]]) -> None:
    got = {(r["source_table"], r["source_id"]): r["reason"]
           for r in marts["engagement_rejected_events"]}
    assert got == dataset.expected_rejections


def test_crafted_unweighted(marts: dict[str, list[Row]]) -> None:
    got = {(r["channel"], r["event_type"]): (r["events"], r["customers"])
           for r in marts["engagement_unweighted_event_types"]}
    assert got == EXPECTED_UNWEIGHTED


def test_crafted_reconciliation(dataset: Dataset, marts: dict[str, list[Row]]) -> None:
    by_table = {r["source_table"]: r for r in marts["engagement_source_reconciliation"]}
    assert set(by_table) == set(dataset.tables)
    for table, row in by_table.items():
        assert row["raw_rows"] == len(dataset.tables[table])
        assert row["unaccounted_rows"] == 0
    assert by_table["web_events"]["duplicate_rows"] == 7
    assert by_table["offline_registrations"]["duplicate_rows"] == 1
    # cust_dup, cust_dup_null and the two equal rows without an id; three rows without an id.
    assert (by_table["customers"]["duplicate_rows"], by_table["customers"]["rejected_rows"]) == (3, 3)


def test_tier_summary_covers_every_tier(marts: dict[str, list[Row]]) -> None:
    summary = marts["engagement_tier_summary"]
    assert [r["tier_rank"] for r in summary] == [1, 2, 3, 4, 5]
    assert sum(r["customers"] for r in summary) == len(marts["customer_engagement_scores"])
    assert sum(r["share_of_customers"] for r in summary) == pytest.approx(1)
    assert all(r["customers"] > 0 for r in summary)


def test_disabled_tables_have_no_reconciliation_row(dataset: Dataset) -> None:
    raw = dict(dataset.tables, social_interactions=None, survey_responses=None)
    marts = expected_marts(raw, CRAFTED_WEIGHTS, CONTRACT_TIERS, SCORE_DATE, WINDOW_DAYS,
                           RUN_STARTED_AT)
    tables = {r["source_table"] for r in marts["engagement_source_reconciliation"]}
    assert tables.isdisjoint({"social_interactions", "survey_responses"})
    assert all(r["social_score"] == 0 and r["survey_score"] == 0
               for r in marts["customer_engagement_scores"])
