# servicesim: `make run` and `make test` do all set-up on a fresh machine (Python 3.11+).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint venv clean bench figures sweden

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

venv: $(STAMP)

run: $(STAMP)
	$(BIN)/servicesim run

# Style, types, layers, then the whole suite (unit, functional, property, theory, cli, faults,
# and the executed examples of README.md and docs/) with coverage. The floor was set from the
# figure of the day it was introduced (95.2 %, less one point for the paths that random
# property examples reach only sometimes) and is never lowered.
COVERAGE_FLOOR := 94
LINTED := simulation tests bench tools conftest.py

test: lint
	$(BIN)/python -m pytest -n 2 -q --cov=simulation --cov-report=term:skip-covered --cov-fail-under=$(COVERAGE_FLOOR)

# Benchmarks (speed goals live here, not in tests): writes bench/RESULTS.md
bench: $(STAMP)
	$(BIN)/python -m bench.run_bench

# The README's figures, regenerated from the embedded default run
figures: $(STAMP)
	$(BIN)/servicesim run --no-report --out results/default-figures
	$(BIN)/python -c "from simulation.report import render_figures; render_figures('results/default-figures', 'docs/figures', names=('map', 'comparison', 'unserved', 'probability_best', 'tornado'), formats=('png',))"

# Rebuild the Swedish scenarios from data/sweden/ (areas, offices, regions, localities, network),
# including the national locality scenarios and their sweep, and the packaged default
sweden: $(STAMP)
	$(BIN)/python tools/build_sweden.py
	cp configs/sweden/default/region.yaml configs/sweden/default/pilot.sweep.yaml simulation/data/default/

# ruff (lint and format), mypy on simulation/, import-linter's layer contract
lint: $(STAMP)
	$(BIN)/ruff check $(LINTED)
	$(BIN)/ruff format --check $(LINTED)
	$(BIN)/mypy
	$(BIN)/lint-imports

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis build *.egg-info
