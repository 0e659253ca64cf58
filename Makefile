# massline — everything a fresh machine needs is installed from here (and apt steps in scripts/).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
UV_VERSION := 0.13.9

.PHONY: install test demo bench lint lock screenshots browser clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: $(BIN)/activate pyproject.toml constraints.txt
	$(BIN)/pip install -q "uv==$(UV_VERSION)"
	$(BIN)/uv pip install -q --python $(PY) -c constraints.txt -e ".[dev]"
	touch $@

install: $(VENV)/.installed

browser:
	bash scripts/ensure-chromium.sh

test: install browser
	$(BIN)/pytest

demo: install
	$(BIN)/massline demo

bench: install
	$(PY) benchmarks/run.py
	$(PY) benchmarks/readme_table.py

lint: install
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy

lock: $(BIN)/activate
	$(BIN)/pip install -q "uv==$(UV_VERSION)"
	$(BIN)/uv pip compile pyproject.toml --extra dev --python-version 3.11 -o constraints.txt

screenshots: install browser
	$(BIN)/massline screenshots --output docs/screenshots

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
