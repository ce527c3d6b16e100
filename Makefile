# make demo: set up and serve the demo on http://127.0.0.1:8000
# make test: set up and run lint, types and the whole suite on Django 6.1 and Django 5.2 LTS
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

# Newest Django on the newest Python (3.12+ for Django 6.x); Django 5.2 LTS on Python 3.11.
PY_NEW := $(shell scripts/find-python 3.12 2>/dev/null)
PY_LTS := $(shell scripts/find-python 3.11 3.11 2>/dev/null || scripts/find-python 3.10 3.11 2>/dev/null)
VENV_NEW := .venv
VENV_LTS := .venv-django52
DJANGO_NEW := Django>=6.1,<6.2
DJANGO_LTS := Django>=5.2,<5.3
# The demo runs on whichever of the two exists, newest first.
DEMO_VENV := $(if $(PY_NEW),$(VENV_NEW),$(VENV_LTS))
# Native tracebacks: pytest's own formatter trips over Playwright frames on Python 3.11.
PYTEST_ARGS ?= --tb=native
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: help demo test lint types test-new test-lts bench screenshots clean

help:
	@echo "make demo   set up and serve the demo on http://$(HOST):$(PORT)"
	@echo "make test   set up and run lint, types and the test suite on Django 6.1 and 5.2"
	@echo "make bench  run the benchmarks and rewrite docs/performance.md"

$(VENV_NEW)/.installed: pyproject.toml
	@test -n "$(PY_NEW)" || { echo "Python 3.12+ is needed for Django 6.1; none found" >&2; exit 1; }
	rm -rf $(VENV_NEW)
	$(PY_NEW) -m venv $(VENV_NEW)
	$(VENV_NEW)/bin/pip install -q --upgrade pip
	$(VENV_NEW)/bin/pip install -q -e '.[test,bench]' '$(DJANGO_NEW)'
	touch $@

$(VENV_LTS)/.installed: pyproject.toml
	@test -n "$(PY_LTS)" || { echo "Python 3.10 or 3.11 is needed for Django 5.2; none found" >&2; exit 1; }
	rm -rf $(VENV_LTS)
	$(PY_LTS) -m venv $(VENV_LTS)
	$(VENV_LTS)/bin/pip install -q --upgrade pip
	$(VENV_LTS)/bin/pip install -q -e '.[test,bench]' '$(DJANGO_LTS)'
	touch $@

# Checks run once, with runserver: they print the demo's expvar.W001 warnings on purpose.
demo: $(DEMO_VENV)/.installed
	cd demo && ../$(DEMO_VENV)/bin/python manage.py migrate --noinput --skip-checks
	cd demo && ../$(DEMO_VENV)/bin/python manage.py demo_admin --skip-checks
	cd demo && ../$(DEMO_VENV)/bin/python manage.py runserver $(HOST):$(PORT)

lint: $(VENV_NEW)/.installed
	$(VENV_NEW)/bin/ruff check .
	$(VENV_NEW)/bin/ruff format --check .

types: $(VENV_NEW)/.installed
	$(VENV_NEW)/bin/mypy

test-new: $(VENV_NEW)/.installed
	$(VENV_NEW)/bin/python -m pytest --cov --cov-report=term --cov-fail-under=95 $(PYTEST_ARGS)

test-lts: $(VENV_LTS)/.installed
	$(VENV_LTS)/bin/python -m pytest --cov --cov-report=term --cov-fail-under=95 $(PYTEST_ARGS)

test: lint types test-new test-lts
	cd demo && ../$(VENV_NEW)/bin/python manage.py makemigrations --check --dry-run
	@echo "make test: lint, types and the suite passed on Django 6.1 and Django 5.2"

bench: $(VENV_NEW)/.installed
	-$(MAKE) $(VENV_LTS)/.installed && $(VENV_LTS)/bin/pip install -q 'django-prometheus==2.5.0'
	$(VENV_NEW)/bin/python -m benchmarks

screenshots: $(VENV_NEW)/.installed
	$(VENV_NEW)/bin/python scripts/screenshot_dashboard.py

clean:
	rm -rf $(VENV_NEW) $(VENV_LTS) .coverage .pytest_cache .mypy_cache .ruff_cache
