# tongzhan — two commands on a fresh machine: `make run` (demo at :8000) and `make test`.
#
# Every step is idempotent and leaves a stamp (or its real output) behind, so a second
# `make run` only migrates, refreshes the demo and serves. Stamps live next to what they
# describe: .venv/ (Python), node_modules/ and the vendor copy (npm), var/ (local state:
# keys, database, collected static files). Delete var/ to start from an empty demo.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
.DELETE_ON_ERROR:

PYTHON ?= python3
UV_VERSION := 0.13.9
VENV := .venv
BIN := $(VENV)/bin
UV := .tools/bin/uv
TZ_CMD := $(BIN)/tongzhan
VENDOR := tongzhan/static/vendor
VAR := var
STAMPS := $(VAR)/.make
DEBIAN_PACKAGES := chromium fonts-wqy-microhei gettext libpango-1.0-0 libpangoft2-1.0-0 poppler-utils
HOST ?= 127.0.0.1
PORT ?= 8000

# The test suite's PostgreSQL: the server's `test` database is only the entry point;
# pytest-django creates (and drops) $(PG_TEST_DB) next to it.
PG_TEST_URL ?= postgres://postgres@127.0.0.1:5432/test
PG_TEST_DB ?= $(or $(TONGZHAN_TEST_DB_NAME),test_tongzhan)
# Tests run with production settings, over plain HTTP on the test client.
TEST_ENV := TONGZHAN_INSECURE_HTTP=1 TONGZHAN_DEBUG=0 TONGZHAN_DEMO=0
PYTEST := $(BIN)/pytest -q -rfEs
DEMO_ENV := TONGZHAN_DEMO=1 TONGZHAN_DEBUG=0
# Collected with the production storage (hashed names + manifest), which tests and demo use.
STATIC_ENV := TONGZHAN_DEBUG=0

PO_FILES := $(wildcard tongzhan/locale/*/LC_MESSAGES/*.po tongzhan/*/locale/*/LC_MESSAGES/*.po)
OWN_STATIC := $(shell find tongzhan -path $(VENDOR) -prune -o -path '*/static/*' -type f -print 2>/dev/null)

.PHONY: help install system-deps python-deps assets keys messages static migrate demo run \
        test test-sqlite test-postgres pg-clean-test-db lint format check-deploy clean

help:
	@echo "make run     install everything, migrate, load the demo, serve http://$(HOST):$(PORT)"
	@echo "make test    lint, then the whole suite on SQLite and on PostgreSQL ($(PG_TEST_URL))"
	@echo "make lint    ruff check + ruff format --check"
	@echo "make install Debian packages, uv, Python and npm dependencies, keys, messages, static"

# --- installation -------------------------------------------------------------
system-deps:
	@missing=""; \
	for p in $(DEBIAN_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	$(PYTHON) -c 'import ensurepip' 2>/dev/null || missing="$$missing python3-venv"; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq; \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing; \
	fi
	@command -v npm >/dev/null || { echo "npm is missing: install Node.js 20 and npm" >&2; exit 1; }
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
	  || { echo "$(PYTHON) is older than 3.11: set PYTHON=python3.11" >&2; exit 1; }

# uv itself lives in .tools so that nothing is installed outside the checkout.
$(UV):
	$(PYTHON) -m venv .tools
	.tools/bin/pip install -q --disable-pip-version-check "uv==$(UV_VERSION)"

$(BIN)/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen
	touch $@

python-deps: $(BIN)/.synced

# npm ci writes node_modules/.package-lock.json; touch it so make sees it as new.
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(VENDOR)/.copied: node_modules/.package-lock.json
	mkdir -p $(VENDOR)/tabler $(VENDOR)/echarts
	cp node_modules/@tabler/core/dist/css/tabler.min.css* $(VENDOR)/tabler/
	cp node_modules/@tabler/core/dist/js/tabler.min.js* $(VENDOR)/tabler/
	cp node_modules/echarts/dist/echarts.min.js $(VENDOR)/echarts/
	touch $@

assets: $(VENDOR)/.copied

# Never overwrites an existing key file (a new field key would make encrypted data unreadable).
keys: python-deps
	$(TZ_CMD) makekeys

# What `compilemessages` does (msgfmt --check-format), without needing settings or keys.
%.mo: %.po
	msgfmt --check-format -o $@ $<

messages: $(PO_FILES:.po=.mo)

$(STAMPS)/static: $(VENDOR)/.copied $(OWN_STATIC) $(BIN)/.synced | keys
	@mkdir -p $(STAMPS)
	$(STATIC_ENV) $(TZ_CMD) collectstatic --noinput -v0
	touch $@

static: $(STAMPS)/static

install: system-deps python-deps assets keys messages static

# --- the demo -------------------------------------------------------------------
migrate: install
	$(DEMO_ENV) $(TZ_CMD) migrate -v0

# `tongzhan demo` is idempotent and prints the demo accounts, so they are the last
# thing on the screen before the server's banner.
demo: migrate
	$(DEMO_ENV) $(TZ_CMD) demo

# --nostatic: WhiteNoise serves the collected (hashed, compressed) files, as in production;
# runserver's own static handler only knows the unhashed source names.
# The worker runs the background jobs (ledger imports) and stops with the server.
run: demo
	@echo "serving http://$(HOST):$(PORT)/  (Ctrl-C stops)"
	$(DEMO_ENV) $(TZ_CMD) worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null || true' EXIT; \
	$(DEMO_ENV) $(TZ_CMD) runserver $(HOST):$(PORT) --nostatic

# --- quality --------------------------------------------------------------------
lint: python-deps
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: python-deps
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

test: install lint test-sqlite test-postgres

# pytest exits 5 when it collects nothing; make treats that as the failure it is.
test-sqlite: install
	$(TEST_ENV) DATABASE_URL= $(PYTEST)

test-postgres: install pg-clean-test-db
	$(TEST_ENV) DATABASE_URL=$(PG_TEST_URL) TONGZHAN_TEST_DB_NAME=$(PG_TEST_DB) \
	  $(PYTEST) --create-db

# A test database left behind by an interrupted run (with sessions still attached)
# would stop pytest-django from recreating it: drop it first, closing those sessions.
pg-clean-test-db: python-deps
	@PG_TEST_URL='$(PG_TEST_URL)' PG_TEST_DB='$(PG_TEST_DB)' $(BIN)/python -c '\
	import os, psycopg; from psycopg import sql; \
	conn = psycopg.connect(os.environ["PG_TEST_URL"], autocommit=True, connect_timeout=10); \
	conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(os.environ["PG_TEST_DB"])))'

check-deploy: install
	$(TZ_CMD) check --deploy

clean:
	rm -rf $(STAMPS) $(VAR)/static $(VENDOR) $(BIN)/.synced
