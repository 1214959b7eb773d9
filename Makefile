# Pasar: `make run` starts the marketplace with demo data; `make test` runs every check.
# Both set up the virtual environment themselves on a fresh machine (Python 3.11+ and make).

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.DEFAULT_GOAL := help
.PHONY: help install run test lint typecheck imports pytest format demo bench stress clean

help:
	@echo "make run   - set up, seed demo data (first time) and start Pasar on SQLite"
	@echo "make test  - set up and run lint, types, module boundaries and the test suite"
	@echo "make bench - benchmarks against PostgreSQL (PASAR_BENCH_DATABASE_URL); see docs/benchmarks.md"
	@echo "make stress - the heavy variants: long API fuzzing, crash and restart under load"

$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Pasar needs Python 3.11 or newer")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/pasar migrate
	$(BIN)/pasar demo --if-empty
	$(BIN)/pasar serve

demo: $(STAMP)
	$(BIN)/pasar migrate
	$(BIN)/pasar demo

test: lint typecheck imports pytest

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: $(STAMP)
	$(BIN)/mypy
	$(BIN)/mypy bench

imports: $(STAMP)
	$(BIN)/lint-imports

pytest: $(STAMP)
	$(BIN)/pytest -n auto --dist worksteal

format: $(STAMP)
	$(BIN)/ruff format src tests bench
	$(BIN)/ruff check --fix src tests bench

bench: $(STAMP)
	$(BIN)/python -m bench

# FUZZ_EXAMPLES: schemathesis examples per operation (make test runs 4, without the coverage phase).
FUZZ_EXAMPLES ?= 200
stress: $(STAMP)
	PASAR_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/pytest tests/api/test_fuzz_openapi.py -q
	$(BIN)/python -m bench.stress

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .import_linter_cache
