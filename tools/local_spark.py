"""The local Spark session the test suite and tools/spark_scaling.py hand to dbt-spark's `session`
method (it picks the running session up with getOrCreate), set up as profiles.yml's spark target:
its own warehouse and Derby metastore under workdir, UTC everywhere, loopback only."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def local_spark_session(workdir: Path, driver_memory: str | None = None) -> Any:
    from pyspark.sql import SparkSession

    builder = (
        SparkSession.builder.enableHiveSupport()
        .master("local[2]")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.warehouse.dir", str(workdir / "warehouse"))
        .config("spark.hadoop.javax.jdo.option.ConnectionURL",
                f"jdbc:derby:;databaseName={workdir / 'metastore_db'};create=true")
        .config("spark.driver.extraJavaOptions", f"-Dderby.system.home={workdir} -Duser.timezone=UTC")
        .config("spark.sql.shuffle.partitions", "4")
        # Local mode still listens for its executors and block manager: on loopback only.
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.ui.enabled", "false")
    )
    if driver_memory:
        builder = builder.config("spark.driver.memory", driver_memory)
    return builder.getOrCreate()
