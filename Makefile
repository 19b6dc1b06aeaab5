# The two commands of the README's quick start. Both create .venv when missing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SCENARIO ?= params/noord-limburg.yaml
REPLICATIONS ?= 5
SEED ?= 1

.PHONY: run test install bench schema clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,dask]'
	@touch $(STAMP)

install: $(STAMP)

## make run: simulate the default scenario into outputs/runs/
run: $(STAMP)
	$(BIN)/python -m simulation run $(SCENARIO) --seed $(SEED) --replications $(REPLICATIONS) --workers 2 \
		--out outputs/runs/$(basename $(notdir $(SCENARIO)))

## make test: the whole test suite (unit, statistical validation, notebooks)
test: $(STAMP)
	$(BIN)/python -m pytest -n 2 --durations=15

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_core.py

schema: $(STAMP)
	$(BIN)/python -m simulation schema --out params/schema.json

clean:
	rm -rf $(VENV) outputs/runs
