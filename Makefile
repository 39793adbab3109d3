# The few commands a person types. Each is a one-liner over the real tools.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
# make test DB=postgres | DB=sqlite | DB=auto (PostgreSQL when reachable)
DB ?= auto

.PHONY: demo test bench lint format messages install clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed

demo: $(VENV)/.installed
	bin/demo

test: $(VENV)/.installed
	DB=$(DB) bin/test

bench: $(VENV)/.installed
	bin/bench

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check . && $(VENV)/bin/lint-imports --no-cache

format: $(VENV)/.installed
	$(VENV)/bin/ruff format . && $(VENV)/bin/ruff check --fix .

messages: $(VENV)/.installed
	$(PY) manage.py makemessages -l sw --no-obsolete --ignore=.venv --ignore=var --ignore=tests --ignore=bench && $(PY) manage.py compilemessages -l sw --ignore=.venv

clean:
	rm -rf $(VENV) var
