"""The warehouses the suite runs on: embedded DuckDB, a throw-away PostgreSQL server, a local Spark.

An `Engine` lives for the whole pytest session (a server, a JVM); each project copy asks it for a
private `Warehouse` (a DuckDB file, a PostgreSQL database, a pair of Spark schemas) so tests never
see each other's tables. The tests themselves only use the `Warehouse` methods.
"""

from __future__ import annotations

import itertools
import os
import sys
import time
from collections.abc import Collection, Iterator, Mapping, Sequence
from datetime import date, datetime
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any, Protocol

import duckdb

from contract import RAW_TABLES
from oracle import Row

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))

from postgres_copy import POSTGRES_TYPES, copy_schema  # noqa: E402  (tools/, put on the path above)

RAW_SCHEMA = "raw"
ENGINES = ("duckdb", "postgres", "spark")


# Where the package puts staging, intermediate, the seeds and the history's bookkeeping: dbt's
# default schema name for `+schema: stg_engagement` (dbt_project.yml), beside the marts' schema.
INTERNAL_SCHEMA_SUFFIX = "_stg_engagement"


class Warehouse(Protocol):
    """One project copy's private place in an engine."""

    target: str
    mart_schema: str

    def dbt_env(self) -> dict[str, str]: ...
    def dbt_vars(self) -> dict[str, Any]: ...
    def write_raw(self, tables: Mapping[str, Sequence[Row] | None], as_text: Collection[str] = ()) -> None: ...
    def load_raw_from_duckdb(self, source: Path) -> None: ...
    def read(self, sql: str) -> tuple[list[str], list[tuple[Any, ...]]]: ...
    def relations(self, schema: str) -> set[str]: ...
    def comments(self, schema: str, table: str) -> tuple[str | None, dict[str, str]]: ...


# A loader's load time: a table gets the column when its rows carry one (the load-time path).
LOADED_AT = "_loaded_at"


def raw_columns(table: str, rows: Sequence[Row]) -> dict[str, str]:
    columns = dict(RAW_TABLES[table])
    if any(LOADED_AT in row for row in rows):
        columns[LOADED_AT] = "TIMESTAMP"
    return columns


def _raw_columns(columns: Mapping[str, str], types: Mapping[str, str], as_text: bool = False) -> str:
    return ", ".join(f"{name} {types['VARCHAR' if as_text else sql_type]}" for name, sql_type in columns.items())


def duckdb_raw_rows(source: Path) -> dict[str, list[Row]]:
    """The raw tables of a DuckDB file (schema raw) as rows."""
    tables: dict[str, list[Row]] = {}
    with duckdb.connect(str(source), read_only=True) as con:
        for table in RAW_TABLES:
            cursor = con.execute(f"select * from {RAW_SCHEMA}.{table}")
            names = [d[0] for d in cursor.description]
            tables[table] = [dict(zip(names, row)) for row in cursor.fetchall()]
    return tables


