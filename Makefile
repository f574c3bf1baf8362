# Headway: `make run` serves the demo, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# A stamp per dependency set, so editing pyproject.toml or constraints.txt reinstalls.
RUN_STAMP := $(VENV)/.run-installed
DEV_STAMP := $(VENV)/.dev-installed
PYTEST_ARGS ?=

.DEFAULT_GOAL := help
.PHONY: help run serve worker test test-fast test-postgres check lint format typecheck demo migrate lock clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(RUN_STAMP): $(BIN)/python pyproject.toml constraints.txt
	$(BIN)/pip install --quiet -c constraints.txt -e .
	@touch $@

$(DEV_STAMP): $(BIN)/python pyproject.toml constraints.txt
	$(BIN)/pip install --quiet -c constraints.txt -e ".[dev]"
	@touch $@ $(RUN_STAMP)

run: $(RUN_STAMP) ## Migrate, load the demo if empty, start a worker and serve on http://127.0.0.1:8000
	$(BIN)/headway run

serve: $(RUN_STAMP) ## Serve with gunicorn only (no worker, no migrate)
	$(BIN)/headway serve

worker: $(RUN_STAMP) ## Run one background task worker
	$(BIN)/headway worker

migrate: $(RUN_STAMP) ## Apply database migrations
	$(BIN)/headway migrate

demo: $(RUN_STAMP) ## Create or refresh the demo organisation
	$(BIN)/headway demo

test: $(DEV_STAMP) ## Run the whole suite (unit, API, worker, browser) on SQLite or HEADWAY_DATABASE_URL
	$(BIN)/pytest -n 2 --dist loadfile $(PYTEST_ARGS)

test-fast: $(DEV_STAMP) ## The suite without browser and worker tests
	$(BIN)/pytest -n 2 --dist loadfile -m "not browser and not worker" $(PYTEST_ARGS)

test-postgres: $(DEV_STAMP) ## The whole suite on the local PostgreSQL (test databases are created and dropped)
	HEADWAY_DATABASE_URL=postgres://postgres@127.0.0.1:5432/headway $(BIN)/pytest -n 2 --dist loadfile $(PYTEST_ARGS)

check: $(DEV_STAMP) ## Lint, format check, types, deploy checks, missing migrations
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy headway/lib headway/text headway/coach headway/insights/metrics headway/discovery/metrics headway/discovery/services_analysis.py headway/discovery/selectors_analysis.py headway/rollout/services.py headway/rollout/rules.py headway/rollout/cleaning.py headway/insights/selectors_adoption.py headway/insights/adoption_counts.py headway/goals/scoring.py headway/accounts/services.py headway/teams/services.py headway/goals/services headway/notify/slots.py headway/notify/chat.py headway/notify/services.py headway/notify/selectors.py headway/notify/jobs.py headway/notify/delivery.py headway/transfer/rows.py headway/transfer/cells.py headway/transfer/tables.py headway/transfer/spreadsheet.py headway/transfer/template.py headway/transfer/directory.py headway/transfer/validate.py headway/transfer/preview.py headway/transfer/write.py headway/transfer/services.py headway/transfer/selectors.py headway/transfer/backup.py headway/api/parser.py
	HEADWAY_ENV=production HEADWAY_SECRET_KEY=check-only-$$(head -c 32 /dev/urandom | base64 | tr -dc a-zA-Z0-9) \
	  HEADWAY_ALLOWED_HOSTS=headway.example.com $(BIN)/python manage.py check --deploy --fail-level WARNING
	$(BIN)/python manage.py makemigrations --check --dry-run

format: $(DEV_STAMP) ## Format and fix what ruff can
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

.PHONY: bench
SCALE ?= S
DB ?= sqlite
BENCH_ARGS ?=
bench: $(RUN_STAMP) ## Benchmark: SCALE=S|M|L DB=sqlite|postgres (generates the organisation if missing)
	$(BIN)/headway bench run --scale $(SCALE) --db $(DB) $(BENCH_ARGS)

.PHONY: crash
KILLS ?= 24
CRASH_DB = $(if $(filter postgres,$(DB)),HEADWAY_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres,HEADWAY_DATABASE_URL=)
crash: $(RUN_STAMP) ## Kill harness: KILLS SIGKILLs of gunicorn and the worker during check-ins and imports, DB=sqlite|postgres
	$(CRASH_DB) $(BIN)/python scripts/kill_harness.py --kills $(KILLS)

lock: $(BIN)/python ## Re-resolve the newest allowed versions into constraints.txt
	rm -rf .venv-lock && $(PYTHON) -m venv .venv-lock
	.venv-lock/bin/pip install --quiet -e ".[dev]"
	(echo '# Exact versions installed by `make` (pip install -c constraints.txt). Regenerate with `make lock`.'; \
	  .venv-lock/bin/pip freeze --exclude-editable) > constraints.txt
	rm -rf .venv-lock

clean: ## Remove the virtualenv and local data (database, secret key)
	rm -rf $(VENV) var

.PHONY: coach-train
coach-train: $(RUN_STAMP) ## Retrain the coach's outcome/output classifier; rewrites headway/coach/model/ and docs/coach-evaluation.md
	$(BIN)/python scripts/train_coach.py
