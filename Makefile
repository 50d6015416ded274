# Two commands matter: `make run` serves Tactful, `make test` checks everything (ruff, mypy, pytest).
# Both create ./.venv on first use and install what they need into it.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test lint typecheck unit bench faults screenshots clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/tactful serve

test: lint typecheck unit

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/pytest

# The README's screenshots of the agent page and its first-delta timing, from the browser tests.
screenshots: $(STAMP)
	TACTFUL_UPDATE_SCREENSHOTS=1 $(BIN)/pytest tests/e2e -q -s

bench: $(STAMP)
	$(BIN)/python -m bench

faults: $(STAMP)
	$(BIN)/python -m bench.faults

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
