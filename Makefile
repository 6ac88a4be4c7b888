# PlanGov: `make run` serves the app with demo data; `make test` runs the whole suite.
# `make screenshots` retakes the README screenshots; `make mutation` runs mutmut over services/
# (slow, not part of CI).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
TOOLS := .tools
BUN := $(TOOLS)/node_modules/.bin/bun
PORT ?= 3000
PYTEST_ARGS ?=
MUTATION_JOBS ?= 2

# Reflex must use the bun we install from the npm registry (its own download is offline here).
export REFLEX_USE_SYSTEM_BUN := 1
export PATH := $(CURDIR)/$(TOOLS)/node_modules/.bin:$(CURDIR)/$(BIN):$(PATH)

.PHONY: run test lint install install-dev chromium db demo clean screenshots mutation

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

$(BUN):
	npm install --prefix $(TOOLS) --no-audit --no-fund --loglevel=error bun
	$(BUN) --version

install: $(VENV)/.installed $(BUN)

install-dev: $(VENV)/.installed-dev $(BUN) chromium

chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -q && apt-get install -y -q chromium; \
	  else echo "Debian's chromium is needed for browser tests: sudo apt-get install chromium" >&2; exit 1; fi; }

db: install
	$(BIN)/plangov db upgrade

demo: db
	$(BIN)/plangov demo seed
	$(BIN)/plangov outbox relay

run: demo
	$(BIN)/reflex run --env prod --single-port --frontend-port $(PORT) --backend-port $(PORT)

test: install-dev
	$(BIN)/pytest $(PYTEST_ARGS)

# The browser tests on SQLite, copying their screenshots into docs/screenshots.
screenshots: install-dev
	PLANGOV_UPDATE_SCREENSHOTS=1 $(BIN)/pytest tests/browser -m "browser and not postgres" $(PYTEST_ARGS)

# Mutation testing of plangov_app/services with mutmut ([tool.mutmut] in pyproject.toml);
# MODULE=audit (rbac, status, comments, versions, diffing) runs one module with the tests aimed
# at it, in a scratch worktree (scripts/mutation.py).
MODULE ?=
mutation: install-dev
ifeq ($(MODULE),)
	$(BIN)/mutmut run --max-children $(MUTATION_JOBS)
	$(BIN)/mutmut results
else
	$(BIN)/python scripts/mutation.py $(MODULE) --jobs $(MUTATION_JOBS)
endif

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf .web .states $(VENV) $(TOOLS) plangov.db* mutants .artifacts
