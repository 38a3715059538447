# Bright Line — the two commands a newcomer needs are `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
export BRIGHTLINE_DATA_DIR ?= $(CURDIR)/var

.PHONY: run test lint bench install install-dev clean

$(BIN)/brightline: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(BIN)/brightline

install-dev: $(BIN)/brightline

run: install
	$(BIN)/brightline migrate --no-input
	@if [ ! -f "$(BRIGHTLINE_DATA_DIR)/demo-credentials.json" ]; then $(BIN)/brightline demo; fi
	$(BIN)/brightline collectstatic --no-input --verbosity 0
	@echo
	@echo "Bright Line is starting at http://127.0.0.1:$(PORT)/"
	@echo "Sign-ins (also in $(BRIGHTLINE_DATA_DIR)/demo-credentials.json):"
	@$(BIN)/python -c 'import json,sys; d=json.load(open(sys.argv[1])); [print(f"  {u[\"role\"]:<18} {u[\"username\"]:<14} {u[\"password\"]}") for u in d["users"]]; [print(f"  API token for {t[\"agency\"]}: {t[\"token\"]}") for t in d["api_tokens"]]' "$(BRIGHTLINE_DATA_DIR)/demo-credentials.json"
	@echo
	$(BIN)/gunicorn brightline.wsgi:application --bind 127.0.0.1:$(PORT) --workers 3 --access-logfile -

test: install
	$(BIN)/python scripts/run_tests.py

lint: install
	$(BIN)/ruff check src bench scripts
	$(BIN)/ruff format --check src bench scripts
	$(BIN)/mypy src/brightline
	BRIGHTLINE_DATA_DIR=$$(mktemp -d) $(BIN)/brightline makemigrations --check --dry-run

bench: install
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
