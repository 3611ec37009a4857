# Everything a user or CI runs. A fresh machine needs only Python 3.11 and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export ENGAGEMENT_DUCKDB_PATH ?= engagement.duckdb
export DBT_PROFILES_DIR := $(CURDIR)

.PHONY: run test test-postgres test-spark lint venv venv-spark clean bench

venv: $(VENV)/.installed

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

venv-spark: $(VENV)/.installed-spark

$(VENV)/.installed-spark: $(VENV)/.installed requirements-spark.txt
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-spark.txt
	touch $@

## Demo data (if the database has none), dbt build on DuckDB, tier summary.
run: venv
	$(BIN)/python tools/demo.py

## sqlfluff over models, macros and tests, then the pytest suite (dbt on DuckDB + oracle).
test: lint
	$(BIN)/pytest

## The same suite on a throw-away PostgreSQL server (installed with apt-get if missing).
test-postgres: venv
	command -v initdb >/dev/null || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || \
		(apt-get update -qq && apt-get install -y -qq postgresql-15 >/dev/null)
	$(BIN)/pytest --engine postgres

## The suite on a local Spark session (pyspark; needs Java 17, installed with apt-get if missing).
test-spark: venv-spark
	command -v java >/dev/null || (apt-get update -qq && apt-get install -y -qq openjdk-17-jre-headless >/dev/null)
	$(BIN)/pytest --engine spark

lint: venv
	$(BIN)/sqlfluff lint models macros tests

clean:
	rm -rf target logs dbt_packages .pytest_cache .hypothesis

## Benchmark into docs/benchmarks.md: floor query, scoring path, history full and incremental.
## `make bench EVENTS=100000000` for the big run (about 2 GB of data and spill files in /tmp).
EVENTS ?= 10000000
bench: venv
	$(BIN)/python tools/benchmark.py --events $(EVENTS)

