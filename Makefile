# The two Quick start commands: `make run` and `make test`. Both create .venv on first use.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8080

VENDOR  = src/clusterkg/web/static/vendor/VERSION

.PHONY: run test install install-test validate lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

# The query page's editor, from npm with the lockfile (setup.py's build step runs the same).
$(VENDOR): package.json package-lock.json frontend/build.mjs
	npm ci --no-audit --no-fund
	npm run build

$(VENV)/.installed: pyproject.toml $(VENDOR) | $(BIN)/python
	$(BIN)/python -m pip install -q -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENDOR) | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

validate: install
	$(BIN)/clusterkg validate

run: install
	$(BIN)/clusterkg validate
	$(BIN)/clusterkg run --host $(HOST) --port $(PORT)

test: install-test
	$(BIN)/python -m pytest

lint: install-test
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests
	$(BIN)/mypy

bench: install-test
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) .pytest_cache node_modules src/clusterkg/web/static/vendor
