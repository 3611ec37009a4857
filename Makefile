# Everything a user or CI runs. A fresh machine needs only Python 3.11 and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export ENGAGEMENT_DUCKDB_PATH ?= engagement.duckdb
export DBT_PROFILES_DIR := $(CURDIR)

.PHONY: run test lint venv clean

venv: $(VENV)/.installed

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

## Demo data (if the database has none), dbt build on DuckDB, tier summary.
run: venv
	$(BIN)/python tools/demo.py

## sqlfluff over models, macros and tests, then the pytest suite (dbt on DuckDB + oracle).
test: lint
	$(BIN)/pytest

lint: venv
	$(BIN)/sqlfluff lint models macros tests

clean:
	rm -rf target logs dbt_packages .pytest_cache .hypothesis
