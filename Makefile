# Bright Line — the two commands a newcomer needs are `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
export BRIGHTLINE_DATA_DIR ?= $(CURDIR)/var

.PHONY: run test test-fast test-stress lint lock bench install install-demo install-dev clean

# Every package comes from a lock file, pinned with its hashes: the versions the suite was run with, never
# newer ones a fresh resolve would pick. `make lock` rewrites them from pyproject.toml, one version of
# each package in all three.
# The product, what a district installs (make install):
LOCK := requirements.lock
# The product and the demo district, the `demo` extra (make run):
DEMO_LOCK := requirements-demo.lock
# The product and every extra, to test, lint and benchmark it (make test, make lint, make bench):
DEV_LOCK := requirements-dev.lock

# setup.py builds the one compiled part, the ledger verifier's batch check (src/brightline/ledger/_speedups.c).
$(BIN)/brightline: pyproject.toml setup.py src/brightline/ledger/_speedups.c $(LOCK)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet --require-hashes -r $(LOCK)
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

# The extras' packages, on top of the product's.
$(VENV)/.installed-demo: $(BIN)/brightline $(DEMO_LOCK)
	$(BIN)/pip install --quiet --require-hashes -r $(DEMO_LOCK)
	touch $@

$(VENV)/.installed-dev: $(BIN)/brightline $(DEV_LOCK)
	$(BIN)/pip install --quiet --require-hashes -r $(DEV_LOCK)
	touch $@

# Front-end packages come from the npm registry (package-lock.json) and are copied into a gitignored
# static folder: nothing is fetched from a CDN at run time and no third-party asset is committed.
VENDOR := src/brightline/web/static/vendor
ASSETS_STAMP := node_modules/.brightline-vendored

$(ASSETS_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	rm -rf $(VENDOR)
	mkdir -p $(VENDOR)/uswds $(VENDOR)/htmx $(VENDOR)/noble
	cp -R node_modules/@uswds/uswds/dist/css node_modules/@uswds/uswds/dist/js node_modules/@uswds/uswds/dist/fonts node_modules/@uswds/uswds/dist/img $(VENDOR)/uswds/
	cp node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/htmx/
	cp node_modules/@noble/ed25519/index.js $(VENDOR)/noble/ed25519.js
	touch $@

# The product alone: it installs and runs without the demo (`brightline check` passes).
install: $(BIN)/brightline $(ASSETS_STAMP)

install-demo: install $(VENV)/.installed-demo

install-dev: install $(VENV)/.installed-dev

# The demo keeps mail on the machine: notices are written to $(BRIGHTLINE_DATA_DIR)/outbox.
run: export BRIGHTLINE_EMAIL_BACKEND ?= file
# The demo city's missing-persons unit, alerted when records of a student flagged missing are asked for.
run: export BRIGHTLINE_MISSING_PERSONS_CONTACT ?= Missing Persons Unit <missing-persons@police.brightline.example>
run: install-demo
	$(BIN)/brightline migrate --no-input
	@if [ ! -f "$(BRIGHTLINE_DATA_DIR)/demo-credentials.json" ]; then $(BIN)/brightline demo; fi
	$(BIN)/brightline collectstatic --no-input --verbosity 0
	@echo
	@echo "Bright Line is starting at http://127.0.0.1:$(PORT)/"
	@echo "Sign-ins (also in $(BRIGHTLINE_DATA_DIR)/demo-credentials.json). Staff and officers also enter a"
	@echo "second-factor code: add the totp_secret from that file to an authenticator app, or run"
	@echo "  $(BIN)/brightline demo --code USERNAME"
	@$(BIN)/brightline demo --show
	@echo
	@echo "The task worker (family notices) runs beside the web server; Ctrl-C stops both."
	@trap 'kill 0' EXIT INT TERM; $(BIN)/brightline db_worker & \
	$(BIN)/gunicorn brightline.wsgi:application --bind 127.0.0.1:$(PORT) --workers 3 --access-logfile -

test: install-dev
	$(BIN)/python scripts/run_tests.py

# The inner loop: pytest on SQLite only, without the browser suite, spread over every core by
# pytest-xdist, in a throwaway data dir. `make test` stays the check before a change goes in.
# PYTEST_ARGS="-k ledger" and so on.
test-fast: install-dev
	@data_dir=$$(mktemp -d); trap 'rm -rf "$$data_dir"' EXIT; \
	env -u DATABASE_URL -u BRIGHTLINE_REQUIRE_POSTGRES -u BRIGHTLINE_REQUIRE_BROWSER \
	BRIGHTLINE_DATA_DIR="$$data_dir" $(BIN)/pytest -n auto -m "not browser" -q $(PYTEST_ARGS)

# The browser and concurrency tests, 5 runs on SQLite and 5 on PostgreSQL, beside 2 busy processes;
# lists every test that failed in any run. STRESS_ARGS="--runs 2 --database sqlite" and so on.
test-stress: install-dev
	$(BIN)/python scripts/stress.py $(STRESS_ARGS)

lint: install-dev
	$(BIN)/python scripts/check_lock.py
	$(BIN)/ruff check src bench scripts
	$(BIN)/ruff format --check src bench scripts
	$(BIN)/mypy src/brightline
	BRIGHTLINE_DATA_DIR=$$(mktemp -d) $(BIN)/brightline makemigrations --check --dry-run

# After changing the dependencies in pyproject.toml. Versions already locked are kept unless named:
# LOCK_FLAGS="--upgrade-package django-ninja" moves one package, LOCK_FLAGS=--upgrade moves them all.
# Needs only the locks as they stand (uv is a dev package), not ones that answer pyproject.toml already.
# Everything is resolved together in $(DEV_LOCK); the product's and the demo's locks take their versions
# from it.
COMPILE := $(BIN)/uv pip compile pyproject.toml --universal --python-version 3.11 --generate-hashes \
	--custom-compile-command "make lock" --quiet
lock: $(VENV)/.installed-dev
	$(COMPILE) --all-extras --output-file $(DEV_LOCK) $(LOCK_FLAGS)
	$(COMPILE) --constraint $(DEV_LOCK) --output-file $(LOCK)
	$(COMPILE) --extra demo --constraint $(DEV_LOCK) --output-file $(DEMO_LOCK)
	$(BIN)/python scripts/check_lock.py

bench: install-dev
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) var node_modules $(VENDOR) test-artifacts .pytest_cache .mypy_cache .ruff_cache
