# The two commands a newcomer needs: `make local` and `make test`.
# Both create .venv and install the project on first use (and when pyproject changes).
PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin
STAMP = $(VENV)/.installed

.PHONY: install local test lint bench

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

install: $(STAMP)

local: $(STAMP)
	$(BIN)/koordbot local

test: $(STAMP) lint
	$(BIN)/python -m pytest

# Style, types and the layer contract (pyproject.toml: [tool.importlinter]).
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy koordbot bot handlers web storage messages
	$(BIN)/lint-imports

bench: $(STAMP)
	$(BIN)/python -m bench
