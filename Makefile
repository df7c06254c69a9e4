# The two commands a newcomer needs: `make demo` and `make test`. Both create the virtualenv on first use.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DATA_DIR ?= $(CURDIR)/data
export DAGSTER_HOME ?= $(DATA_DIR)/dagster

.PHONY: install demo test lint ui docs bench clean

$(VENV)/.installed: pyproject.toml dbt-chdb/pyproject.toml
	@echo "Installing into $(VENV) (the first run takes a few minutes) ..."
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --quiet --upgrade pip
	$(BIN)/pip install --quiet --quiet -e ./dbt-chdb -e '.[test]'
	touch $@

install: $(VENV)/.installed

## demo: generate 14 days of sample data and run the whole pipeline on the embedded warehouse
demo: install
	$(BIN)/ott-analytics demo

## test: lint, then the project's tests and dbt-chdb's conformance suite, each on two worker processes (a
## process can host one chDB data directory at a time). A module's tests stay on one worker, in order, and the
## modules holding slow tests start first; a dbt-chdb test class stays on one worker.
test: install lint
	$(BIN)/pytest -n 2 --dist loadfile --no-loadscope-reorder
	cd dbt-chdb && ../$(BIN)/pytest -n 2 --dist loadscope

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

## ui: the Dagster UI on the same data as the demo, at http://127.0.0.1:3000
ui: install
	$(BIN)/python -m orchestration.instance >/dev/null
	$(BIN)/dagster dev -w workspace.yaml -h 127.0.0.1 -p 3000

## docs: dbt's documentation of the marts (columns, lineage, exposures) at http://127.0.0.1:8080, from the
## warehouse the demo built
docs: install
	$(BIN)/ott-analytics docs

## bench: the benchmarks in bench/ (minutes; results written to bench/results/)
bench: install
	$(BIN)/python -m bench.generator
	$(BIN)/python -m bench.viewing
	$(BIN)/python -m bench.events
	$(BIN)/python -m bench.ingest
	$(BIN)/python -m bench.incremental
	$(BIN)/python -m bench.hourly

clean:
	rm -rf $(VENV) data dbt_project/target dbt_project/logs
