# The developer contract: `make run` serves the API locally, `make test` runs everything CI checks.
SHELL := /bin/bash
# The first Python 3.12 that really runs (a pyenv shim may exist without the version selected).
PYTHON ?= $(shell for p in python3.12 $(HOME)/.pyenv/versions/3.12*/bin/python3.12 /usr/local/bin/python3.12; do \
	$$p -c 'import sys; assert sys.version_info[:2] == (3, 12)' 2>/dev/null && { command -v $$p; break; }; done)
VENV := .venv
PY := $(VENV)/bin/python
# Build tools in a venv of their own: the SAM CLI pins its own aws-sam-translator, boto3, etc.
TOOLS := .tools
SAM := SAM_CLI_TELEMETRY=0 $(TOOLS)/bin/sam
# The deploy review's linters in a venv of their own too: checkov pins a dependency tree of its own.
LINT := .lint
export PYTHONPATH := layers/common/python:.
export PORT ?= 3000
# `make test`: how many of the static checks run at once, and how many processes the suite takes.
CHECK_JOBS ?= 3
PYTEST_WORKERS ?= auto

.PHONY: run test lint typecheck template-check template-lint asl-check openapi openapi-check client client-check \
	build build-check pytest iam-check suite contract lock benchmark smoke faults clean browser-test

