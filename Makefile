# Quick start: `make demo` and `make test`.  Everything runs from .venv,
# which the first target that needs it creates.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo festival test test-min lint typecheck pytest bench screenshot sysdeps venv clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP)

sysdeps:
	@bash scripts/system-deps.sh

demo: $(STAMP) sysdeps
	$(BIN)/python -m visualizer.demo

test: $(STAMP) sysdeps lint typecheck pytest

lint: $(STAMP)
	$(BIN)/ruff check .

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP) sysdeps
	$(BIN)/pytest

# The suite against the lowest version of every dependency pyproject allows
# (uv's lowest-direct resolution, in a venv of its own): proves the lower bounds.
MIN_VENV := .venv-min

test-min: sysdeps
	rm -rf $(MIN_VENV)
	$(PYTHON) -m venv $(MIN_VENV)
	$(MIN_VENV)/bin/pip install --quiet --disable-pip-version-check uv
	$(MIN_VENV)/bin/uv pip install --python $(MIN_VENV)/bin/python --resolution lowest-direct -e '.[dev]'
	$(MIN_VENV)/bin/uv pip list --python $(MIN_VENV)/bin/python
	$(MIN_VENV)/bin/pytest -p no:cacheprovider

# The render benchmark needs a display: use a virtual one when there is none.
XRUN := $(if $(DISPLAY),,xvfb-run -a -s "-screen 0 1600x1000x24")

bench: $(STAMP) sysdeps
	$(XRUN) $(BIN)/python -m bench --markdown out/bench.md

screenshot: $(STAMP) sysdeps
	$(BIN)/python -m visualizer.demo --screenshot docs/screenshot.png
	$(BIN)/python -m visualizer.demo --show examples/festival.json --screenshot docs/festival.png

festival: $(STAMP) sysdeps
	$(BIN)/python -m visualizer.demo --show examples/festival.json

clean:
	rm -rf $(VENV) $(MIN_VENV) out .pytest_cache .mypy_cache .ruff_cache
