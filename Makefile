# The README's two commands are `make run` and `make test`; both set up everything they need.
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test test-fast lint fix serve setup system-deps

setup: $(STAMP)

# torch first, pinned: the CPU wheel; an unpinned torch would pull a CUDA build of several GB.
$(STAMP): setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

system-deps:
	bash scripts/system-deps.sh virtuoso-opensource-7 chromium raptor2-utils

run: $(STAMP)
	$(BIN)/zamena ingest corpora/
	$(BIN)/zamena stats
	$(BIN)/zamena sparql -f examples/centre-members.rq
	$(BIN)/zamena serve

test: $(STAMP) system-deps
	$(BIN)/pytest

test-fast: $(STAMP)
	$(BIN)/pytest -m "not slow"

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

fix: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .
