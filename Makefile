# The README's two commands, `make lab` and `make test`, set up .venv themselves.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.hitpm-installed

.PHONY: lab test lint benchmark clean-course

lab: $(STAMP)
	$(BIN)/hitpm lab $(LAB_ARGS)

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .

benchmark: $(STAMP)
	$(BIN)/python benchmarks/redraw.py
	$(BIN)/python benchmarks/schedule_simulation.py
	$(BIN)/python benchmarks/command_centre.py
	$(BIN)/python benchmarks/grade_class.py
	$(BIN)/python benchmarks/grade_cluster.py

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "hitpm needs Python 3.11 or newer; this is " + sys.version.split()[0])'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# Generated nbgrader folders of an instructor's trial run and `hitpm grade`'s output; never committed.
clean-course:
	rm -rf release submitted autograded feedback grading gradebook.db gradebook.db-journal
