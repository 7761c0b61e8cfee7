# Two commands on a fresh machine with Python 3.11 and make:
#   make run    set up and run the dashboard on the bundled sample campaign
#   make test   set up and run every test
# Both install exactly what uv.lock pins: the venv gets the uv that the lock records (checked
# against the lock's hashes), and that uv syncs the venv to the lock. `make lock` updates it.
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
# sync into $(VENV), with its Python: never download an interpreter
UV := UV_PROJECT_ENVIRONMENT=$(VENV) UV_PYTHON_DOWNLOADS=never $(BIN)/uv

.PHONY: run test lint bench lock upgrade clean

$(BIN)/uv: uv.lock tools/uv_requirement.py
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "need $(PYTHON) (set PYTHON=...)"; exit 2; }
	@echo "thidua: setting up $(VENV) with the versions pinned in uv.lock (the first time takes about a minute)"
	@$(PYTHON) -m venv $(VENV)
	@$(PYTHON) tools/uv_requirement.py uv.lock > $(VENV)/uv-requirement.txt
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes \
		--no-deps -r $(VENV)/uv-requirement.txt
	@$(BIN)/python -m pip uninstall --quiet --yes setuptools  # venv's seed, not in uv.lock
	@touch $@

$(BIN)/.installed: pyproject.toml uv.lock $(BIN)/uv
	@$(UV) sync --locked --extra test --quiet --python $(BIN)/python
	@touch $@
	@echo "thidua: installed; outside make, call it as $(BIN)/thidua"

run: $(BIN)/.installed
	$(BIN)/thidua $(ARGS)

test: $(BIN)/.installed
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(BIN)/.installed
	$(BIN)/ruff check dashboard widgets tests bench tools
	$(BIN)/mypy

bench: $(BIN)/.installed
	$(BIN)/python bench/engine_bench.py

# after changing pyproject.toml's dependencies: re-resolve, keeping every other pin
lock: $(BIN)/uv
	$(UV) lock

# move every pin to the newest versions pyproject.toml allows (then run make test)
upgrade: $(BIN)/uv
	$(UV) lock --upgrade

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
