# The two commands of the README's quick start. Both create .venv when missing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SCENARIO ?= params/noord-limburg.yaml
REPLICATIONS ?= 5
SEED ?= 1

.PHONY: run test install bench bench-against schema clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,dask]'
	$(BIN)/python -m ipykernel install --sys-prefix --name simulation --display-name "Python 3 (simulation)" >/dev/null
	@touch $(STAMP)

install: $(STAMP)

# SCENARIO, SEED and REPLICATIONS given on the command line (or in the environment) reach every
# notebook that has the parameter (report --set); otherwise params/report/notebooks.yaml decides.
given = $(filter command line environment,$(origin $(1)))
REPORT_SET = $(if $(call given,SCENARIO),--set scenario=$(SCENARIO)) $(if $(call given,SEED),--set seed=$(SEED)) \
	$(if $(call given,REPLICATIONS),--set replications=$(REPLICATIONS))

## make run [SCENARIO=...] [SEED=...] [REPLICATIONS=...]: simulate into outputs/runs/, run every notebook,
## write outputs/index.html and outputs/manifest.json
run: $(STAMP)
	$(BIN)/python -m simulation run $(SCENARIO) --seed $(SEED) --replications $(REPLICATIONS) --workers 2 \
		--out outputs/runs/$(basename $(notdir $(SCENARIO)))
	$(BIN)/python -m simulation report --parameters params/report/notebooks.yaml --out outputs $(strip $(REPORT_SET))

## make test: the whole test suite (unit, statistical validation, notebooks)
test: $(STAMP)
	$(BIN)/python -m pytest -n 2 --dist loadfile --durations=15 tests notebooks --nbval-lax --nbval-current-env

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_core.py
	$(BIN)/python benchmarks/bench_sweep.py

## make bench-against REV=<commit>: this checkout against an older commit, in one run (figures and ratios)
bench-against: $(STAMP)
	$(BIN)/python benchmarks/bench_against.py $(REV) --runs 5 --sweep

schema: $(STAMP)
	$(BIN)/python -m simulation schema --out params/schema.json

clean:
	rm -rf $(VENV) outputs/runs
