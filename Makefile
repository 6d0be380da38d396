# The two quick-start commands: `make run` and `make test`. Both create .venv on first use.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test

.PHONY: run test install lint bench-accuracy bench-speed clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(TEST_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(STAMP)

install: $(STAMP)

## run: install, ingest the bundled data and print the latest YTD figures against targets
run: $(STAMP)
	$(BIN)/forecast ingest data/observations/*.csv
	$(BIN)/forecast summary

## test: install the test extras and run the whole suite
test: $(TEST_STAMP)
	$(BIN)/python -m ruff check forecast tests app.py
	$(BIN)/python -m pytest -q

bench-accuracy: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	$(BIN)/python bench/accuracy_m3.py

bench-speed: $(STAMP)
	$(BIN)/python bench/speed.py

clean:
	rm -rf $(VENV) data/troika.db data/troika.db-wal data/troika.db-shm
