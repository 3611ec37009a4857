"""Copy tables from DuckDB into PostgreSQL with COPY (the benchmark's and the demo test's loader).

DuckDB writes each table as CSV into a temporary file and psycopg2 streams it into PostgreSQL's
COPY: about a million rows in a second or two, against minutes for row-by-row inserts. In CSV an
unquoted empty field is NULL and a quoted one ("") the empty string, in DuckDB's writer and in
PostgreSQL's reader alike, so blank and missing values stay apart.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

# DuckDB column type -> PostgreSQL column type (the raw contract's types and what the marts hold).
POSTGRES_TYPES = {
    "VARCHAR": "text",
    "TIMESTAMP": "timestamp",
    "DATE": "date",
    "BOOLEAN": "boolean",
    "INTEGER": "integer",
    "BIGINT": "bigint",
    "DOUBLE": "double precision",
}


def columns(duck: Any, schema: str, table: str) -> list[tuple[str, str]]:
    """(name, DuckDB type) of a DuckDB table's columns, in order."""
    return duck.execute(
        "select column_name, data_type from information_schema.columns"
        " where table_schema = ? and table_name = ? order by ordinal_position",
        [schema, table],
    ).fetchall()


def copy_query(duck: Any, pg_cursor: Any, query: str, target: str) -> None:
    """Append the rows of a DuckDB query to the PostgreSQL table `target` (schema.table)."""
    with tempfile.TemporaryDirectory(prefix="engagement-copy-") as folder:
        path = Path(folder) / "rows.csv"
        duck.execute(f"copy ({query}) to '{path}' (format csv, header false)")
        with path.open() as rows:
            pg_cursor.copy_expert(f"copy {target} from stdin (format csv)", rows)


def copy_schema(duck: Any, pg_connection: Any, schema: str) -> dict[str, int]:
    """(Re)create every table of a DuckDB schema in the same PostgreSQL schema, copy its rows,
    analyze it (as autovacuum would soon after a load), commit; returns the row counts."""
    tables = [name for (name,) in duck.execute(
        "select table_name from information_schema.tables where table_schema = ? order by table_name", [schema]
    ).fetchall()]
    counts: dict[str, int] = {}
    with pg_connection.cursor() as cursor:
        cursor.execute(f"drop schema if exists {schema} cascade")
        cursor.execute(f"create schema {schema}")
        for table in tables:
            definition = ", ".join(f"{name} {POSTGRES_TYPES[kind]}" for name, kind in columns(duck, schema, table))
            cursor.execute(f"create table {schema}.{table} ({definition})")
            copy_query(duck, cursor, f"select * from {schema}.{table}", f"{schema}.{table}")
            cursor.execute(f"analyze {schema}.{table}")
            cursor.execute(f"select count(*) from {schema}.{table}")
            counts[table] = int(cursor.fetchone()[0])
    pg_connection.commit()
    return counts
