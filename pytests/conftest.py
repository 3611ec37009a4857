"""Shared fixtures: private dbt project copies and the crafted build."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from datetime import date, datetime

import pytest

from engines import Engine
from harness import CORE_MARTS_ONLY, DATA_ONLY, ProjectCopy, build_vars, utc_now
from oracle import MIN_EVENT_DATE, Row, expected_marts
from scenarios import CRAFTED_WEIGHTS, SCORE_DATE, WINDOW_DAYS, Dataset, crafted

DEFAULT_WINDOW_DAYS = 30  # the contract's default for engagement_window_days


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "not_on_spark(reason): too many dbt builds for Spark's start-up cost")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # Each dbt invocation on Spark costs minutes; checks that only repeat engine-independent logic
    # with more data (many randomized builds, one build per bad seed edit) run on DuckDB and PostgreSQL.
    if config.getoption("--engine") != "spark":
        return
    for item in items:
        marker = item.get_closest_marker("not_on_spark")
        if marker:
            item.add_marker(pytest.mark.skip(reason=marker.args[0] if marker.args else "not on spark"))


@pytest.fixture(scope="session")
def engine(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """The warehouse engine of this run; servers and JVMs are stopped at the end, also on failure."""
    with Engine(request.config.getoption("--engine"), tmp_path_factory.mktemp("engine")) as started:
        yield started


@pytest.fixture(scope="session")
def new_project(tmp_path_factory: pytest.TempPathFactory, engine: Engine) -> Callable[[str], ProjectCopy]:
    """Make a private copy of the dbt project (own seeds, warehouse, target and logs)."""
    def make(name: str) -> ProjectCopy:
        return ProjectCopy(tmp_path_factory.mktemp(name) / "project", engine)
    return make


@dataclass
class Built:
    """A successful build of the crafted dataset, and what the oracle expects of it."""

    project: ProjectCopy
    dataset: Dataset
    expected: dict[str, list[Row]]
    run_started_at: datetime


def build_crafted(project: ProjectCopy, score_date: date | None = SCORE_DATE,
                  window_days: int | None = WINDOW_DAYS, disabled: tuple[str, ...] = (),
                  make: Callable[[datetime], Dataset] = crafted, unit_tests: bool = False,
                  core_only: bool = False, as_text: Collection[str] = (),
                  min_event_date: date | None = None) -> Built:
    """Build a crafted dataset (default: the big one) with the crafted weights; None for
    score_date/window_days leaves the project defaults. The unit tests run in the shared crafted
    build only: their inputs are fixed. `core_only` builds only the marts of issue 3; the raw
    tables named in `as_text` have text columns only."""
    run_started_at = utc_now()
    dataset = make(run_started_at)
    raw = {t: (None if t in disabled else rows) for t, rows in dataset.tables.items()}
    project.set_weights(CRAFTED_WEIGHTS)
    project.reset_database(raw, as_text)
    dbt_vars = build_vars(score_date, window_days, **{t: False for t in disabled})
    if min_event_date is not None:
        dbt_vars["engagement_min_event_date"] = min_event_date.isoformat()
    result = project.build(dbt_vars, *(CORE_MARTS_ONLY if core_only else ()), *(() if unit_tests else DATA_ONLY))
    assert result.success, f"dbt build failed: {result.failed_nodes()}"
    expected = expected_marts(raw, CRAFTED_WEIGHTS, project.tiers(),
                              score_date or run_started_at.date(),
                              window_days or DEFAULT_WINDOW_DAYS, run_started_at,
                              min_event_date or MIN_EVENT_DATE)
    return Built(project, dataset, expected, run_started_at)


@pytest.fixture(scope="session")
def crafted_build(new_project: Callable[[str], ProjectCopy]) -> Iterator[Built]:
    yield build_crafted(new_project("crafted"), unit_tests=True)
