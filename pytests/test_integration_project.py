"""integration_tests/ installs the package the way a user does (packages.yml, local path), points it
at its own raw tables and names through vars, overrides a weight from its own seed, builds, and
its own test compares customer_engagement_tiers with hand-worked scores."""

from __future__ import annotations

import shutil
from collections.abc import Callable

from dbt.cli.main import dbtRunner

from harness import REPO_ROOT, ProjectCopy



def test_package_installs_and_builds_in_another_project(new_project: Callable[[str], ProjectCopy]) -> None:
    package = new_project("package")
    shutil.copytree(REPO_ROOT / "integration_tests", package.root / "integration_tests",
                    ignore=shutil.ignore_patterns("target", "dbt_packages", "logs"))
    user_project = package.root / "integration_tests"
    common = ["--project-dir", str(user_project), "--profiles-dir", str(package.root),
              "--log-path", str(user_project / "logs"), "--no-use-colors", "--quiet"]
    # On Spark, where every model costs seconds, the path to the tiers and the project's own test:
    # how dbt resolves the installed package's macros, dispatch, vars and seeds is the same for the
    # models it leaves out, which the shared crafted build builds on Spark.
    selection = ["--select", "+assert_customer_tiers_match_expected"] if package.engine.name == "spark" else []
    runner = dbtRunner()
    with package.dbt_environment():
        # Raw tables first (they are the user's, not part of the build), then the build.
        for command in (["deps"], ["seed", "--select", "crm"], ["build", *selection]):
            result = runner.invoke([*command, *common])
            assert result.success, f"dbt {command[0]} failed in the integration project: {result.exception}"
    statuses = {r.node.name: str(r.status) for r in result.result.results}
    assert statuses.get("assert_customer_tiers_match_expected") == "pass", statuses
    assert statuses.get("stg_engagement__event_weights") == "success", statuses
