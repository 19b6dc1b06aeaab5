"""Sweeps: same results on every executor, resume, failed runs, common random numbers, sequential CIs."""
import copy
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from simulation.experiment import store
from scenarios import sweep_dict
from simulation.cli.main import main
from simulation.analysis.kpis import summarise
from simulation.experiment.sweep import (SweepError, load_sweep, paired_differences, precision_reached, run_sweep,
                              summarise_long, sweep_from_dict)

DATA = Path(__file__).resolve().parents[1] / "data"


def test_sweep_file_from_yaml_runs_from_python(tmp_path):
    result = run_sweep(DATA / "sweep_smoke.yaml", out=tmp_path / "out", executor="sequential", progress=False)
    assert result.ok and result.done == 4 * 2
    assert sorted(result.replications) == ["plekken+growth=0.0", "plekken+growth=0.05",
                                           "trajecten+growth=0.0", "trajecten+growth=0.05"]
    growth = yaml.safe_load((tmp_path / "out" / "scenarios" / "trajecten+growth=0.05.yaml").read_text())
    assert growth["segments"]["S1"]["instroom"]["growth"] == 0.05
    assert growth["providers"]["P1"]["plekken"]["B"] == {"S2": 30}
    assert growth["warmup"]["days"] == 180


def test_resume_skips_complete_runs_and_reruns_half_written(tmp_path):
    out = tmp_path / "out"
    first = run_sweep(sweep_dict(), out=out, executor="sequential", progress=False)
    assert (first.done, first.skipped) == (4, 0)
    keep = store.run_dir(out, "plekken", 0) / "run.json"
    stamp = keep.read_text()
    # a run killed while writing: its folder exists but run.json (written last) does not
    half = store.run_dir(out, "trajecten", 1)
    (half / "run.json").unlink()
    # and a temporary folder a killed worker left behind
    leftover = half.parent / ".tmp-replication=0-abc"
    leftover.mkdir()
    (leftover / "kpis.parquet").write_bytes(b"PAR1 half")
    assert len(store.complete_runs(out)) == 3

    again = run_sweep(sweep_dict(), out=out, executor="sequential", progress=False)
    assert (again.done, again.skipped) == (1, 3)
    assert keep.read_text() == stamp, "a complete run is not rewritten"
    assert store.is_complete(half) and not leftover.exists()
    pd.testing.assert_frame_equal(first.kpis("groep"), again.kpis("groep"))

    # a changed sweep (another seed) does not reuse runs of the old one
    other = run_sweep(sweep_dict(seed=8), out=out, executor="sequential", progress=False)
    assert (other.done, other.skipped) == (4, 0)


def test_failing_runs_are_reported_and_the_others_complete(tmp_path, monkeypatch, capsys):
    import simulation.experiment.runner as experiment

    spec = sweep_dict(variants=[
        {"name": "plekken"},
        {"name": "kapot", "set": {"segments.S1.instroom.growth": -2}},   # invalid: growth > -1
    ])
    original = experiment.run_replication

    def flaky(scenario, seed, replication):
        if scenario.name.endswith("plekken") and replication == 1:
            raise RuntimeError("simulated crash in the model")
        return original(scenario, seed, replication)

    monkeypatch.setattr(experiment, "run_replication", flaky)
    out = tmp_path / "out"
    result = run_sweep(spec, out=out, executor="sequential", progress=False)
    failed = {(f["scenario"], f["replication"]) for f in result.failures}
    assert failed == {("kapot", 0), ("kapot", 1), ("plekken", 1)}
    assert store.is_complete(store.run_dir(out, "plekken", 0))
    crash = next(f for f in result.failures if f["scenario"] == "plekken")
    assert crash["seed"] == 7 and "Traceback" in crash["traceback"] and "simulated crash" in crash["traceback"]
    invalid = next(f for f in result.failures if f["scenario"] == "kapot")
    assert "segments.S1.instroom.growth" in invalid["traceback"] and "groter zijn dan -1" in invalid["traceback"]
    text = (out / "failures" / "plekken__r1.txt").read_text()
    assert "scenario: plekken" in text and "seed: 7" in text and "simulated crash" in text
    err = capsys.readouterr().err
    assert "FAILED scenario=plekken replication=1 seed=7" in err and "INVALID scenario=kapot" in err
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "complete with failed runs" and len(manifest["failures"]) == 3
    assert set(result.summary["scenario"]) == {"plekken"}

    # rerun without the crash: only the failed model run is redone; the invalid scenario still fails
    monkeypatch.setattr(experiment, "run_replication", original)
    again = run_sweep(spec, out=out, executor="sequential", progress=False)
    assert again.done == 1 and {f["scenario"] for f in again.failures} == {"kapot"}
    assert not (out / "failures" / "plekken__r1.txt").exists()


