# One task runner. `make help` lists the targets.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
EXAMPLE ?= resources/examples/legal-tech-startup.json
# Every install comes from the lock: uv.lock (made by uv from pyproject.toml) exported to hashed
# requirements files that plain pip installs. `make lock` regenerates them.
LOCK_DEV := requirements/dev.txt
UV_VERSION := 0.13.8
UV := build/tools/bin/uv
UV_LOCK_ARGS ?=

.PHONY: help venv run gui test test-latest lint typecheck format catalog bench package lock clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | sed 's/:.*##/\t/'

$(STAMP): pyproject.toml $(LOCK_DEV)
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --require-hashes --no-deps -r $(LOCK_DEV)
	$(PY) -m pip install -q --no-deps --no-build-isolation -e .
	touch $(STAMP)

venv: $(STAMP)  ## create .venv and install the project with its dev tools, from the lock file

run: $(STAMP)  ## build the catalog and evaluate an example scenario (headless main job)
	$(VENV)/bin/advisor catalog build
	$(VENV)/bin/advisor evaluate $(EXAMPLE)

gui: $(STAMP)  ## start the desktop app
	$(VENV)/bin/advisor-gui

test: $(STAMP)  ## run the test suite (Qt offscreen)
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q

test-latest:  ## run the test suite against the newest releases (not the lock) to learn of breakage early
	rm -rf .venv-latest
	$(PYTHON) -m venv .venv-latest
	.venv-latest/bin/python -m pip install -q --upgrade pip
	.venv-latest/bin/python -m pip install -q --upgrade -e '.[dev]'
	.venv-latest/bin/python -m pip list --format=freeze
	QT_QPA_PLATFORM=offscreen .venv-latest/bin/python -m pytest -q

lock:  ## regenerate uv.lock and requirements/*.txt (UV_LOCK_ARGS="--upgrade-package NAME" to upgrade one)
	test -x $(UV) || ($(PYTHON) -m venv build/tools && build/tools/bin/pip install -q uv==$(UV_VERSION))
	$(UV) lock $(UV_LOCK_ARGS)
	$(UV) export -q --frozen --no-emit-project --extra dev --extra package -o $(LOCK_DEV)
	$(UV) export -q --frozen --no-emit-project --extra package -o requirements/package.txt

lint: $(STAMP)  ## ruff lint and format check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: $(STAMP)  ## mypy strict on the engine
	$(VENV)/bin/mypy advisor

format: $(STAMP)  ## apply ruff formatting and fixes
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

catalog: $(STAMP)  ## rebuild the local catalog from resources/ and genai-prices
	$(VENV)/bin/advisor catalog build

bench: $(STAMP)  ## run the benchmark scripts and print their figures
	for f in benchmarks/bench_*.py; do echo "== $$f"; $(PY) $$f || exit 1; done

package:  ## build the desktop bundle (PyInstaller, packaging/) and smoke-test it
	PYTHON=$(PYTHON) packaging/build.sh
	packaging/smoke_test.sh

clean:  ## remove the virtual environment and caches
	rm -rf $(VENV) .venv-latest .pytest_cache .ruff_cache .mypy_cache .hypothesis
