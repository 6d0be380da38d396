# The two quick-start commands: `make run` and `make test`. Both create .venv on first use.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test

.PHONY: run app test install bench-accuracy bench-speed bench-batch bench-app bench-global bench-calibration clean

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

## run: install, run the batch on the bundled data (ingest, fit, backtest, reconcile, targets,
## scenarios; exit code 3 = complete with series on fallback, still a complete run), then serve the app
RUN_ARGS ?=
run: $(STAMP)
	$(BIN)/forecast run $(RUN_ARGS) || [ $$? -eq 3 ]
	$(BIN)/streamlit run app.py --server.headless true

## app: serve the app on the latest run in the store
app: $(STAMP)
	$(BIN)/streamlit run app.py --server.headless true

## test: install the test extras and run the whole suite (lint, the import contracts, pytest)
test: $(TEST_STAMP)
	$(BIN)/python -m ruff check forecast tests app.py
	$(BIN)/lint-imports
	$(BIN)/python -m pytest -q

bench-accuracy: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	$(BIN)/python bench/accuracy_m3.py

bench-speed: $(STAMP)
	$(BIN)/python bench/speed.py

bench-batch: $(STAMP)
	$(BIN)/python bench/batch.py

bench-global: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	$(BIN)/python bench/global_m3.py

bench-calibration: $(STAMP)
	nice -n 19 $(BIN)/python bench/calibration.py --workers 2 --n-paths 300

bench-app: $(STAMP)
	$(BIN)/python bench/app.py

clean:
	rm -rf $(VENV) data/troika.db data/troika.db-wal data/troika.db-shm
