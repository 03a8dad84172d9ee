# Hub: two commands for a fresh machine.
#   make run   set up and run Hub (web server + Django-Q2 worker) on SQLite, with a demo shop
#   make test  set up and run the test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: venv run test test-cluster lint format clean

venv: $(STAMP)

$(STAMP): requirements.txt requirements-dev.txt cli/pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	$(BIN)/python -m pip install --quiet -e ./cli
	touch $(STAMP)

run: venv
	bin/run-hub

# Two pytest-xdist workers (TEST_WORKERS=0 runs in one process); the 15 slowest tests are listed at
# the end. Extra pytest arguments go in PYTEST_ARGS, e.g. PYTEST_ARGS='-m "not slow"'.
# make test leaves out the crash-recovery tests that kill and restart real qcluster processes
# (marker "cluster"): make test-cluster runs them, four at a time since they mostly wait, and CI
# runs both on both database paths.
TEST_WORKERS ?= 2
CLUSTER_TEST_WORKERS ?= 4

test: venv
	$(BIN)/python -m pytest -q -n $(TEST_WORKERS) --durations=15 -m "not cluster" $(PYTEST_ARGS)

test-cluster: venv
	$(BIN)/python -m pytest -q -n $(CLUSTER_TEST_WORKERS) --durations=5 -m cluster $(PYTEST_ARGS)

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: venv
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) db.sqlite3* test_db.sqlite3* var staticfiles
