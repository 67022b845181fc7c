# tongzhan — two commands on a fresh machine: `make run` (demo at :8000) and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
UV := .tools/bin/uv
TZ_CMD := $(BIN)/tongzhan
VENDOR := tongzhan/static/vendor
DEBIAN_PACKAGES := chromium fonts-wqy-microhei gettext
PG_TEST_URL ?= postgres://postgres@127.0.0.1:5432/test
# Tests run with production settings, over plain HTTP on the test client.
TEST_ENV := TONGZHAN_INSECURE_HTTP=1 TONGZHAN_DEBUG=0

.PHONY: help install system-deps python-deps assets messages keys static migrate demo run test test-sqlite test-postgres lint

help:
	@echo "make run    install everything, migrate, load the demo, serve http://127.0.0.1:8000"
	@echo "make test   the whole suite on SQLite and on PostgreSQL"

system-deps:
	@missing=""; for p in $(DEBIAN_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

$(UV):
	$(PYTHON) -m venv .tools && .tools/bin/pip install -q "uv==0.13.9"

python-deps: $(UV)
	$(UV) sync --frozen --quiet

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

assets: node_modules/.package-lock.json
	@mkdir -p $(VENDOR)/tabler $(VENDOR)/echarts
	cp node_modules/@tabler/core/dist/css/tabler.min.css* node_modules/@tabler/core/dist/js/tabler.min.js* $(VENDOR)/tabler/
	cp node_modules/echarts/dist/echarts.min.js $(VENDOR)/echarts/

keys: python-deps
	$(TZ_CMD) makekeys

messages: python-deps keys
	$(TZ_CMD) compilemessages -v0 --ignore=.venv

static: assets keys
	$(TZ_CMD) collectstatic --noinput -v0

install: system-deps python-deps assets keys messages static

migrate: install
	$(TZ_CMD) migrate -v0

demo: migrate
	TONGZHAN_DEMO=1 $(TZ_CMD) demo

run: demo
	TONGZHAN_DEMO=1 $(TZ_CMD) runserver 127.0.0.1:8000 --insecure

test: install test-sqlite test-postgres

test-sqlite:
	$(TEST_ENV) $(BIN)/pytest -q -p no:randomly

test-postgres:
	$(TEST_ENV) DATABASE_URL=$(PG_TEST_URL) $(BIN)/pytest -q -p no:randomly

lint: python-deps
	$(BIN)/ruff check . && $(BIN)/ruff format --check .