def as_raw_text(value: Any) -> str | None:
    """A value as a loader that lands every column as text writes it."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def raw_values(table: str, rows: Sequence[Row], as_text: bool) -> list[list[Any]]:
    return [[as_raw_text(row.get(c)) if as_text else row.get(c) for c in raw_columns(table, rows)] for row in rows]


def _load_raw(cursor: Any, tables: Mapping[str, Sequence[Row] | None], types: Mapping[str, str], mark: str,
              as_text: Collection[str]) -> None:
    """Create schema raw and its tables through a DB-API-like cursor (execute, executemany); the
    tables named in as_text get text columns only."""
    cursor.execute(f"drop schema if exists {RAW_SCHEMA} cascade")
    cursor.execute(f"create schema {RAW_SCHEMA}")
    for table in RAW_TABLES:
        rows = tables.get(table)
        if rows is None:
            continue
        columns = raw_columns(table, rows)
        cursor.execute(f"create table {RAW_SCHEMA}.{table} ({_raw_columns(columns, types, table in as_text)})")
        if rows:
            cursor.executemany(f"insert into {RAW_SCHEMA}.{table} values ({', '.join(mark for _ in columns)})",
                               raw_values(table, rows, table in as_text))


# ---------------------------------------------------------------- DuckDB


class DuckDBWarehouse:
    target = "duckdb"
    mart_schema = "main"

    def __init__(self, path: Path) -> None:
        self.path = path

    def dbt_env(self) -> dict[str, str]:
        return {"ENGAGEMENT_DUCKDB_PATH": str(self.path)}

    def dbt_vars(self) -> dict[str, Any]:
        return {}

    def write_raw(self, tables: Mapping[str, Sequence[Row] | None], as_text: Collection[str] = ()) -> None:
        # Dropped, not deleted: dbt-duckdb may still hold the file open in this process.
        with duckdb.connect(str(self.path)) as con:
            _load_raw(con, tables, IDENTITY, "?", as_text)

    def load_raw_from_duckdb(self, source: Path) -> None:
        """Replace the raw tables by those of another DuckDB file (schema raw), column types and all."""
        with duckdb.connect(str(self.path)) as con:
            con.execute(f"attach '{source}' as source_file (read_only)")
            con.execute(f"drop schema if exists {RAW_SCHEMA} cascade")
            con.execute(f"create schema {RAW_SCHEMA}")
            for table in RAW_TABLES:
                con.execute(f"create table {RAW_SCHEMA}.{table} as select * from source_file.{RAW_SCHEMA}.{table}")

    def read(self, sql: str) -> tuple[list[str], list[tuple[Any, ...]]]:
        with duckdb.connect(str(self.path)) as con:
            cursor = con.execute(sql)
            return [d[0] for d in cursor.description], cursor.fetchall()

    def execute(self, sql: str) -> None:
        """Statements without a result."""
        with duckdb.connect(str(self.path)) as con:
            con.execute(sql)

    def relations(self, schema: str) -> set[str]:
        return {r[0] for r in self.read(f"select table_name from information_schema.tables where table_schema = '{schema}'")[1]}

    def comments(self, schema: str, table: str) -> tuple[str | None, dict[str, str]]:
        """The table's comment and its columns' comments (persist_docs)."""
        where = f"where schema_name = '{schema}' and table_name = '{table}'"
        table_comment = self.read(f"select comment from duckdb_tables() {where}")[1]
        columns = self.read(f"select column_name, comment from duckdb_columns() {where} and comment is not null")[1]
        return (table_comment[0][0] if table_comment else None), dict(columns)  # type: ignore[arg-type]


IDENTITY = {t: t for t in ("VARCHAR", "TIMESTAMP", "DATE", "BOOLEAN", "INTEGER")}


# ---------------------------------------------------------------- PostgreSQL

class PostgresWarehouse:
    target = "postgres"
    mart_schema = "analytics"

    def __init__(self, server: Mapping[str, str], database: str) -> None:
        self.server = dict(server)
        self.database = database
        con = self._connect("engagement")
        con.autocommit = True  # create database refuses to run inside a transaction
        try:
            con.cursor().execute(f"create database {database}")
        finally:
            con.close()

    def _connect(self, database: str | None = None) -> Any:
        import psycopg2

        return psycopg2.connect(
            host=self.server["ENGAGEMENT_PG_HOST"], port=int(self.server["ENGAGEMENT_PG_PORT"]),
            user=self.server["ENGAGEMENT_PG_USER"], dbname=database or self.database,
        )

    def dbt_env(self) -> dict[str, str]:
        return {**self.server, "ENGAGEMENT_PG_DATABASE": self.database, "ENGAGEMENT_PG_SCHEMA": self.mart_schema}

    def dbt_vars(self) -> dict[str, Any]:
        return {}

    def write_raw(self, tables: Mapping[str, Sequence[Row] | None], as_text: Collection[str] = ()) -> None:
        con = self._connect()
        with con, con.cursor() as cursor:  # one transaction, committed on leaving
            _load_raw(cursor, tables, POSTGRES_TYPES, "%s", as_text)
        con.close()

    def load_raw_from_duckdb(self, source: Path) -> None:
        """Replace the raw tables by those of a DuckDB file (schema raw), with COPY: inserting a
        million rows one by one takes minutes."""
        con = self._connect()
        try:
            with duckdb.connect(str(source), read_only=True) as duck:
                copy_schema(duck, con, RAW_SCHEMA)
        finally:
            con.close()

    def read(self, sql: str) -> tuple[list[str], list[tuple[Any, ...]]]:
        con = self._connect()
        try:
            with con.cursor() as cursor:
                cursor.execute(sql)
                return [d[0] for d in cursor.description], [tuple(r) for r in cursor.fetchall()]
        finally:
            con.close()

    def execute(self, sql: str) -> None:
        """Statements without a result (roles, grants), committed."""
        con = self._connect()
        with con, con.cursor() as cursor:
            cursor.execute(sql)
        con.close()

    def relations(self, schema: str) -> set[str]:
        return {r[0] for r in self.read(f"select table_name from information_schema.tables where table_schema = '{schema}'")[1]}

    def comments(self, schema: str, table: str) -> tuple[str | None, dict[str, str]]:
        """The table's comment and its columns' comments (persist_docs)."""
        relation = f"'{schema}.{table}'::regclass"
        table_comment = self.read(f"select obj_description({relation}, 'pg_class')")[1][0][0]
        columns = self.read(
            f"select attname, col_description({relation}, attnum) from pg_attribute "
            f"where attrelid = {relation} and attnum > 0 and col_description({relation}, attnum) is not null")[1]
        return table_comment, dict(columns)


# ---------------------------------------------------------------- Spark

SPARK_TYPES = {"VARCHAR": "string", "TIMESTAMP": "timestamp", "DATE": "date", "BOOLEAN": "boolean",
               "INTEGER": "int"}


class SparkWarehouse:
    """A pair of Spark databases (raw_N, analytics_N) in the session dbt-spark also uses."""

    target = "spark"

    def __init__(self, spark: Any, number: int) -> None:
        self.spark = spark
        self.raw_schema = f"raw_{number}"
        self.mart_schema = f"analytics_{number}"

    def dbt_env(self) -> dict[str, str]:
        return {"ENGAGEMENT_SPARK_SCHEMA": self.mart_schema}

    def dbt_vars(self) -> dict[str, Any]:
        return {"engagement_raw_schema": self.raw_schema}

    def write_raw(self, tables: Mapping[str, Sequence[Row] | None], as_text: Collection[str] = ()) -> None:
        self.spark.sql(f"drop database if exists {self.raw_schema} cascade")
        self.spark.sql(f"create database {self.raw_schema}")
        for table in RAW_TABLES:
            rows = tables.get(table)
            if rows is None:
                continue
            frame = self.spark.createDataFrame([tuple(v) for v in raw_values(table, rows, table in as_text)],
                                               _raw_columns(raw_columns(table, rows), SPARK_TYPES,
                                                            table in as_text))
            frame.write.saveAsTable(f"{self.raw_schema}.{table}")

    def load_raw_from_duckdb(self, source: Path) -> None:
        self.write_raw(duckdb_raw_rows(source))

    def read(self, sql: str) -> tuple[list[str], list[tuple[Any, ...]]]:
        frame = self.spark.sql(sql)
        return list(frame.columns), [tuple(row) for row in frame.collect()]

    def relations(self, schema: str) -> set[str]:
        return {r.tableName for r in self.spark.sql(f"show tables in {schema}").collect() if not r.isTemporary}

    def comments(self, schema: str, table: str) -> tuple[str | None, dict[str, str]]:
        """The table's comment; dbt-spark comments columns of Delta, Hudi and Iceberg tables only,
        and the package's tables are Parquet."""
        details = {r.col_name: r.data_type for r in self.spark.sql(f"describe table extended {schema}.{table}").collect()}
        return details.get("Comment"), {}


