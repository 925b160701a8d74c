# Aftercare: `make run` serves the app with demo data, `make test` runs the whole suite.
# Both set everything up first (virtual environment, packages, translations), so a fresh clone works.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
FLASK  := $(BIN)/python -m flask --app app
STAMP  := $(VENV)/.installed-stamp
HOST   ?= 127.0.0.1
PORT   ?= 5000
LMTP_PORT ?= 2525

.PHONY: setup run serve test test-sqlite test-postgres lint format translations extract-messages bench db-revision clean

setup: $(STAMP) translations

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $(STAMP)

translations: $(STAMP)
	$(BIN)/pybabel compile -f -d translations >/dev/null

run: setup
	$(FLASK) db upgrade
	$(FLASK) demo seed --if-empty
	@echo "Aftercare: http://$(HOST):$(PORT)/, mail in by LMTP at $(HOST):$(LMTP_PORT)  (Ctrl-C stops the web server, the job runner and the LMTP receiver)"
	@bash -c 'trap "kill 0" EXIT; $(FLASK) jobs run & $(FLASK) mail lmtp --host $(HOST) --port $(LMTP_PORT) & $(FLASK) run --host $(HOST) --port $(PORT)'

# Several web workers on PostgreSQL (README, "Deployment (several machines)"): run it on every machine with
# the same DATABASE_URL and AFTERCARE_SECRET_KEY. One `jobs run` runs the jobs, the others stand by.
WORKERS ?= 4

serve: setup
	@test -n "$$DATABASE_URL" || { echo "make serve needs DATABASE_URL, e.g. postgresql://aftercare@db.internal/aftercare"; exit 2; }
	@test -n "$$AFTERCARE_SECRET_KEY" || echo "warning: AFTERCARE_SECRET_KEY is not set: each machine would sign sessions with its own key"
	$(FLASK) db upgrade
	@echo "Aftercare: gunicorn with $(WORKERS) workers at http://$(HOST):$(PORT)/, mail in by LMTP at $(HOST):$(LMTP_PORT), jobs by one runner per deployment"
	@bash -c 'trap "kill 0" EXIT; $(FLASK) jobs run & $(FLASK) mail lmtp --host $(HOST) --port $(LMTP_PORT) & $(BIN)/python -m gunicorn -c gunicorn.conf.py --bind $(HOST):$(PORT) --workers $(WORKERS)'

test: setup lint test-sqlite test-postgres

test-sqlite:
	$(BIN)/python -m pytest

# The same suite against PostgreSQL whenever TEST_DATABASE_URL is set (always in CI).
test-postgres:
	@if [ -n "$$TEST_DATABASE_URL" ]; then $(BIN)/python -m pytest --db=postgres -m "not e2e"; \
	else echo "TEST_DATABASE_URL not set: PostgreSQL run skipped"; fi

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

extract-messages: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --ignore-dirs=".venv tests migrations" -o translations/messages.pot . >/dev/null
	$(BIN)/pybabel update -N --ignore-obsolete -d translations -i translations/messages.pot >/dev/null

# `make bench ARGS=--full` for the sizes the targets are stated for; ARGS="--pg-url URL" for another database.
bench: setup
	$(BIN)/python -m bench $(ARGS)

db-revision: setup
	$(FLASK) db migrate -m "$(m)"

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache
