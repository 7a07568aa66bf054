# One task runner. `make help` lists the targets.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
EXAMPLE ?= resources/examples/legal-tech-startup.json

.PHONY: help venv run gui test lint typecheck format catalog bench package clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | sed 's/:.*##/\t/'

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP)  ## create .venv and install the project with its dev tools

run: $(STAMP)  ## build the catalog and evaluate an example scenario (headless main job)
	$(VENV)/bin/advisor catalog build
	$(VENV)/bin/advisor evaluate $(EXAMPLE)

gui: $(STAMP)  ## start the desktop app
	$(VENV)/bin/advisor-gui

test: $(STAMP)  ## run the test suite (Qt offscreen)
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q

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
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache .hypothesis
