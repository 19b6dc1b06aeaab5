# The two commands of the README's quick start. Both create .venv when missing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SCENARIO ?= params/noord-limburg.yaml
REPLICATIONS ?= 5
SEED ?= 1
LOCK := requirements.lock
UV_VERSION := 0.13.9

.PHONY: run test install lock bench bench-against schema clean app

# Installs exactly the versions of requirements.lock (hashes checked), then the project itself
# without resolving anything; the lock's setuptools builds it (--no-build-isolation).
$(STAMP): pyproject.toml $(LOCK)
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	$(BIN)/python -m ipykernel install --sys-prefix --name simulation --display-name "Python 3 (simulation)" >/dev/null
	@cp $(LOCK) $(STAMP)   # the stamp is the lock it installed (tests/unit/test_packaging.py compares them)

install: $(STAMP)

## make lock: re-resolve requirements.lock after a change of pyproject.toml (keeps every pin that still fits);
## make lock UPGRADE=1: move every package to its newest allowed version. Then run make test.
lock:
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet 'uv==$(UV_VERSION)'
	$(BIN)/python -c "import tomllib; print(*tomllib.load(open('pyproject.toml', 'rb'))['build-system']['requires'], sep='\n')" \
		| $(BIN)/uv pip compile pyproject.toml - --extra dev --extra dask --universal --python-version 3.11 \
		--generate-hashes --custom-compile-command 'make lock' $(if $(UPGRADE),--upgrade) --quiet -o $(LOCK)

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

## make bench: in one run, every figure of issue 16 with its target (README "Speed and memory"): the model
## against bare SimPy, Ciw and the plain-Python floor (M/M/c), start-up, the default scenario, the slow path
## (shared clock), compare, the what-if page, the sizes x1/x16/x65 (synthetic national size) and the sweep.
## About 25 minutes on 2 cores; the output is also kept in outputs/bench/make-bench-<UTC time>.txt with the commit,
## the machine and the load. make bench ONLY=peers,startup runs a subset; each script also runs alone
## (benchmarks/*.py, their docstrings say how).
bench: $(STAMP)
	$(BIN)/python benchmarks/bench_all.py $(if $(ONLY),--only $(ONLY))

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