def test_failed_runs_in_worker_processes_via_cli(tmp_path, capsys):
    path = tmp_path / "sweep.yaml"
    spec = sweep_dict(variants=[{"name": "plekken"}, {"name": "kapot", "set": {"horizon_years": 0}}],
                      replications=1)
    path.write_text(yaml.safe_dump(spec), encoding="utf-8")
    code = main(["sweep", str(path), "--out", str(tmp_path / "out"), "--executor", "processes",
                 "--workers", "2", "--quiet"])
    captured = capsys.readouterr()
    assert code == 1
    assert "scenario=kapot seed=7 replicatie(s) 0" in captured.err and "horizon_years" in captured.err
    assert "1 run(s) gedaan" in captured.out


def test_common_random_numbers_across_variants(tmp_path):
    out = tmp_path / "out"
    run_sweep(sweep_dict(), out=out, executor="sequential", progress=False)

    def first_arrivals(scenario, replication):
        ev = store.load_events(out, scenario, replication)
        initial = set(ev.loc[ev["event"] == "beginstand", "client"])
        arr = ev[(ev["event"] == "aanmelding") & ~ev["client"].isin(initial)]
        return arr.groupby("client")["day"].min().sort_index()

    a0, b0 = first_arrivals("plekken", 0), first_arrivals("trajecten", 0)
    assert len(a0) > 100
    pd.testing.assert_series_equal(a0, b0)
    a1 = first_arrivals("plekken", 1)
    assert not a0.equals(a1), "another replication sees other clients"
    # and the variants differ in what happens to those clients
    k = store.load_kpis(out, "totaal")
    wait = k.groupby("scenario")["wacht_dagen_gem"].mean()
    assert wait["plekken"] != wait["trajecten"]


def test_sequential_procedure_stops_at_target(tmp_path):
    spec = sweep_dict(replications=None, variants=[{"name": "plekken"}],
                      precision={"kpis": ["instroom"], "relative_half_width": 0.95, "initial": 2, "batch": 2,
                                 "max": 6})
    result = run_sweep(spec, out=tmp_path / "out", executor="sequential", progress=False)
    assert result.replications == {"plekken": 2}
    assert result.stop_reason["plekken"].startswith("target reached")
    assert result.summary.query("kpi == 'instroom'")["n"].eq(2).all()


def test_sequential_procedure_stops_at_max_and_adds_batches(tmp_path):
    spec = sweep_dict(replications=None, variants=[{"name": "plekken"}],
                      precision={"kpis": ["instroom", "wacht_dagen_gem"], "relative_half_width": 1e-6,
                                 "initial": 2, "batch": 2, "max": 5})
    out = tmp_path / "out"
    result = run_sweep(spec, out=out, executor="sequential", progress=False)
    assert result.replications == {"plekken": 5} and (result.done, result.skipped) == (5, 0)
    assert result.stop_reason["plekken"].startswith("maximum of 5 replications reached")
    assert sorted(result.kpis()["replication"].unique()) == [0, 1, 2, 3, 4]
    # rerun with a looser target: the procedure replays on stored runs and stops earlier
    looser = copy.deepcopy(spec)
    looser["precision"].update(kpis=["instroom"], relative_half_width=0.99)   # met with 2 replications
    again = run_sweep(looser, out=out, executor="sequential", progress=False)
    assert again.replications == {"plekken": 2} and again.done == 0 and set(again.kpis()["replication"]) == {0, 1}


def test_precision_check_ignores_kpi_years_without_values():
    from simulation.experiment.sweep import Precision

    kpi = pd.DataFrame({"replication": [0, 1, 0, 1], "year": [1, 1, 2, 2],
                        "instroom": [100.0, 102.0, 100.0, 101.0], "recidive_365": [0.2, 0.2, np.nan, np.nan]})
    met, worst = precision_reached(kpi, Precision(kpis=["instroom", "recidive_365"], relative_half_width=0.2,
                                                  initial=2))
    assert met and 0 < worst < 0.2
    met, _ = precision_reached(kpi, Precision(kpis=["instroom"], relative_half_width=0.01, initial=2))
    assert not met


