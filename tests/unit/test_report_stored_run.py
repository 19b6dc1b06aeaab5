"""A notebook's baseline from a stored run (report/stored_run.py): read when it is the same run, else simulated."""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from simulation import simulate
from simulation.cli.main import main
from simulation.config.scenario import load_scenario
from simulation.report import manifest as report_manifest
from simulation.report.stored_run import RECORD, baseline, find_stored_run

SMOKE = Path(__file__).resolve().parents[1] / "data" / "smoke.yaml"
SEED, REPS = 3, 1


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """A tiny stored run as ``make run`` writes it: outputs/runs/<scenario file stem>/."""
    root = tmp_path_factory.mktemp("runs")
    assert main(["run", str(SMOKE), "--seed", str(SEED), "--replications", str(REPS), "--quiet",
                 "--set", "horizon_years=1", "--out", str(root / "smoke")]) == 0
    return root


def _scenario():
    return load_scenario(SMOKE, overrides={"horizon_years": 1})


def test_the_stored_run_is_read_and_equals_a_new_simulation(runs, tmp_path):
    sc = _scenario()
    stored = baseline(SMOKE, sc, SEED, REPS, out_dir=tmp_path, runs=runs)
    assert stored.reused and stored.run.endswith("smoke"), stored.reason
    assert "uit de opgeslagen run" in stored.sentence
    fresh = simulate(sc, seed=SEED, replications=REPS)
    pd.testing.assert_frame_equal(stored.result.events, fresh.events)
    pd.testing.assert_frame_equal(stored.result.kpis, fresh.kpis)
    assert stored.result.state_at_horizon == fresh.state_at_horizon
    assert stored.result.warmup_description == fresh.warmup_description
    assert json.loads((tmp_path / RECORD).read_text())["source"] == "opgeslagen run"


@pytest.mark.parametrize("change, why", [
    ({"seed": SEED + 1}, "seed 3, deze pagina 4"),
    ({"replications": REPS + 1}, "1 replicaties, deze pagina 2"),
    ({"horizon": 2}, "horizon 365 dagen"),
])
def test_another_seed_replications_or_horizon_is_simulated_and_says_why(runs, tmp_path, change, why):
    sc = load_scenario(SMOKE, overrides={"horizon_years": change.get("horizon", 1)})
    if "horizon" in change:   # nothing simulated: only the reason is checked (a 2-year run costs seconds)
        folder, reason = find_stored_run(SMOKE, sc, SEED, REPS, runs)
        assert folder is None and why in reason
        return
    out = baseline(SMOKE, sc, change.get("seed", SEED), change.get("replications", REPS), out_dir=tmp_path,
                   runs=runs)
    assert not out.reused and why in out.reason and "opnieuw gesimuleerd" in out.sentence
    assert json.loads((tmp_path / RECORD).read_text())["source"] == "opnieuw gesimuleerd"


def test_another_scenario_file_is_not_taken_for_the_stored_one(runs, tmp_path):
    other = tmp_path / "smoke.yaml"
    other.write_text(SMOKE.read_text(encoding="utf-8") + "\n# a comment changes the file's hash\n", encoding="utf-8")
    folder, reason = find_stored_run(other, _scenario(), SEED, REPS, runs)
    assert folder is None and "een ander scenariobestand" in reason


def test_no_stored_run_at_all(tmp_path):
    folder, reason = find_stored_run(SMOKE, _scenario(), SEED, REPS, tmp_path / "none")
    assert folder is None and "geen opgeslagen run" in reason


def test_the_report_manifest_lists_the_notebooks_that_reused_a_run_and_skips_an_unset_scenario():
    entries = {
        "01_quick_start": {"parameters": {"scenario": "params/a.yaml", "seed": 1}, "files": {"params/a.yaml": "f" * 64},
                           "baseline": {"source": "opgeslagen run", "run": "outputs/runs/a"}, "run": "r"},
        "02_calibration_2019": {"parameters": {"scenario": "params/a.yaml", "seed": 1}, "files": {}, "run": "r",
                                "baseline": {"source": "opnieuw gesimuleerd", "run": None, "reason": "seed"}},
        "08_evaluatie_2022": {"parameters": {"scenario": None, "seed": 1}, "files": {}, "run": "r"},
    }
    manifest = {"notebooks": entries}
    report_manifest.summary(manifest)
    assert manifest["reused_runs"] == {"01_quick_start": "outputs/runs/a"}
    assert manifest["scenario"] == {"path": "params/a.yaml", "sha256": "f" * 64}, "08's unset scenario is not another"
    rows = dict(report_manifest.provenance_line(entries["02_calibration_2019"]))
    assert rows["Basisrun"] == "opnieuw gesimuleerd (seed)"
    assert "Scenario" not in dict(report_manifest.provenance_line(entries["08_evaluatie_2022"]))
