"""Start-up stays light (issue 16 goal 4): ``import simulation`` and the command line's ``--help`` do not
import the heavy libraries, which are imported where they are used (simulation/_lazy.py). Nothing is
timed here (benchmarks/bench_startup.py measures the seconds); the checks read sys.modules of a fresh
interpreter, so they fail on a stray module-level import whatever the machine's speed.

One interpreter runs the steps in order and records the modules loaded after each; modules only
accumulate, so a step that finds none of them loaded would not load them on its own either.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("pandas", "scipy", "pyarrow", "matplotlib", "papermill", "nbformat", "nbconvert", "openpyxl", "panel",
         "jsonschema", "babel", "tqdm", "traitlets", "simpy",
         "simulation.core.model", "simulation.experiment.runner")   # the engine, which needs simpy
HELP = (["--help"], ["run", "--help"], ["validate", "--help"], ["schema", "--help"], ["notebook", "--help"],
        ["report", "--help"], ["sweep", "--help"], ["warmup", "--help"], ["calibrate", "--help"],
        ["export-records", "--help"], ["check-records", "--help"])

PROBE = """
import contextlib, io, json, sys
seen = {}
def step(name, code):
    with contextlib.redirect_stdout(io.StringIO()):
        try:
            exec(code, {})
        except SystemExit:
            pass
    seen[name] = sorted(n for n in HEAVY if n in sys.modules)
step("import simulation", "import simulation")
for argv in HELP:
    step(" ".join(argv), f"from simulation.cli.main import main; main({argv!r})")
step("public names", "from simulation import (simulate, compare, kpis, summarise, load_scenario, Scenario, "
                     "ScenarioError, SimulationResult, compute_payments)")
step("a scenario with contracts", "from simulation.config.scenario import load_scenario; "
     "assert load_scenario('params/noord-limburg.yaml').funding.contracts")
step("first use of pandas", "import simulation.analysis.tables as t; t.pd.DataFrame")
print(json.dumps(seen))
"""


@pytest.fixture(scope="module")
def loaded() -> dict[str, set[str]]:
    out = subprocess.run([sys.executable, "-c", f"HEAVY = {HEAVY!r}\nHELP = {HELP!r}\n{PROBE}"], cwd=ROOT, capture_output=True,
                         text=True)
    assert out.returncode == 0, out.stderr[-3000:]
    return {name: set(modules) for name, modules in json.loads(out.stdout.splitlines()[-1]).items()}


def test_import_simulation_loads_no_heavy_library_and_not_the_engine(loaded):
    assert loaded["import simulation"] == set()
    # simulation.simulate & co. import the engine (and simpy with it), not pandas
    assert loaded["public names"] == {"simpy", "simulation.core.model", "simulation.experiment.runner"}


@pytest.mark.parametrize("command", [" ".join(argv) for argv in HELP])
def test_help_loads_no_heavy_library_and_not_the_engine(loaded, command):
    # the commands that simulate reach the engine through a stand-in (simulation._lazy.LazyModule)
    assert loaded[command] == set()


def test_scenarios_validate_and_pandas_comes_on_first_use(loaded):
    # the variants registered on import simulation; the pydantic models are built at the first validation
    assert loaded["a scenario with contracts"] <= {"simpy", "simulation.core.model", "simulation.experiment.runner"}
    assert "pandas" in loaded["first use of pandas"]
