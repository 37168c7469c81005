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

test: $(STAMP)
	$(BIN)/ruff check simulation tests bench tools
	$(BIN)/python -m pytest -n 2 -q

# Benchmarks (speed goals live here, not in tests): writes bench/RESULTS.md
bench: $(STAMP)
	$(BIN)/python -m bench.run_bench

# The README's figures, regenerated from the embedded default run
figures: $(STAMP)
	$(BIN)/servicesim run --no-report --out results/default-figures
	$(BIN)/python -c "from simulation.report.build import render_figures; render_figures('results/default-figures', 'docs/figures', names=('map', 'comparison', 'unserved'), formats=('png',))"

# Rebuild the Swedish scenarios from data/sweden/areas.csv, and the packaged default
sweden: $(STAMP)
	$(BIN)/python tools/build_sweden.py
	cp configs/sweden/default/region.yaml configs/sweden/default/pilot.sweep.yaml simulation/data/default/

lint: $(STAMP)
	$(BIN)/ruff check simulation tests bench
	$(BIN)/ruff format --check simulation tests bench

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis build *.egg-info
