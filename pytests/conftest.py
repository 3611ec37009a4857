"""Shared fixtures: private dbt project copies and the crafted build."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from harness import REPO_ROOT, ProjectCopy, build_vars, utc_now
from oracle import Row, expected_marts
from scenarios import CRAFTED_WEIGHTS, SCORE_DATE, WINDOW_DAYS, Dataset, crafted

HAS_MODELS = any((REPO_ROOT / "models").rglob("*.sql"))
needs_dbt_models = pytest.mark.skipif(not HAS_MODELS, reason="the dbt models are not there yet")


@pytest.fixture(scope="session")
def new_project(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], ProjectCopy]:
    """Make a private copy of the dbt project (own seeds, DuckDB file, target and logs)."""
    def make(name: str) -> ProjectCopy:
        return ProjectCopy(tmp_path_factory.mktemp(name) / "project")
    return make


@dataclass
class Built:
    """A successful build of the crafted dataset, and what the oracle expects of it."""

    project: ProjectCopy
    dataset: Dataset
    expected: dict[str, list[Row]]


def build_crafted(project: ProjectCopy, disabled: tuple[str, ...] = ()) -> Built:
    run_started_at = utc_now()
    dataset = crafted(run_started_at)
    raw = {t: (None if t in disabled else rows) for t, rows in dataset.tables.items()}
    project.set_weights(CRAFTED_WEIGHTS)
    project.reset_database(raw)
    result = project.build(build_vars(SCORE_DATE, WINDOW_DAYS, **{t: False for t in disabled}))
    assert result.success, f"dbt build failed: {result.failed_nodes()}"
    expected = expected_marts(raw, CRAFTED_WEIGHTS, project.tiers(), SCORE_DATE, WINDOW_DAYS,
                              run_started_at)
    return Built(project, dataset, expected)


@pytest.fixture(scope="session")
def crafted_build(new_project: Callable[[str], ProjectCopy]) -> Iterator[Built]:
    yield build_crafted(new_project("crafted"))
