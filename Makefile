# The developer contract: `make run` serves the API locally, `make test` runs everything CI checks.
SHELL := /bin/bash
# The first Python 3.12 that really runs (a pyenv shim may exist without the version selected).
PYTHON ?= $(shell for p in python3.12 $(HOME)/.pyenv/versions/3.12*/bin/python3.12 /usr/local/bin/python3.12; do \
	$$p -c 'import sys; assert sys.version_info[:2] == (3, 12)' 2>/dev/null && { command -v $$p; break; }; done)
VENV := .venv
PY := $(VENV)/bin/python
export PYTHONPATH := layers/common/python:.
export PORT ?= 3000

.PHONY: run test lint typecheck template-check asl-check openapi openapi-check pytest contract benchmark smoke clean

$(VENV)/.installed: pyproject.toml
	@test -n "$(PYTHON)" || { echo "Python 3.12 is required (python3.12 not found)"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet ".[dev]"
	touch $@

run: $(VENV)/.installed
	$(PY) -m local

test: lint typecheck template-check asl-check openapi-check pytest contract

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: $(VENV)/.installed
	$(VENV)/bin/mypy layers/common/python functions local scripts

template-check: $(VENV)/.installed
	$(PY) scripts/check_template.py

asl-check: $(VENV)/.installed
	$(PY) scripts/check_asl.py

openapi: $(VENV)/.installed
	$(PY) scripts/openapi.py --write

openapi-check: $(VENV)/.installed
	$(PY) scripts/openapi.py --check

pytest: $(VENV)/.installed
	$(PY) -m pytest --ignore=tests/contract

# The OpenAPI document against the running code: schemathesis (every check, bounded in time) and the
# docs at /docs, over HTTP on the local run. Prints the schemathesis figures.
contract: $(VENV)/.installed
	$(PY) -m pytest tests/contract -s

# The front end's journey over HTTP against a deployment (README "Deploy"); CI runs it against the local run.
smoke: $(VENV)/.installed
	@test -n "$(BASE_URL)" || { echo "usage: make smoke BASE_URL=https://<api>.execute-api.<region>.amazonaws.com/<stage>"; exit 2; }
	BASE_URL="$(BASE_URL)" $(PY) scripts/smoke.py

benchmark: $(VENV)/.installed
	$(PY) benchmarks/run.py
	$(PY) benchmarks/csv_import.py

clean:
	rm -rf $(VENV) build .pytest_cache .mypy_cache .ruff_cache
