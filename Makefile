# Linkage: every target bootstraps .venv on first use (a fresh clone needs only `make run`).

PYTHON ?= python3
VENV = .venv
BIN = $(VENV)/bin
PYTEST_ARGS ?=
TEST_DATABASE_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
HOST ?= 127.0.0.1
LOADTEST_SECONDS ?= 60
PORT ?= 5000

export PIP_DISABLE_PIP_VERSION_CHECK = 1

.DEFAULT_GOAL := help

.PHONY: help install translations extract-translations run test ci lint format bench bench-writes loadtest clean

help: ## List the targets
	@echo "Linkage make targets:"
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | \
		awk 'BEGIN {FS = ":.*## "} {printf "  make %-22s %s\n", $$1, $$2}'

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

install: $(VENV)/.installed ## Create .venv and install the app with its dev tools

# Only when catalogs exist: pybabel compile fails on a folder that holds no .po file yet.
translations: install ## Compile the message catalogs (.po -> .mo)
	if [ -d linkage/translations ] && ls linkage/translations/*/LC_MESSAGES/*.po >/dev/null 2>&1; \
	then $(BIN)/pybabel -q compile -d linkage/translations -f; fi

# --ignore-dirs '.*': skip dot-folders (.venv, .git) only; Babel's default also skips
# folders starting with "_", which would leave out templates/_macros.
extract-translations: install ## Extract messages and update the .po catalogs
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --ignore-dirs '.*' \
		-o linkage/translations/messages.pot .
	$(BIN)/pybabel update -i linkage/translations/messages.pot -d linkage/translations --no-fuzzy-matching

run: install translations ## Migrate, seed the demo once, serve on http://127.0.0.1:5000
	$(BIN)/flask --app linkage db upgrade
	$(BIN)/flask --app linkage seed demo --if-empty
	$(BIN)/flask --app linkage impact refresh
	$(BIN)/flask --app linkage run --host $(HOST) --port $(PORT)

test: install translations ## Run the test suite on SQLite (PYTEST_ARGS=... to pass options)
	$(BIN)/pytest -q -n 2 $(PYTEST_ARGS)

# CI runs the suite twice, with the browser, PostgreSQL and Redis required (absence is a failure;
# the Redis tests count login failures in a server on 127.0.0.1:6379, see TEST_REDIS_URL):
#  1. on SQLite with LINKAGE_REQUIRE_BROWSER=1 and -m "not postgres": tests marked `postgres`
#     need PostgreSQL and would fail on SQLite when it is required, so this pass leaves them out;
#  2. on PostgreSQL (TEST_DATABASE_URL, default postgresql+psycopg://postgres@127.0.0.1:5432/test)
#     with LINKAGE_REQUIRE_POSTGRES=1 LINKAGE_REQUIRE_BROWSER=1: the whole suite;
#  then a 10-second load test (bench/loadtest) that fails on any error or an oversold listing.
ci: install translations ## The suite on SQLite, then on PostgreSQL, browser, PostgreSQL and Redis required
	@echo "== pass 1/2: SQLite (browser and Redis required, PostgreSQL-only tests left out) =="
	env -u TEST_DATABASE_URL LINKAGE_REQUIRE_BROWSER=1 LINKAGE_REQUIRE_REDIS=1 \
		$(BIN)/pytest -q -n 2 -m "not postgres" $(PYTEST_ARGS)
	@echo "== pass 2/2: PostgreSQL (PostgreSQL, browser and Redis required, whole suite) =="
	TEST_DATABASE_URL='$(TEST_DATABASE_URL)' LINKAGE_REQUIRE_POSTGRES=1 LINKAGE_REQUIRE_BROWSER=1 \
		LINKAGE_REQUIRE_REDIS=1 $(BIN)/pytest -q -n 2 $(PYTEST_ARGS)
	@echo "== load test, short: gunicorn + PostgreSQL + Redis, 10 s (no errors, no oversell) =="
	$(BIN)/python -m bench.loadtest --seconds 10

lint: install ## ruff check and ruff format --check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install ## ruff format, then ruff check --fix
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: install translations ## Province-scale benchmark (BENCH_SCALE=0.05 for a quick run)
	$(BIN)/python -m bench

bench-writes: install translations ## What the aggregates cost a delivery and a paid order
	$(BIN)/python -m bench.writes

# Needs PostgreSQL (LOADTEST_DATABASE_URL, a database it creates and drops) and Redis.
loadtest: install translations ## gunicorn (4 workers) + PostgreSQL + Redis, 16 clients for 60 s
	$(BIN)/python -m bench.loadtest --seconds $(LOADTEST_SECONDS)

clean: ## Remove caches (keeps .venv and instance/)
	find . -path ./$(VENV) -prune -o -type d -name __pycache__ -exec rm -rf {} +
	rm -rf .pytest_cache .ruff_cache .hypothesis .coverage htmlcov