# ---------------------------------------------------------------- engines


class Engine:
    """Hands out private warehouses of one engine for the length of a pytest session."""

    def __init__(self, name: str, workdir: Path) -> None:
        if name not in ENGINES:
            raise ValueError(f"unknown engine {name!r}; choose one of {ENGINES}")
        self.name = name
        self.workdir = workdir
        self._numbers = itertools.count(1)
        self._stack = ExitStack()
        self._server: dict[str, str] = {}
        self._spark: Any = None

    def __enter__(self) -> Engine:
        if self.name == "postgres":
            from throwaway_postgres import throwaway_server

            self._server = self._stack.enter_context(throwaway_server())
        elif self.name == "spark":
            self._spark = self._stack.enter_context(spark_session(self.workdir))
        return self

    def __exit__(self, *exc: object) -> None:
        self._stack.close()

    def dbt_env(self) -> dict[str, str]:
        """Environment every dbt invocation on this engine needs (profiles.yml reads it)."""
        env = {"ENGAGEMENT_TARGET": self.name}
        if self.name == "spark":
            env["ENGAGEMENT_SPARK_DIR"] = str(self.workdir)
        return env

    def new_warehouse(self, folder: Path) -> Warehouse:
        number = next(self._numbers)
        if self.name == "postgres":
            return PostgresWarehouse(self._server, f"copy_{number}")
        if self.name == "spark":
            return SparkWarehouse(self._spark, number)
        return DuckDBWarehouse(folder / "engagement.duckdb")


@contextmanager
def spark_session(workdir: Path) -> Iterator[Any]:
    """The local session of tools/local_spark.py, stopped at the end."""
    os.environ["TZ"] = "UTC"
    time.tzset()
    from local_spark import local_spark_session

    session = local_spark_session(workdir)
    try:
        yield session
    finally:
        session.stop()
