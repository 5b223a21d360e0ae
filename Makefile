# Two commands do all set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
PYTEST := $(PY) -m pytest -q -p no:cacheprovider

.PHONY: run test lint typecheck format unit functional e2e bench check clean
.PHONY: package package-check capacity
.PHONY: browser browser-deps
.PHONY: contract soak

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $(STAMP)

run: $(STAMP)
	$(PY) -m infra.local.run

test: browser-deps lint typecheck package-check unit functional e2e browser contract

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

# Real-browser tier: Playwright drives Debian's Chromium against a local province stack;
# screenshots land in artifacts/screenshots/.
browser: $(STAMP) browser-deps
	$(PYTEST) tests/browser

# Debian's Chromium (Playwright's own browser download cannot work offline) and a CJK font,
# so screenshots show Chinese text; installed once, only when missing.
CHROMIUM := /usr/bin/chromium
CJK_FONT := /usr/share/fonts/truetype/wqy/wqy-microhei.ttc
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
browser-deps:
	@test -x $(CHROMIUM) -a -f $(CJK_FONT) || { \
	  echo "installing Debian chromium and fonts-wqy-microhei (apt)"; \
	  $(SUDO) apt-get update -qq && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
	    chromium fonts-wqy-microhei >/dev/null; }

bench: $(STAMP)
	$(PY) -m bench.run

# schemathesis against the served OpenAPI document (tests/contract): a fixed, derandomized
# number of cases per operation, at least 1,000 in all.
contract: $(STAMP)
	$(PYTEST) -s tests/contract

# The hardening suites at full size (README, Tests and benchmarks): ~5,000 schemathesis cases,
# 1,000 examples per property, 300 uploads under fault injection, then 60 s of load on the
# local national system with an exact reconciliation. Not in `make test`.
soak: $(STAMP)
	CONTRACT_EXAMPLES=150 CONTRACT_MIN_CASES=5000 $(PYTEST) -s tests/contract
	PROPERTY_EXAMPLES=1000 PROPERTY_EXAMPLES_STORAGE=150 $(PYTEST) \
		tests/unit/test_record_properties.py tests/unit/test_rule_properties.py \
		tests/functional/test_idempotency_properties.py \
		tests/functional/abuse/test_exchange_contract.py::test_no_mutation_of_a_genuine_item_across_a_boundary_writes_anything
	FAULT_UPLOADS=300 $(PYTEST) -s -p no:logging tests/functional/test_fault_injection.py
	$(PY) -m bench.load --seconds 60 --clients 8

check: test

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache

# Deployable SAM templates (docs/deploy.md): make package STAGE=province PROVINCE=320000
STAGE ?= province
PROVINCE ?= 320000
package: $(STAMP)
	$(PY) -m infra.package --stage $(STAGE) --province $(PROVINCE)

# Both stages generated and linted (cfn-lint, China regions) on every `make test`.
package-check: $(STAMP)
	$(PY) -m infra.package --stage province --province 320000 --out build/check/province
	$(PY) -m infra.package --stage ministry --out build/check/ministry
	$(VENV)/bin/cfn-lint --regions cn-north-1 cn-northwest-1 -- \
		build/check/province/sam.json build/check/ministry/sam.json

# Capacity units and handler time per operation, measured; the cost model of docs/deploy.md.
capacity: $(STAMP)
	$(PY) -m bench.capacity
