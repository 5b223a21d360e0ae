# Two commands do all set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
PYTEST := $(PY) -m pytest -q -p no:cacheprovider

.PHONY: run test lint typecheck format unit functional e2e bench check clean

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $(STAMP)

run: $(STAMP)
	$(PY) -m infra.local.run

test: lint typecheck unit functional e2e

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

typecheck: $(STAMP)
	$(PY) -m mypy

format: $(STAMP)
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

unit: $(STAMP)
	$(PYTEST) tests/unit

functional: $(STAMP)
	$(PYTEST) -n 2 tests/functional

e2e: $(STAMP)
	$(PYTEST) tests/e2e_province tests/e2e_national

bench: $(STAMP)
	$(PY) -m bench.run

check: test

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
