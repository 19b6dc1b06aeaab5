"""The experiment layer: one design for compare and sweeps, compare keeping event logs, the atomic folder
writer, provenance, the runner of replications."""
import copy
from pathlib import Path

import pandas as pd
import pytest
import yaml

from simulation.config.scenario import ScenarioError
from simulation.experiment import design, provenance, runner, store
from simulation.experiment.compare import compare, variant_specs
from simulation.experiment.sweep_file import SweepError

SMOKE = yaml.safe_load((Path(__file__).resolve().parents[1] / "data" / "smoke.yaml").read_text(encoding="utf-8"))
SHORT = {"horizon_years": 1, "warmup": {"days": 90}}
VARIANTS = Path(__file__).resolve().parents[2] / "params" / "variants"


def test_expand_is_variants_times_grid_with_overrides_in_order():
    specs = design.expand(copy.deepcopy(SMOKE), [("a", {}), ("b", {"providers.P1.plekken.B": {"S2": 30}})],
                          grid={"segments.S1.instroom.growth": [0.0, 0.05]}, common=SHORT)
    assert [s.name for s in specs] == ["a+growth=0.0", "a+growth=0.05", "b+growth=0.0", "b+growth=0.05"]
    last = specs[-1]
    assert last.overrides == {**SHORT, "providers.P1.plekken.B": {"S2": 30}, "segments.S1.instroom.growth": 0.05}
    assert last.scenario.name == f"{SMOKE['name']}.b+growth=0.05" and last.json
    assert [(s.name, r) for s, r in design.runs(specs[:2], 2)] == [
        ("a+growth=0.0", 0), ("a+growth=0.0", 1), ("a+growth=0.05", 0), ("a+growth=0.05", 1)]
    kept = design.expand(SMOKE, [("x", {"segments.S1.instroom.growth": -2})])
    assert kept[0].scenario is None and "groter zijn dan -1" in kept[0].error
    with pytest.raises(ScenarioError, match="variant x"):
        design.expand(SMOKE, [("x", {"segments.S1.instroom.growth": -2})], source=lambda n: f"variant {n}",
                      keep_errors=False)
    with pytest.raises(SweepError, match="twee scenario's krijgen de naam"):
        design.expand(SMOKE, [("a", {}), ("a", {})])


def test_compare_variants_keep_the_base_name_and_can_keep_their_event_logs():
    base = yaml.safe_load((VARIANTS / "funding-demo.base.yaml").read_text(encoding="utf-8")) | {"horizon_years": 1}
    overlay = yaml.safe_load((VARIANTS / "trajecten-venlo.yaml").read_text(encoding="utf-8"))
    variants = {"trajecten": VARIANTS / "trajecten-venlo.yaml",
                "meer": {**overlay, "segments.S3.instroom.per_year": 200}}
    with pytest.raises(ScenarioError, match="variant meer"):
        variant_specs(base, {"meer": {"segments.S3.instroom.per_year": -1}})
    specs = variant_specs(base, variants)
    assert [s.name for s in specs] == ["trajecten", "meer"] and all(s.scenario.name == base["name"] for s in specs)
    plain = compare(base, variants, replications=2, seed=5)
    assert plain.events == {}
    kept = compare(base, variants, replications=2, seed=5, keep_events=True)
    assert set(kept.events) == set(variants) and set(kept.scenarios) == set(variants)
    again = runner.simulate(kept.scenarios["meer"], seed=5, replications=2)
    pd.testing.assert_frame_equal(kept.events["meer"], again.events)
    pd.testing.assert_frame_equal(kept.summary, plain.summary)


def test_atomic_folder_replaces_or_keeps_and_cleans_up(tmp_path):
    target = tmp_path / "out"
    with store.atomic_folder(target) as tmp:
        (tmp / "a.txt").write_text("1")
    assert (target / "a.txt").read_text() == "1"
    with store.atomic_folder(target) as tmp:
        (tmp / "b.txt").write_text("2")
    assert sorted(p.name for p in target.iterdir()) == [store.MARKER, "b.txt"], "the old folder is replaced"
    with store.atomic_folder(target, keep_existing=lambda f: True) as tmp:
        (tmp / "c.txt").write_text("3")
    assert sorted(p.name for p in target.iterdir()) == [store.MARKER, "b.txt"], "an existing folder to keep is kept"
    with pytest.raises(RuntimeError):
        with store.atomic_folder(target) as tmp:
            raise RuntimeError("half written")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"], "no temporary folder left"
    assert (target / "b.txt").exists()
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "thesis.docx").write_text("x")
    with pytest.raises(store.OutputFolderError, match="niet door dit programma geschreven"):
        with store.atomic_folder(mine) as tmp:
            (tmp / "a.txt").write_text("1")
    assert sorted(p.name for p in mine.iterdir()) == ["thesis.docx"], "a folder the tool did not write is kept"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine", "out"], "no temporary folder left"


def test_provenance_and_parallel_replications():
    versions = provenance.package_versions(provenance.SWEEP_PACKAGES)
    assert versions["python"] and versions["pandas"] and "distributed" in versions
    commit = provenance.git_commit()
    assert commit is None or len(commit.split("+")[0]) == 40
    scenario = design.expand(SMOKE, [("s", SHORT)], rename=False)[0].scenario
    one = runner.run_replications(scenario, 3, 2, workers=1)
    two = runner.run_replications(scenario, 3, 2, workers=2)
    for (a, state_a), (b, state_b) in zip(one, two):
        pd.testing.assert_frame_equal(a, b)
        assert state_a == state_b
