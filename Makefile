# Sprachmittlerpool: `make run` serves the demo pool, `make test` runs the suite. `make` lists all targets.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app sprachmittlerpool
STAMP := $(VENV)/.installed
PG_TEST_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
# Test processes (pytest-xdist): one per core; each gets its own SQLite files or PostgreSQL database.
TEST_WORKERS ?= auto

.DEFAULT_GOAL := help
.PHONY: help install run test test-sqlite test-postgres bench lint fmt clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP) ## Create .venv and install the pinned dependencies

run: $(STAMP) ## Migrate instance/ SQLite, seed the demo pool once, serve http://127.0.0.1:5000
	$(FLASK) db upgrade
	$(FLASK) seed-demo
	$(FLASK) serve

test: $(STAMP) ## Run the whole suite (in CI also on PostgreSQL)
	$(BIN)/pytest -n $(TEST_WORKERS)
	@if [ "$$CI" = "true" ]; then $(MAKE) --no-print-directory test-postgres; fi

# The pure engine and money tests touch no database, so the PostgreSQL pass leaves them out.
test-postgres: $(STAMP) ## Run the database tests again on the PostgreSQL server at $(PG_TEST_URL)
	SPRACHMITTLERPOOL_TEST_DATABASE_URL=$(PG_TEST_URL) $(BIN)/pytest -n $(TEST_WORKERS) -m "not e2e" \
		--ignore=tests/matching --ignore=tests/money --ignore=tests/test_pool_calendar.py tests

bench: $(STAMP) ## Print the benchmark figures (engine, money, web) and write them to instance/bench/
	$(BIN)/python -m tests.bench.bench_engine
	$(BIN)/python -m tests.bench.bench_money
	$(BIN)/python -m tests.bench.bench_web
	$(BIN)/python -m tests.bench.bench_pages --top 15

lint: $(STAMP) ## Check style with ruff
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

fmt: $(STAMP) ## Format the code with ruff
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean: ## Remove the virtualenv and caches (keeps instance/)
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis *.egg-info
