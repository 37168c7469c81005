# servicesim: `make run` and `make test` do all set-up on a fresh machine (Python 3.11+).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint venv clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

venv: $(STAMP)

run: $(STAMP)
	$(BIN)/servicesim run

test: $(STAMP)
	$(BIN)/ruff check simulation tests bench
	$(BIN)/python -m pytest -n 2 -q

lint: $(STAMP)
	$(BIN)/ruff check simulation tests bench
	$(BIN)/ruff format --check simulation tests bench

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis build *.egg-info
