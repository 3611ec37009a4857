# Everything a user or CI runs. A fresh machine needs only Python 3.11 and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export ENGAGEMENT_DUCKDB_PATH ?= engagement.duckdb
export DBT_PROFILES_DIR := $(CURDIR)

.PHONY: run report browser test test-postgres test-spark lint venv venv-spark clean bench docs docs-generate quality suggest-weights postgres-server

venv: $(VENV)/.installed

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

venv-spark: $(VENV)/.installed-spark

$(VENV)/.installed-spark: $(VENV)/.installed requirements-spark.txt
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-spark.txt
	touch $@

## Demo data (if the database has none), dbt build on DuckDB, tier summary, then the report.
run: venv
	$(BIN)/python tools/demo.py

## The HTML report of the built marts: reports/engagement_report.html (`DBT_TARGET=postgres make
## report` for another target of the profile).
report: venv
	$(BIN)/python tools/report.py

## Debian's Chromium for the report's browser test (installed with apt-get if missing; without it
## the test is skipped).
browser:
	command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium >/dev/null) || \
		echo "Chromium could not be installed: the report's browser test will be skipped."

## sqlfluff over models, macros and tests, then the pytest suite (dbt on DuckDB + oracle).
test: lint browser
	$(BIN)/pytest

## The same suite on a throw-away PostgreSQL server (installed with apt-get if missing).
test-postgres: venv browser postgres-server
	$(BIN)/pytest --engine postgres

postgres-server:
	command -v initdb >/dev/null || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || \
		(apt-get update -qq && apt-get install -y -qq postgresql-15 >/dev/null)

## The suite on a local Spark session (pyspark; needs Java 17, installed with apt-get if missing).
test-spark: venv-spark browser
	command -v java >/dev/null || (apt-get update -qq && apt-get install -y -qq openjdk-17-jre-headless >/dev/null)
	$(BIN)/pytest --engine spark

lint: venv
	$(BIN)/sqlfluff lint models macros tests

## The docs site (overview, lineage, every model and column) of the demo build, on
## http://127.0.0.1:$(DOCS_PORT). `make docs-generate` writes it to target/ without serving (CI).
DOCS_PORT ?= 8080
docs: docs-generate
	$(BIN)/dbt docs serve --host 127.0.0.1 --port $(DOCS_PORT) --no-browser

docs-generate: venv
	test -f $(ENGAGEMENT_DUCKDB_PATH) || $(BIN)/python tools/demo.py
	$(BIN)/dbt docs generate

## The field's own measures: dbt-score (at least 9.5) and dbt-coverage (at least 80 % of the
## marts' columns tested), on the demo build.
quality: docs-generate
	$(BIN)/dbt-score lint --fail-project-under 9.5 --show failing-rules
	$(BIN)/dbt-coverage compute test --model-path-filter models/marts --cov-fail-under 0.8 \
		--cov-report target/coverage-test.json

clean:
	rm -rf target logs dbt_packages .pytest_cache .hypothesis

## Benchmark into docs/benchmarks.md: floor query, scoring path, history full and incremental.
## `make bench EVENTS=100000000` for the big run (about 2 GB of data and spill files in /tmp).
## `make bench ENGINE=postgres`: PostgreSQL (a throw-away server) next to DuckDB on the same data,
## at 100k, 1M and 10M events (about 45 minutes on 2 cores).
ENGINE ?= duckdb
ifeq ($(ENGINE),postgres)
EVENTS ?= 100000 1000000 10000000
BENCH_NEEDS := postgres-server
else
EVENTS ?= 10000000
endif
bench: venv $(BENCH_NEEDS)
	$(BIN)/python tools/benchmark.py --engine $(ENGINE) --events $(EVENTS)

## Suggested event weights, window and decay from the backtest (needs a built project: make run).
## Flags after ARGS=, e.g. make suggest-weights ARGS="--test-date 2026-11-01 --out my_weights.csv".
suggest-weights: venv
	$(BIN)/python tools/suggest_weights.py $(ARGS)
