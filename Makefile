# The two commands of the README: `make run` (the app on the embedded default, with demo data) and
# `make test` (the whole suite; PostgreSQL and Redis by default, `make test DATABASE_URL= REDIS_URL=` for SQLite).
PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin
DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/hailong
REDIS_URL ?= redis://127.0.0.1:6379/1
PYTEST_ARGS ?=

.PHONY: run test venv dev-venv messages lint serve

$(BIN)/activate: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -r requirements.txt
	touch $(BIN)/activate

$(VENV)/.dev: requirements-dev.txt $(BIN)/activate
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $(VENV)/.dev

venv: $(BIN)/activate
dev-venv: $(VENV)/.dev

messages: venv
	$(BIN)/python manage.py compilemessages --ignore=.venv -v 0

# Embedded default: no DATABASE_URL, no REDIS_URL (SQLite, eager Celery).
run: venv messages
	env -u DATABASE_URL -u REDIS_URL $(BIN)/python manage.py migrate --no-input -v 0
	env -u DATABASE_URL -u REDIS_URL $(BIN)/python manage.py load_demo --ratings 5000
	env -u DATABASE_URL -u REDIS_URL $(BIN)/python manage.py runserver 127.0.0.1:8000

# Without a reachable PostgreSQL or Redis the suite runs on the embedded default (one line says so), unless
# HL_REQUIRE_SERVICES=1 (CI), where an unreachable server is an error.
test: dev-venv messages
	@if down="$$(bin/services-reachable "$(DATABASE_URL)" "$(REDIS_URL)")"; then \
	  DATABASE_URL="$(DATABASE_URL)" REDIS_URL="$(REDIS_URL)" $(BIN)/pytest $(PYTEST_ARGS); \
	elif [ "$${HL_REQUIRE_SERVICES:-0}" = 1 ]; then \
	  echo "make test: $$down; start them (README) or run make test DATABASE_URL= REDIS_URL=" >&2; exit 1; \
	else \
	  echo "make test: $$down: running on the embedded default (SQLite, eager Celery) instead"; \
	  env -u DATABASE_URL -u REDIS_URL $(BIN)/pytest $(PYTEST_ARGS); \
	fi

# Production mode on PostgreSQL + Redis: collectstatic, migrate, gunicorn, a Celery worker and beat (bin/serve).
# Needs DJANGO_SECRET_KEY and DJANGO_ALLOWED_HOSTS in the environment; see docs/deployment.md.
serve: venv messages
	DATABASE_URL="$(DATABASE_URL)" REDIS_URL="$(REDIS_URL)" PYTHON=$(BIN)/python bin/serve

lint: dev-venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
