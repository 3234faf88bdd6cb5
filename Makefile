# sgreviews: two commands for a newcomer.
#   make run   set everything up and serve the demo on http://127.0.0.1:5000 (SQLite)
#   make test  the same set-up, then ruff, mypy and every test suite (SQLite, then PostgreSQL
#              when SGREVIEWS_TEST_DATABASE_URL is set)
#   make lock  regenerate requirements.lock after changing a dependency in pyproject.toml
# Every step is guarded by a stamp file so a second run does only what changed.
# Python packages install from requirements.lock (exact versions with their hashes), then
# the project itself with --no-deps; `make lint` fails when pyproject.toml names a
# dependency the lock lacks.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
LOCK := requirements.lock
BIN := $(VENV)/bin
PY_STAMP := $(VENV)/.installed
NPM_STAMP := node_modules/.installed
CSS := static/dist/app.css
SCSS := $(wildcard static/src/*.scss)
JS := $(wildcard static/src/*.js)

export FLASK_APP := sgreviews
# `make run` is a local demo; production sets SGREVIEWS_ENV itself and never uses make.
export SGREVIEWS_ENV ?= development
# The local environment the bare `.venv/bin/sgreviews` reads (git-ignored; see README).
LOCAL_ENV := .env

.PHONY: run test setup assets db lint typecheck test-sqlite test-postgresql test-other-pythons lock clean openapi

run: setup db
	@$(BIN)/sgreviews demo sign-ins
	$(BIN)/sgreviews run --host 127.0.0.1 --port 5000

test: setup lint typecheck test-sqlite test-postgresql

setup: $(PY_STAMP) assets $(LOCAL_ENV)

# Written once and never overwritten: development settings and a key of its own, so the
# README's commands work in this checkout without exporting anything.
$(LOCAL_ENV):
	@printf '%s\n' \
	  '# Written by make for this local checkout (git-ignored). Production never uses it.' \
	  'SGREVIEWS_ENV=development' \
	  "SECRET_KEY=$$($(PYTHON) -c 'import secrets; print(secrets.token_hex(32))')" > $@
	@echo "Wrote $@ (development settings and a generated SECRET_KEY)."

$(PY_STAMP): pyproject.toml $(LOCK)
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

# Every dependency of pyproject.toml (the runtime list and the dev extra), for Python 3.11
# to 3.13 on any platform, with hashes. Versions already in the lock are kept; only what
# changed is resolved again (add --upgrade to the command to move everything on).
lock:
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	test -x $(BIN)/uv || $(BIN)/python -m pip install --quiet uv
	$(BIN)/uv pip compile --quiet pyproject.toml --extra dev --generate-hashes --universal \
	  --python-version 3.11 --custom-compile-command "make lock" --output-file $(LOCK)
	$(BIN)/python tools/check_lock.py

$(NPM_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

assets: $(CSS) static/dist/.copied

$(CSS): $(NPM_STAMP) $(SCSS)
	mkdir -p static/dist
	npx --no-install sass --quiet --no-source-map --style=compressed \
	  --load-path=node_modules/govuk-frontend/dist static/src/app.scss $@
	@! grep -q "GDS Transport" $@ || (echo "GDS Transport font leaked into $@" && exit 1)

static/dist/.copied: $(NPM_STAMP) $(JS)
	mkdir -p static/dist
	cp node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js static/dist/
	rm -rf static/dist/assets && mkdir -p static/dist/assets
	cp -r node_modules/govuk-frontend/dist/govuk/assets/images static/dist/assets/images
	cp node_modules/govuk-frontend/dist/govuk/assets/manifest.json static/dist/assets/
	cp $(JS) static/dist/
	touch $@

db: $(PY_STAMP) $(LOCAL_ENV)
	$(BIN)/sgreviews db upgrade
	$(BIN)/sgreviews demo load --if-empty

# The API's OpenAPI document, checked in (a test fails when it differs from the served one).
openapi: $(PY_STAMP)
	$(BIN)/sgreviews api openapi -o docs/openapi.json

lint: $(PY_STAMP)
	$(BIN)/python tools/check_lock.py
	$(BIN)/ruff check sgreviews tests benchmarks tools
	$(BIN)/ruff format --check sgreviews tests benchmarks tools
	$(BIN)/lint-imports --no-cache

typecheck: $(PY_STAMP)
	$(BIN)/mypy

test-sqlite: setup
	env -u SGREVIEWS_TEST_DATABASE_URL $(BIN)/pytest -p no:cacheprovider $(PYTEST_ARGS)

test-postgresql: setup
	@if [ -n "$$SGREVIEWS_TEST_DATABASE_URL" ]; then \
	  $(BIN)/pytest -p no:cacheprovider $(PYTEST_ARGS); \
	else \
	  echo "SKIPPED the PostgreSQL leg: SGREVIEWS_TEST_DATABASE_URL is not set (CI sets it; see README)."; \
	fi

# The unit suite on each other supported Python found on this machine (3.12, 3.13), each in
# its own .venv-3.X from the same lock; a version that is not installed is skipped, saying so.
test-other-pythons: $(PY_STAMP)
	.ci/other-pythons

clean:
	rm -rf $(VENV) .venv-3.* node_modules static/dist .pytest_cache .mypy_cache .ruff_cache
