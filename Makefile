# Two commands: `make run` starts the whole site on this machine; `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
HOST ?= 127.0.0.1

.PHONY: run test lint install migrate seed clean bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Reinstall only when requirements.txt changes.
$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

install: $(VENV)/.installed

migrate: install
	$(BIN)/python manage.py migrate --no-input

# SITE_URL as `make run` serves it: the demo's emails link to this site.
seed: migrate
	SITE_URL=http://$(HOST):$(PORT) $(BIN)/python manage.py seed_demo

# The web server, a Celery worker and beat together (Procfile), on SQLite and a
# broker on the local disk unless DATABASE_URL and CELERY_BROKER_URL say otherwise.
# DEBUG is off, so the demo shows the service's own error pages (a 404 is "Page not found", not
# Django's debug page); the static files are collected for WhiteNoise to serve. `DEBUG=true make run`
# brings the debug pages back for development.
DEBUG ?= false
run: seed
	DEBUG=$(DEBUG) $(BIN)/python manage.py collectstatic --no-input --verbosity 0
	@echo ""
	@echo "  Open http://$(HOST):$(PORT)/ and sign in with one of the accounts above."
	@echo "  Emails the site sends are printed here (console email backend). Stop with Ctrl+C."
	@echo ""
	DEBUG=$(DEBUG) PORT=$(PORT) HOST=$(HOST) SITE_URL=http://$(HOST):$(PORT) $(BIN)/honcho start -f Procfile.dev

# ruff with the project's line length (pyproject.toml): lint and format are checked before the tests.
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: lint
	bash scripts/install_system_packages.sh
	$(BIN)/pytest

# Benchmarks on PostgreSQL with the large partnership (see bench/run.py); results in bench/results/.
# Options through BENCH_ARGS, e.g. every page built afresh: make bench BENCH_ARGS="--page-cache-seconds 0"
BENCH_ARGS ?=
bench: install
	$(BIN)/python -m bench.run $(BENCH_ARGS)

clean:
	rm -rf var/db.sqlite3* var/celery var/media var/mail var/cache
