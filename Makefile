# The two commands of the README's quick start. Both create .venv when missing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SCENARIO ?= params/noord-limburg.yaml
REPLICATIONS ?= 5
SEED ?= 1

.PHONY: run test install bench bench-against schema clean app

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,dask]'
	$(BIN)/python -m ipykernel install --sys-prefix --name simulation --display-name "Python 3 (simulation)" >/dev/null
	@touch $(STAMP)

install: $(STAMP)

## make run: simulate the default scenario into outputs/runs/, run every notebook, write outputs/index.html
run: $(STAMP)
	$(BIN)/python -m simulation run $(SCENARIO) --seed $(SEED) --replications $(REPLICATIONS) --workers 2 \
		--out outputs/runs/$(basename $(notdir $(SCENARIO)))
	$(BIN)/python -m simulation report --parameters params/report/notebooks.yaml --out outputs

## make test: the whole test suite (unit, statistical validation, notebooks)
test: $(STAMP)
	$(BIN)/python -m pytest -n 2 --dist loadfile --durations=15 tests notebooks --nbval-lax --nbval-current-env

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_core.py
	$(BIN)/python benchmarks/bench_sweep.py

## make bench-against REV=<commit>: this checkout against an older commit, in one run (figures and ratios)
bench-against: $(STAMP)
	$(BIN)/python benchmarks/bench_against.py $(REV) --runs 5 --sweep

## make app [PORT=5006]: the what-if page on http://127.0.0.1:$(PORT)/ (this machine only; docs/app.md)
PORT ?= 5006
app: $(STAMP)
	$(BIN)/python -m simulation.app --port $(PORT)

schema: $(STAMP)
	$(BIN)/python -m simulation schema --out params/schema.json

clean:
	rm -rf $(VENV) outputs/runs
