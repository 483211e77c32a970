# The README's two commands are `make demo` and `make test`; CI runs `make test` too.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# The PostgreSQL run of the suite; pytest-django creates and drops test_<name> itself.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/test
TEST_DATA_DIR := $(CURDIR)/data/test
PYTEST := $(BIN)/pytest -p xdist -n 2 -q

.PHONY: demo run test test-sqlite test-postgres lint messages browser-deps nginx-deps wrk-deps clean bench scaleout

# The demo's links follow the address it is served at, unless DJEMAA_PUBLIC_URL says otherwise.
demo: $(BIN)/djemaa
	DJEMAA_PUBLIC_URL="$${DJEMAA_PUBLIC_URL:-http://$(HOST):$(PORT)}" $(BIN)/djemaa demo --host $(HOST) --port $(PORT)

run: $(BIN)/djemaa
	$(BIN)/djemaa migrate
	$(BIN)/djemaa serve --host $(HOST) --port $(PORT)

$(BIN)/djemaa: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e .
	touch $@

$(VENV)/.test-deps: $(BIN)/djemaa
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $@

# Debian's Chromium drives the browser tests (Playwright must never download its own).
browser-deps:
	@command -v chromium >/dev/null || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && \
	  $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-core >/dev/null; }

# Debian's nginx, for the scale-out setup (deploy/scaleout.py), its tests and the benchmark.
nginx-deps:
	@PATH="$$PATH:/usr/sbin" command -v nginx >/dev/null || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && \
	  $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null; }

# Debian's wrk, the benchmark's load generator (its tests drive it too).
wrk-deps:
	@command -v wrk >/dev/null || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && \
	  $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }

test: $(VENV)/.test-deps browser-deps nginx-deps wrk-deps lint test-sqlite test-postgres

test-sqlite: $(VENV)/.test-deps
	rm -rf $(TEST_DATA_DIR) && mkdir -p $(TEST_DATA_DIR)
	@echo "== test suite on SQLite =="
	env -u DATABASE_URL DJEMAA_DATA_DIR=$(TEST_DATA_DIR) $(PYTEST)

test-postgres: $(VENV)/.test-deps
	@$(BIN)/python -c "import psycopg, sys; psycopg.connect(sys.argv[1], connect_timeout=5).close()" '$(TEST_DATABASE_URL)' \
	  || { echo "PostgreSQL is not reachable at $(TEST_DATABASE_URL): start it or set TEST_DATABASE_URL"; exit 1; }
	mkdir -p $(TEST_DATA_DIR)
	@echo "== test suite on PostgreSQL =="
	DATABASE_URL='$(TEST_DATABASE_URL)' DJEMAA_DATA_DIR=$(TEST_DATA_DIR) $(PYTEST)

lint: $(VENV)/.test-deps
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DJEMAA_DATA_DIR=$(TEST_DATA_DIR) $(BIN)/python -m django makemigrations --check --dry-run --settings=config.settings

# Djemaa under load next to the peer forums and the ceiling, into bench/RESULTS.md (bench/README.md).
# `make bench QUICK=1` is the smoke run; REBUILD=1 generates and loads the data again.
bench: $(BIN)/djemaa nginx-deps wrk-deps
	$(BIN)/python -m bench.run $(if $(filter-out 0,$(REBUILD)),--rebuild)

# nginx on HOST:PORT in front of PROCESSES `djemaa serve` processes (docs/scaleout.md); Ctrl+C stops.
PROCESSES ?= 2
scaleout: $(BIN)/djemaa nginx-deps
	$(BIN)/python -m deploy.scaleout --processes $(PROCESSES) --host $(HOST) --port $(PORT)

# Refresh the message catalogues from the code, then compile them (needs GNU gettext).
messages: $(BIN)/djemaa
	cd djemaa && DJEMAA_DATA_DIR=$(CURDIR)/data ../$(BIN)/python -m django makemessages --settings=config.settings -l fr -l ar -l en --no-obsolete
	cd djemaa && DJEMAA_DATA_DIR=$(CURDIR)/data ../$(BIN)/python -m django compilemessages --settings=config.settings

clean:
	rm -rf $(VENV) data test-artifacts *.egg-info