def test_summary_store_query_and_manifest(tmp_path):
    out = tmp_path / "out"
    result = run_sweep(sweep_dict(replications=3), out=out, executor="sequential", progress=False)
    totaal = store.load_kpis(out, "totaal")
    assert len(totaal) == 2 * 3 and {"sweep", "scenario", "replication", "year"} <= set(totaal.columns)
    narrow = store.load_kpis(tmp_path, "groep", scenarios=["trajecten"], columns=["instroom"])
    assert set(narrow["scenario"]) == {"trajecten"} and "wacht_dagen_gem" not in narrow
    assert {"municipality", "segment", "provider", "instroom"} <= set(narrow.columns)
    # mean and CI agree with metrics.summarise; sd is there too
    s = result.summary.query("scenario == 'plekken' and kpi == 'wacht_dagen_gem'").iloc[0]
    ref = summarise(totaal[totaal["scenario"] == "plekken"].drop(columns=["sweep", "scenario"]),
                    columns=["wacht_dagen_gem"]).iloc[0]
    assert s["gem"] == pytest.approx(ref["wacht_dagen_gem_gem"])
    assert s["ci_hoog"] == pytest.approx(ref["wacht_dagen_gem_ci_hoog"])
    assert s["sd"] > 0 and s["n"] == 3
    assert (out / "summary.csv").exists()
    runs = store.load_runs(out)
    assert len(runs) == 6 and set(runs["seed"]) == {7} and runs["scenario_hash"].nunique() == 2
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["seed"] == 7 and manifest["status"] == "complete"
    assert manifest["versions"]["pyarrow"] and "git_commit" in manifest
    assert manifest["scenarios"]["trajecten"]["overrides"]["providers.P1.plekken.B"] == {"S2": 30}
    assert len(manifest["run_list"]) == 6
    # paired differences on common random numbers
    diff = paired_differences(totaal, "plekken", columns=["instroom", "wacht_dagen_gem"])
    assert set(diff["scenario"]) == {"trajecten"}
    row = diff.query("kpi == 'wacht_dagen_gem'").iloc[0]
    by_rep = totaal.pivot(index="replication", columns="scenario", values="wacht_dagen_gem")
    assert row["verschil_gem"] == pytest.approx((by_rep["trajecten"] - by_rep["plekken"]).mean())
    assert row["n"] == 3 and row["ci_laag"] <= row["verschil_gem"] <= row["ci_hoog"]


@pytest.mark.parametrize("mutate, expected", [
    (lambda d: d.update(replicaties=3), "replicaties: onbekend veld"),
    (lambda d: d.update(precision={"kpis": ["instroom"], "relative_half_width": 0.1}),
     "geef precies een van replications"),
    (lambda d: d.pop("scenario"), "geef precies een van base"),
    (lambda d: d.update(replications=0), "replications: moet 1 of meer zijn"),
    (lambda d: d.update(replications=None, precision={"kpis": ["wachttijd"], "relative_half_width": 0.1}),
     "precision.kpis: onbekende KPI"),
    (lambda d: d.update(replications=None, precision={"kpis": ["instroom"], "relative_half_width": 0.1,
                                                      "initial": 10, "max": 5}), "precision.max: max moet minstens initial"),
    (lambda d: d["variants"].append({"name": "plekken"}), "variants: de namen van de varianten moeten verschillen"),
    (lambda d: d["variants"].append({"name": "met spatie"}), "variants.2.name: moet voldoen aan het patroon"),
    (lambda d: d.update(grid={"segments.S1.instroom.growth": []}), "grid.segments.S1.instroom.growth"),
])
def test_sweep_file_errors_name_file_and_field(tmp_path, mutate, expected):
    spec = sweep_dict()
    mutate(spec)
    path = tmp_path / "fout.yaml"
    path.write_text(yaml.safe_dump(spec), encoding="utf-8")
    with pytest.raises(SweepError) as info:
        load_sweep(path)
    message = str(info.value)
    assert str(path) in message and "in het sweepbestand" in message
    assert expected in message, message


def test_missing_base_file_and_cli_check(tmp_path, capsys):
    path = tmp_path / "s.yaml"
    spec = sweep_dict()
    spec.pop("scenario")
    spec["base"] = "bestaat-niet.yaml"
    path.write_text(yaml.safe_dump(spec), encoding="utf-8")
    assert main(["sweep", str(path), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "bestaat-niet.yaml niet gevonden" in err and "relatief ten opzichte van het sweepbestand" in err
    assert main(["sweep", str(DATA / "sweep_smoke.yaml"), "--check"]) == 0
    out = capsys.readouterr().out
    assert "4 scenario('s) x 2 replicatie(s), seed 2022; 0 ongeldig" in out


def test_sweep_from_dict_refuses_non_mapping():
    with pytest.raises(SweepError, match="verwacht bovenaan een mapping"):
        sweep_from_dict([1, 2])


def test_summarise_long_relative_half_width():
    kpi = pd.DataFrame({"scenario": "a", "year": 2022, "replication": range(4), "instroom": [10.0, 12, 8, 10]})
    row = summarise_long(kpi, columns=["instroom"]).iloc[0]
    assert row["gem"] == 10 and row["sd"] == pytest.approx(np.std([10, 12, 8, 10], ddof=1))
    assert row["rel_halve_breedte"] == pytest.approx(row["halve_breedte"] / 10)
    assert row["ci_laag"] < 10 < row["ci_hoog"]
