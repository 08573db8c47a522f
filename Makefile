# Proactief Lab. `make up` sets up and runs the sandbox; `make test` sets up and runs the tests.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: up test test-slow lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall when the project definition changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

up: $(VENV)/.installed
	@if [ -f synthetic/datasets/nl-default/manifest.json ]; then \
		echo "reference dataset nl-default is present (regenerate: sandbox world generate nl-default --overwrite)"; \
	else \
		$(BIN)/sandbox world generate nl-default; \
	fi
	$(BIN)/sandbox world list

lint: $(VENV)/.installed-test
	$(BIN)/ruff check sandbox tests benchmarks
	$(BIN)/ruff format --check sandbox tests benchmarks

test: lint
	$(BIN)/pytest

test-slow: $(VENV)/.installed-test
	$(BIN)/pytest -m slow

bench: $(VENV)/.installed
	$(BIN)/python benchmarks/world.py
	$(BIN)/python benchmarks/rules.py
	$(BIN)/python benchmarks/synth.py
	$(BIN)/python benchmarks/proactive.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
