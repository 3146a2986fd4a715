# The first two commands on a fresh machine: `make up` and `make test`.
# Each creates the virtualenv and installs what it needs by itself.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: up lint test test-fast bench migrate token clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

up: $(STAMP)
	$(BIN)/fieldops up

# Lint, format (at the project's 100 columns) and types before any test runs.
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test: lint
	$(BIN)/python -m pytest

test-fast: lint
	$(BIN)/python -m pytest -m "not faults and not e2e and not badinput"

bench: $(STAMP)
	$(BIN)/python -m bench $(BENCH_ARGS)

# A development JWT signed with the secret `make up` keeps in .fieldops/, e.g.
#   make -s token SUB=call-centre SCOPE="tickets:write tickets:read"
SUB   ?= call-centre
SCOPE ?= tickets:write tickets:read
token: $(STAMP)
	@$(BIN)/fieldops token --sub '$(SUB)' --scope '$(SCOPE)'

migrate: $(STAMP)
	$(BIN)/fieldops migrate

clean:
	rm -rf $(VENV) .fieldops .pytest_cache
