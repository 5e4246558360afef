# Voronka: `make run` serves the demo company; `make test` runs every check.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Some sdists (xstatic-bootstrap) still need setuptools' pkg_resources to build.
PIP := PIP_CONSTRAINT=$(CURDIR)/.pip-build-constraints.txt PIP_BUILD_CONSTRAINT=$(CURDIR)/.pip-build-constraints.txt PIP_DISABLE_PIP_VERSION_CHECK=1 $(BIN)/pip
HOST ?= 127.0.0.1
PORT ?= 8000
PG_URL ?= $(or $(TEST_DATABASE_URL),postgres://postgres@127.0.0.1:5432/postgres)
PYTEST_WORKERS ?= 2

.PHONY: run test install install-dev lint typecheck imports migrations-check deploy-check \
        test-sqlite test-postgres messages clean

$(BIN)/python:
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is required"'
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(PIP) install -q --upgrade "pip>=23"
	$(PIP) install -q -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml $(VENV)/.installed
	$(PIP) install -q -e ".[dev]"
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

run: install
	$(BIN)/voronka migrate --noinput -v 0
	$(BIN)/voronka demo
	@echo "Serving http://$(HOST):$(PORT)/ with a background worker. Ctrl-C stops both."
	$(BIN)/voronka run $(HOST):$(PORT)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/bandit -q -r voronka config -lll -x '*/tests/*'
	$(BIN)/python scripts/lint_rules.py

typecheck: install-dev
	$(BIN)/mypy voronka config

imports: install-dev
	$(BIN)/lint-imports

migrations-check: install-dev
	DJANGO_SETTINGS_MODULE=config.settings.test $(BIN)/python manage.py makemigrations --check --dry-run

deploy-check: install-dev
	DJANGO_SETTINGS_MODULE=config.settings.production SECRET_KEY=check-deploy-$$(date +%s)-not-a-real-secret-key-0123456789abcdef \
	  ALLOWED_HOSTS=voronka.example.com $(BIN)/python manage.py check --deploy --fail-level WARNING

messages: install-dev
	$(BIN)/python scripts/check_messages.py

test-sqlite: install-dev
	$(BIN)/pytest -n $(PYTEST_WORKERS)

test-postgres: install-dev
	@if [ -n "$(TEST_DATABASE_URL)" ] || $(BIN)/python scripts/pg_available.py; then \
	  echo "== PostgreSQL: $(PG_URL)"; \
	  DATABASE_URL=$(PG_URL) $(BIN)/pytest -n $(PYTEST_WORKERS); \
	else echo "== PostgreSQL: no server on 127.0.0.1:5432 and TEST_DATABASE_URL unset; skipped"; fi

test: lint typecheck imports migrations-check deploy-check messages test-sqlite test-postgres

clean:
	rm -rf $(VENV) var/test*.sqlite3