$(VENV)/.installed: pyproject.toml
	@test -n "$(PYTHON)" || { echo "Python 3.12 is required (python3.12 not found)"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet ".[dev]"
	touch $@

# The browser tests drive Debian's Chromium (Playwright's own browser download cannot work here):
# installed when missing, by root as CI runs, through sudo otherwise.
CHROMIUM := /usr/bin/chromium
$(CHROMIUM):
	$(if $(filter 0,$(shell id -u)),,sudo) apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $(if $(filter 0,$(shell id -u)),,sudo) apt-get install -y -qq chromium

$(TOOLS)/.installed: Makefile
	@test -n "$(PYTHON)" || { echo "Python 3.12 is required (python3.12 not found)"; exit 1; }
	test -x $(TOOLS)/bin/python || $(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check aws-sam-cli==1.170.0 uv==0.9.5
	touch $@

$(LINT)/.installed: Makefile
	@test -n "$(PYTHON)" || { echo "Python 3.12 is required (python3.12 not found)"; exit 1; }
	test -x $(LINT)/bin/python || $(PYTHON) -m venv $(LINT)
	$(LINT)/bin/pip install --quiet --disable-pip-version-check cfn-lint==1.58.0 cfn-lint-serverless==0.3.6 checkov==3.3.30
	touch $@

# `make run DEMO=1`: with a demo account seeded (local/demo.py), printed in the banner.
run: $(VENV)/.installed
	@$(PY) -m local $(if $(DEMO),--demo)

# Every stage CI runs, at once, each stage's output shown whole when it ends; then the total time. The
# contract has a wall-clock cap, so the suite (itself in parallel) yields it the processor, and the
# static checks and the build, which have none, yield to both.
SYNC := --no-print-directory --output-sync=target
test: $(VENV)/.installed $(TOOLS)/.installed $(LINT)/.installed
	@start=$$(date +%s); status=0; \
	nice -n 10 $(MAKE) $(SYNC) -j $(CHECK_JOBS) build-check typecheck template-check template-lint asl-check \
		openapi-check client-check lint & checks=$$!; \
	nice -n 5 $(MAKE) $(SYNC) suite & suite=$$!; \
	$(MAKE) $(SYNC) contract || status=1; \
	wait $$suite || status=1; wait $$checks || status=1; \
	echo "make test: $$([ $$status = 0 ] && echo passed || echo FAILED) in $$(( $$(date +%s) - start )) s"; \
	exit $$status

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: $(VENV)/.installed
	$(VENV)/bin/mypy layers/common/python functions local scripts

template-check: $(VENV)/.installed
	$(PY) scripts/check_template.py

# cfn-lint with awslabs' serverless rules, and checkov: every finding fixed or explained in lint-skips.txt.
template-lint: $(VENV)/.installed $(LINT)/.installed
	$(PY) scripts/lint_template.py

asl-check: $(VENV)/.installed
	$(PY) scripts/check_asl.py

openapi: $(VENV)/.installed
	$(PY) scripts/openapi.py --write

openapi-check: $(VENV)/.installed
	$(PY) scripts/openapi.py --check

# The front end's TypeScript types, generated from openapi.json by openapi-typescript; both it and tsc are
# pinned in the client's package-lock.json and installed by npm on first use (Node 20+).
CLIENT := clients/typescript
OPENAPI_TS := cd $(CLIENT) && ./node_modules/.bin/openapi-typescript ../../openapi.json --silent --output
$(CLIENT)/node_modules/.installed: $(CLIENT)/package.json $(CLIENT)/package-lock.json
	cd $(CLIENT) && npm ci --no-audit --no-fund --loglevel=error
	touch $@

client: $(CLIENT)/node_modules/.installed
	$(OPENAPI_TS) src/api.d.ts

# The committed types are those of the committed openapi.json, and the typed example compiles against them.
client-check: $(CLIENT)/node_modules/.installed
	mkdir -p build
	$(OPENAPI_TS) ../../build/api.d.ts
	@diff -q $(CLIENT)/src/api.d.ts build/api.d.ts >/dev/null || \
		{ echo "clients/typescript/src/api.d.ts is stale: run \`make client\` and commit it"; exit 1; }
	cd $(CLIENT) && ./node_modules/.bin/tsc -p .

# What AWS runs: every function and the layer, arm64, no container (--cached: only what changed).
build: $(VENV)/.installed $(TOOLS)/.installed
	PYTHON=$(abspath $(PY)) $(SAM) build --cached --template template.yaml

build-check: build
	$(PY) scripts/check_build.py

# The suite records each function it runs and each grant its AWS calls use (local/iam.py). It runs in
# PYTEST_WORKERS processes (pytest-xdist, a module's tests together), each with its own emulator and
# its own log (tests/conftest.py); the logs are joined for the IAM check.
pytest: $(VENV)/.installed $(CHROMIUM)
	mkdir -p build && rm -f build/iam-calls*.jsonl build/browser/*.png
	IAM_CALLS_LOG=$(abspath build/iam-calls.jsonl) $(PY) -m pytest --ignore=tests/contract \
		--numprocesses $(PYTEST_WORKERS) --durations 5
	find build -name 'iam-calls.*.jsonl' -exec cat {} + >> build/iam-calls.jsonl

# The browser tests alone (tests/browser: a local run with DEMO=1, one Chromium); a failure leaves a
# screenshot in build/browser/<test>.png.
browser-test: $(VENV)/.installed $(CHROMIUM)
	mkdir -p build && rm -f build/browser/*.png
	$(PY) -m pytest tests/browser --numprocesses 1 --durations 0

iam-check: $(VENV)/.installed
	$(PY) scripts/check_iam.py

# The suite, then the IAM check of what it recorded.
suite: pytest
	@$(MAKE) --no-print-directory iam-check

# The layer's lock file, every transitive pin with its hashes, for Lambda's platform.
lock: $(TOOLS)/.installed
	cd layers/common && ../../$(TOOLS)/bin/uv pip compile requirements.in --quiet --generate-hashes \
		--python-version 3.12 --python-platform aarch64-manylinux2014 --custom-compile-command "make lock" \
		--no-emit-package boto3 --no-emit-package botocore --no-emit-package s3transfer -o requirements.txt

# The OpenAPI document against the running code: schemathesis (every check, bounded in time) and the
# docs at /docs, over HTTP on the local run. Prints the schemathesis figures.
contract: $(VENV)/.installed
	$(PY) -m pytest tests/contract -s

# The front end's journey over HTTP against a deployment (README "Deploy"); CI runs it against the local run.
smoke: $(VENV)/.installed
	@test -n "$(BASE_URL)" || { echo "usage: make smoke BASE_URL=https://<api>.execute-api.<region>.amazonaws.com/<stage>"; exit 2; }
	BASE_URL="$(BASE_URL)" $(PY) scripts/smoke.py

# `make benchmark QUICK=1`: fewer rounds and at most 1,000 items (benchmarks/run.py --quick).
benchmark: $(VENV)/.installed
	$(PY) benchmarks/run.py $(if $(QUICK),--quick)
	$(PY) benchmarks/csv_import.py

# The fault matrix (issue 19, tests/faults): each write route run again with one fault at each of its AWS and
# Stripe calls (the call fails, or succeeds and the function dies), the client's retry, the background work
# drained, the account's invariants checked; prints the table, writes build/faults.json. `make faults
# ROUTES=signup,delete-account` runs those scenarios (names or routes) only. `make test` runs a sample.
faults: $(VENV)/.installed
	$(PY) -m tests.faults $(if $(ROUTES),--routes "$(ROUTES)")

clean:
	rm -rf $(VENV) $(TOOLS) $(LINT) build .aws-sam .pytest_cache .mypy_cache .ruff_cache $(CLIENT)/node_modules
