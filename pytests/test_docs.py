"""The docs site builds with its overview page, and the field's own tools rate the project:
dbt-score at least 9.5, dbt-coverage at least 80 % of the marts' columns tested (the figures
`make quality` prints for the demo build)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import Built
from harness import build_vars
from scenarios import SCORE_DATE, WINDOW_DAYS

BIN = Path(sys.executable).parent


def test_docs_generate_with_overview_score_and_coverage(crafted_build: Built, request: pytest.FixtureRequest) -> None:
    if request.config.getoption("--engine") != "duckdb":
        pytest.skip("docs and the project's ratings do not depend on the engine")
    project = crafted_build.project
    result = project.invoke("docs generate", build_vars(SCORE_DATE, WINDOW_DAYS))
    assert result.success, result.result.exception
    target = project.root / "target"
    manifest = json.loads((target / "manifest.json").read_text())
    overview = manifest["docs"]["doc.customer_engagement.__overview__"]["block_contents"]
    assert "## The tiers" in overview and "## What BI tools read" in overview
    catalog = json.loads((target / "catalog.json").read_text())
    assert "model.customer_engagement.customer_engagement_tiers.v1" in catalog["nodes"]

    score = subprocess.run([BIN / "dbt-score", "lint", "--manifest", target / "manifest.json", "--format", "json"],
                           capture_output=True, text=True, cwd=project.root)
    assert json.loads(score.stdout)["project"]["score"] >= 9.5, score.stdout[-2000:]

    report = project.root / "coverage.json"
    coverage = subprocess.run([BIN / "dbt-coverage", "compute", "test", "--project-dir", project.root,
                               "--run-artifacts-dir", target, "--model-path-filter", "models/marts",
                               "--cov-report", report], capture_output=True, text=True, cwd=project.root)
    assert coverage.returncode == 0, coverage.stdout + coverage.stderr
    assert json.loads(report.read_text())["coverage"] >= 0.8
