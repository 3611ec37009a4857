"""The crafted dataset (one customer per edge case) built by dbt equals the oracle."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from conftest import Built, build_crafted
from contract import MARTS
from harness import REPO_ROOT, TIERS_SEED, ProjectCopy, diff_mart, parse_tiers, values_match
from oracle import CONTRACT_TIERS
from scenarios import null_id_lookalikes



@pytest.mark.parametrize("mart", list(MARTS))
def test_mart_matches_oracle(crafted_build: Built, mart: str) -> None:
    project = crafted_build.project
    assert project.mart_columns(mart) == list(MARTS[mart])
    problems = diff_mart(mart, crafted_build.expected[mart], project.mart(mart))
    assert not problems, "\n".join(problems)


def test_hand_expectations_hold_in_dbt(crafted_build: Built) -> None:
    """The hand-computed numbers of the crafted dataset, read straight from the marts."""
    project = crafted_build.project
    rows = {r["customer_id"]: r for r in project.mart("customer_engagement_scores")}
    for t in project.mart("customer_engagement_tiers"):
        rows[t["customer_id"]].update(engagement_tier=t["engagement_tier"])
    wrong = {}
    for cid, expect in crafted_build.dataset.expected_scores.items():
        row = rows.get(cid, {})
        bad = {k: (v, row.get(k)) for k, v in expect.items() if not values_match(k, v, row.get(k))}
        if bad:
            wrong[cid] = bad  # column: (expected, actual)
    assert not wrong, wrong


def test_tiers_seed_matches_contract() -> None:
    seed = parse_tiers(REPO_ROOT / TIERS_SEED)
    strip = [(t.tier_rank, t.engagement_tier, t.min_score, bool(t.min_inclusive), t.max_score,
              bool(t.max_inclusive)) for t in sorted(seed, key=lambda t: t.tier_rank)]
    assert strip == [(t.tier_rank, t.engagement_tier, t.min_score, bool(t.min_inclusive),
                      t.max_score, bool(t.max_inclusive)) for t in CONTRACT_TIERS]


@pytest.mark.parametrize(("score_date", "window_days", "disabled"), [
    pytest.param(date(2024, 3, 20), 7, ("social_interactions", "survey_responses"),
                 id="social_and_survey_off_short_window"),
    pytest.param(None, None, (), id="default_score_date_and_window",
                 marks=pytest.mark.not_on_spark("the defaults are read by the same macros on every engine")),
])
def test_other_build_settings(new_project: Callable[[str], ProjectCopy], score_date: date | None,
                              window_days: int | None, disabled: tuple[str, ...]) -> None:
    """Another window, the default vars, and switched-off tables (whose raw tables are absent:
    their channel scores 0 and they have no reconciliation row)."""
    built = build_crafted(new_project("settings"), score_date, window_days, disabled)
    problems = [p for mart in MARTS
                for p in diff_mart(mart, built.expected[mart], built.project.mart(mart))]
    assert not problems, "\n".join(problems)
    tables = {r["source_table"] for r in built.project.mart("engagement_source_reconciliation")}
    assert tables.isdisjoint(disabled)


def test_null_id_rows_are_copies_only_when_every_column_is_equal(
        new_project: Callable[[str], ProjectCopy]) -> None:
    built = build_crafted(new_project("null_ids"), make=lambda _: null_id_lookalikes(), core_only=True)
    problems = [p for mart in ("customer_engagement_scores", "engagement_source_reconciliation")
                for p in diff_mart(mart, built.expected[mart], built.project.mart(mart))]
    assert not problems, "\n".join(problems)
