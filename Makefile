# The two commands a newcomer needs: `make local` and `make test`.
# Both create .venv and install the project on first use (and when pyproject changes).
PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin
STAMP = $(VENV)/.installed

.PHONY: install local test lint bench test-min lock

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

# The production lock file (hashes for every package), used by the Dockerfile and by
# `pip install --require-hashes -r requirements.lock`. Run after changing dependencies.
lock: $(STAMP)
	$(BIN)/uv pip compile pyproject.toml --generate-hashes --universal --python-version 3.11 \
		--no-header --quiet -o requirements.lock

# Proves the lower bounds in pyproject.toml: a separate venv with the lowest version of
# every direct dependency, then the unit tests, one chat test and one real process.
MIN_VENV ?= .venv-min
MIN_TESTS = tests/test_dates.py tests/test_fnr.py tests/test_rules_cadences.py \
	tests/test_rules_transitions.py tests/test_rules_workdays.py tests/test_export_ics.py \
	tests/test_export_pdf.py tests/test_questionnaires.py tests/test_ratelimit.py \
	tests/test_e2e_smoke.py \
	"tests/test_ops_security.py::test_the_whole_log_holds_no_answer_no_fnr_and_no_token"
test-min: $(STAMP)
	rm -rf $(MIN_VENV)
	$(BIN)/uv venv --quiet --python $(PYTHON) $(MIN_VENV)
	$(BIN)/uv pip install --quiet --python $(MIN_VENV)/bin/python --resolution lowest-direct \
		-e ".[test]"
	$(MIN_VENV)/bin/python -m pytest -p no:cacheprovider -W ignore::DeprecationWarning $(MIN_TESTS)
