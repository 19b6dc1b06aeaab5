"""compare measures blocks of replications in its workers and keeps measured replications between
questions: the same frames, bit for bit, as measuring all replications at once, in any number of
processes, for any subset of the measures, from the cache."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml

from simulation.experiment import compare_cache, compare_runs, measures
from simulation.experiment.compare import MEASURES, compare

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "params" / "variants"
BASE = {**yaml.safe_load((DEMO / "funding-demo.base.yaml").read_text(encoding="utf-8")), "horizon_years": 1}
VARIANTS = {"geen": None, **{v: DEMO / f"{v}-venlo.yaml" for v in ("trajecten", "budget", "plekken")}}


def _equal(a, b, measures=None):
    for name in ("per_replication", "summary", "predictability", "assumptions"):
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name), check_exact=True)
    assert list(a.payments) == list(b.payments)
    for v in a.payments:
        pd.testing.assert_frame_equal(a.payments[v], b.payments[v], check_exact=True)


@pytest.fixture
def counted(monkeypatch):
    """The number of replications simulated (in this process: workers=1)."""
    calls = []
    run = compare_runs.run_replication
    monkeypatch.setattr(compare_runs, "run_replication", lambda *a, **k: calls.append(a[2]) or run(*a, **k))
    compare_cache.clear_memory()
    yield calls
    compare_cache.clear_memory()


def test_blocks_of_replications_give_the_frames_of_all_at_once(monkeypatch):
    base = {**BASE, "horizon_years": 2}
    monkeypatch.setattr(compare_runs, "BLOCK", 100)
    whole = compare(base, VARIANTS, replications=5, seed=2, cache=False)
    monkeypatch.setattr(compare_runs, "BLOCK", 2)
    assert compare_runs.blocks(range(5), 2) == [(0, 1), (2, 3, 4)]
    blocked = compare(base, VARIANTS, replications=5, seed=2, cache=False)
    assert whole.per_replication["year"].nunique() == 2 and whole.payments["trajecten"]["amount"].abs().sum() > 0
    _equal(whole, blocked)


def test_parallel_equals_sequential(monkeypatch):
    monkeypatch.setattr(compare_runs, "BLOCK", 2)
    one = compare(BASE, VARIANTS, replications=4, seed=3, cache=False)
    two = compare(BASE, VARIANTS, replications=4, seed=3, workers=2, cache=False)
    _equal(one, two)


def test_a_subset_of_measures_is_the_same_columns_of_the_full_run(counted):
    full = compare(BASE, VARIANTS, replications=3, seed=4, cache=False)
    for asked in (["uitgaven", "verrekening"], ["wacht_dagen_gem", "unieke_clienten"], ["clienten_per_plek"]):
        part = compare(BASE, VARIANTS, replications=3, seed=4, cache=False, measures=asked)
        keys = ["replication", "municipality", "year"]
        if "uitgaven" in asked:
            cols = keys + asked + ["variant"]
            pd.testing.assert_frame_equal(part.per_replication, full.per_replication[cols], check_exact=True)
            pd.testing.assert_frame_equal(part.predictability, full.predictability, check_exact=True)
        else:   # without money the rows are those with trajecten (every row here)
            merged = part.per_replication.merge(full.per_replication, on=keys + ["variant"], suffixes=("", "_full"))
            assert len(merged) == len(part.per_replication) > 0
            for col in asked:
                pd.testing.assert_series_equal(merged[col], merged[f"{col}_full"], check_names=False,
                                               check_exact=True)
        summary = full.summary[full.summary["measure"].isin(asked)]
        assert set(part.summary["measure"]) == set(asked)
        pd.testing.assert_frame_equal(part.summary.sort_values(["variant", "municipality", "year", "measure"])
                                      .reset_index(drop=True),
                                      summary.sort_values(["variant", "municipality", "year", "measure"])
                                      .reset_index(drop=True), check_exact=True)


def test_an_unknown_measure_is_named_with_the_valid_ones():
    with pytest.raises(ValueError, match="uitgave.*the measures are.*uitgaven"):
        compare(BASE, VARIANTS, replications=1, measures=["uitgave"])


def test_a_repeated_question_is_answered_from_the_cache(counted):
    first = compare(BASE, VARIANTS, replications=3, seed=5)
    assert sorted(counted) == [0, 0, 0, 1, 1, 1, 2, 2, 2]   # 3 flow groups: geen, trajecten+budget, plekken
    counted.clear()
    again = compare(BASE, VARIANTS, replications=3, seed=5)
    assert counted == []
    _equal(first, again)
    doubled = [{**c, "budget": c["budget"] * 2} if "budget" in c else c for c in _contracts("budget")]
    changed = dict(VARIANTS, budget={"funding": {"contracts": doubled}})
    compare(BASE, changed, replications=3, seed=5)
    assert sorted(counted) == [0, 1, 2]   # only the changed variant's group, once


def _contracts(name):
    return yaml.safe_load((DEMO / f"{name}-venlo.yaml").read_text(encoding="utf-8"))["funding"]["contracts"]


def test_the_cache_on_disk_survives_the_memory_and_leaves_other_files(counted, tmp_path):
    other = tmp_path / "notes.txt"
    other.write_text("mine", encoding="utf-8")
    first = compare(BASE, VARIANTS, replications=2, seed=6, cache=tmp_path)
    written = sorted(p.name for p in tmp_path.glob("compare-*.pkl"))
    assert len(written) == 4 * 2 and not list(tmp_path.glob(".compare-*"))
    compare_cache.clear_memory()
    counted.clear()
    again = compare(BASE, VARIANTS, replications=2, seed=6, cache=tmp_path)
    assert counted == []
    _equal(first, again)
    assert other.read_text(encoding="utf-8") == "mine"
    assert sorted(p.name for p in tmp_path.glob("compare-*.pkl")) == written


def test_the_flow_parts_are_measured_once_per_block_for_variants_that_differ_only_in_money(monkeypatch):
    """The default scenario's traject and PxQ designs (bench_compare's case): the yearly clients and waits and
    the units delivered are computed once per block and shared, and the frames are those of measuring every
    variant on its own."""
    scenario = ROOT / "params" / "noord-limburg.yaml"
    designs = {v: ROOT / "params" / "designs" / f"noord-limburg-{v}.yaml" for v in ("traject", "pxq")}
    calls = []
    for name in ("_yearly", "delivered_units"):
        fn = getattr(measures, name)
        monkeypatch.setattr(measures, name, lambda *a, _fn=fn, _n=name, **k: calls.append(_n) or _fn(*a, **k))
    shared = compare(scenario, designs, replications=2, seed=5, cache=False)
    assert sorted(calls) == ["_yearly", "delivered_units"]   # one block, two variants
    tagged = measures.tagged
    monkeypatch.setattr(compare_runs, "tagged", lambda *a: tagged(*a[:6]))   # every variant alone, as before
    alone = compare(scenario, designs, replications=2, seed=5, cache=False)
    assert len(calls) == 6 and shared.payments["pxq"]["amount"].abs().sum() > 0
    _equal(shared, alone)
