# Quick start: `make demo` and `make test`.  Everything runs from .venv,
# which the first target that needs it creates.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test lint typecheck pytest bench screenshot sysdeps venv clean

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

# The render benchmark needs a display: use a virtual one when there is none.
XRUN := $(if $(DISPLAY),,xvfb-run -a -s "-screen 0 1600x1000x24")

bench: $(STAMP) sysdeps
	$(XRUN) $(BIN)/python -m bench --markdown out/bench.md

screenshot: $(STAMP) sysdeps
	$(BIN)/python -m visualizer.demo --screenshot docs/screenshot.png

clean:
	rm -rf $(VENV) out .pytest_cache .mypy_cache .ruff_cache
