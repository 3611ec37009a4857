"""Random small raw tables and weights seeds: dbt's marts equal the oracle's."""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, Phase, given, seed, settings

from contract import MARTS
from generators import SCORE_DATE, WINDOW_DAYS, raw_tables, weight_seeds
from harness import (CORE_MARTS_ONLY, DATA_ONLY, HISTORY_KEY, ProjectCopy, build_vars, diff_mart, differences,
                     downstream_differences, utc_now)
from history_oracle import daily_history, raw_type_day_points
from oracle import Row, Weight, expected_marts

pytestmark = [pytest.mark.not_on_spark("a dozen builds of engine-independent logic; run on DuckDB and PostgreSQL")]


@pytest.fixture(scope="module")
def project(new_project: Callable[[str], ProjectCopy]) -> ProjectCopy:
    """One copy for every example: same vars and DuckDB path keep dbt's partial parse warm."""
    return new_project("randomized")


# Every example is a dbt build (~6 s): few examples (ENGAGEMENT_EXAMPLES for a deeper local
# run), a fixed seed for CI (ENGAGEMENT_SEED draws other examples), and no shrinking unless
# ENGAGEMENT_SHRINK=1 (it costs many builds).
# Most examples build just the scoring marts; one in four builds every model, so that the analytics
# and history models and their data tests meet random input too, and checks the history marts
# against their oracle.
EXAMPLES = itertools.count()
WHOLE_PROJECT_EVERY = 4
PHASES = [Phase.explicit, Phase.generate] + ([Phase.shrink] if os.environ.get("ENGAGEMENT_SHRINK")
                                             else [])


@seed(int(os.environ.get("ENGAGEMENT_SEED", "20240331")))
@settings(max_examples=int(os.environ.get("ENGAGEMENT_EXAMPLES", "12")), deadline=None,
          database=None, phases=PHASES,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.data_too_large])
@given(raw=raw_tables(), weights=weight_seeds())
def test_random_inputs_match_oracle(project: ProjectCopy, raw: dict[str, list[Row]],
                                    weights: list[Weight]) -> None:
    run_started_at = utc_now()
    project.set_weights(weights)
    project.reset_database(raw)
    whole_project = next(EXAMPLES) % WHOLE_PROJECT_EVERY == 0
    selection = () if whole_project else CORE_MARTS_ONLY
    result = project.build(build_vars(SCORE_DATE, WINDOW_DAYS), *selection, *DATA_ONLY)
    assert result.success, f"dbt build failed: {result.failed_nodes()}"
    expected = expected_marts(raw, weights, project.tiers(), SCORE_DATE, WINDOW_DAYS,
                              run_started_at)
    problems = [p for mart in MARTS
                for p in diff_mart(mart, expected[mart], project.mart(mart))]
    if whole_project:
        history = daily_history(raw, weights, project.tiers(), SCORE_DATE, WINDOW_DAYS, run_started_at)
        problems += differences(history, project.mart("customer_engagement_daily"), HISTORY_KEY)
        points = raw_type_day_points(raw, weights, SCORE_DATE, WINDOW_DAYS, run_started_at)
        problems += downstream_differences(project, history, points, WINDOW_DAYS)
    assert not problems, "\n".join(problems)
