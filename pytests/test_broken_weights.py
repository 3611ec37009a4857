"""A bad edit of the weights seed fails `dbt build`, names the bad row, and leaves the score
and tier tables of the previous build untouched."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest

from conftest import Built, build_crafted
from harness import (CORE_MARTS_ONLY, DATA_ONLY, BuildResult, ProjectCopy, build_vars, diff_mart, weights_csv,
                     write_csv)
from oracle import Weight, expected_marts
from scenarios import CRAFTED_WEIGHTS, SCORE_DATE, WINDOW_DAYS

PROTECTED = ("customer_engagement_scores", "customer_engagement_tiers")
Cells = list[list[str]]


@dataclass(frozen=True)
class BadEdit:
    """Replace the seed row of (channel, event_type) with these cells, or append them."""

    name: str
    channel: str
    event_type: str
    weight: str
    daily_cap: str
    append: bool = False

    def apply(self, cells: Cells) -> Cells:
        new = [self.channel, self.event_type, self.weight, self.daily_cap, "bad edit"]
        if self.append:
            return [*cells, new]
        return [new if r[:2] == [self.channel, self.event_type] else r for r in cells]


BAD_EDITS = [
    BadEdit("duplicate_key", "web", "page_view", "2", "", append=True),
    BadEdit("non_numeric_weight", "app", "app_open", "lots", "3"),
    BadEdit("missing_weight", "social", "like", "", ""),
    BadEdit("zero_cap", "app", "app_install", "5", "0"),
    BadEdit("negative_cap", "social", "share", "3", "-1"),
    BadEdit("unknown_channel", "email", "open", "1", "", append=True),
    BadEdit("too_precise_weight", "web", "click", "0.0000001", ""),
    BadEdit("too_precise_exponent", "web", "click", "1e-7", ""),
    BadEdit("thousands_separator", "web", "click", "1_000", ""),
    BadEdit("out_of_range", "web", "click", "1e30", ""),
    BadEdit("fractional_cap", "web", "click", "1", "2.5"),
]
# What the failing row's problem must say, where a wrong message was seen before.
PROBLEM_WORDS = {"out_of_range": "range", "too_precise_exponent": "6 decimals",
                 "thousands_separator": "not a number"}


@pytest.fixture(scope="module")
def good(new_project: Callable[[str], ProjectCopy]) -> Built:
    return build_crafted(new_project("broken_weights"))


def snapshot(project: ProjectCopy) -> dict[str, list[tuple[Any, ...]]]:
    return {t: project.snapshot(t) for t in PROTECTED}


def failing_test_rows(project: ProjectCopy, result: BuildResult) -> list[dict[str, Any]]:
    """Rows returned by the failing tests, re-running their compiled SQL on the database."""
    return [row for r in result.failed_nodes()
            if r.node.resource_type == "test" and r.node.compiled_code
            for row in project.query(r.node.compiled_code)]


# On Spark one bad edit shows the build stops and keeps the tables; the per-problem checks are SQL
# the other engines already ran.
SPARK_EDITS = {"unknown_channel"}


@pytest.mark.parametrize("edit", [
    pytest.param(e, id=e.name, marks=() if e.name in SPARK_EDITS else
                 pytest.mark.not_on_spark("one build per bad edit; unknown_channel covers Spark"))
    for e in BAD_EDITS
])
def test_bad_weights_fail_build_and_keep_scores(good: Built, edit: BadEdit) -> None:
    project = good.project
    before = snapshot(project)
    write_csv(project.weights_path, edit.apply(weights_csv(CRAFTED_WEIGHTS)))
    try:
        result = project.build(build_vars(SCORE_DATE, WINDOW_DAYS), *DATA_ONLY)
        assert not result.success, "dbt build accepted a bad weights seed"
        assert snapshot(project) == before
        failing = failing_test_rows(project, result)
        named = [r for r in failing
                 if (r.get("channel"), r.get("event_type")) == (edit.channel, edit.event_type)
                 and r.get("problem")]
        assert named, (f"no failing test names {edit.channel}/{edit.event_type}: "
                       f"{[(f.node.unique_id, f.message) for f in result.failed_nodes()]} "
                       f"rows {failing}")
        cells = edit.apply(weights_csv(CRAFTED_WEIGHTS))
        lines = [n + 1 for n, row in enumerate(cells) if row[:4] == [edit.channel, edit.event_type, edit.weight, edit.daily_cap]]
        assert {r["line_number"] for r in named} <= set(lines), (named, lines)
        assert PROBLEM_WORDS.get(edit.name, "") in named[0]["problem"], named
    finally:
        project.set_weights(CRAFTED_WEIGHTS)


@pytest.mark.not_on_spark("one more build; the number syntax is the same Jinja check on every engine")
def test_numbers_in_every_accepted_syntax_score_exactly(good: Built) -> None:
    """0.2500000 has 2 decimals, 1.23456789e3 five: both are weights; the score uses their value."""
    project = good.project
    spelled = {("web", "page_view"): ("0.2500000", Decimal("0.25")), ("web", "click"): ("1.23456789e3", Decimal("1234.56789")),
               ("social", "like"): ("-2E-3", Decimal("-0.002")), ("product", "invite_teammate"): ("+.5", Decimal("0.5"))}
    cells = [[*row[:2], spelled[(row[0], row[1])][0], *row[3:]] if (row[0], row[1]) in spelled else row
             for row in weights_csv(CRAFTED_WEIGHTS)]
    weights = [Weight(w.channel, w.event_type, spelled[(w.channel, w.event_type)][1], w.daily_cap)
               if (w.channel, w.event_type) in spelled else w for w in CRAFTED_WEIGHTS]
    write_csv(project.weights_path, cells)
    try:
        result = project.build(build_vars(SCORE_DATE, WINDOW_DAYS), *CORE_MARTS_ONLY, *DATA_ONLY)
        assert result.success, result.failed_nodes()
        expected = expected_marts(good.dataset.tables, weights, project.tiers(), SCORE_DATE, WINDOW_DAYS,
                                  good.run_started_at)
        problems = diff_mart("customer_engagement_scores", expected["customer_engagement_scores"],
                             project.mart("customer_engagement_scores"))
        assert not problems, "\n".join(problems)
    finally:
        project.set_weights(CRAFTED_WEIGHTS)


def test_bad_seed_stops_dbt_run_without_tests(good: Built) -> None:
    """`dbt seed` then `dbt run` (no tests): the weights' staging model stops the run, naming the
    bad rows by their line in the CSV file; the score tables keep their rows."""
    project = good.project
    before = snapshot(project)
    cells = [*weights_csv(CRAFTED_WEIGHTS), ["web", "page_view", "2", "", "a second page_view row"]]
    write_csv(project.weights_path, cells)
    try:
        assert project.invoke("seed", {}).success
        result = project.invoke("run", build_vars(SCORE_DATE, WINDOW_DAYS))
        assert not result.success
        messages = " ".join(str(r.message) for r in result.failed_nodes())
        first = next(n + 1 for n, row in enumerate(cells) if row[:2] == ["web", "page_view"])
        assert f"line {len(cells)}" in messages and f"also on line {first}" in messages, messages
        assert snapshot(project) == before
    finally:
        project.set_weights(CRAFTED_WEIGHTS)
        assert project.invoke("seed", {}).success
