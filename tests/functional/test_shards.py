"""A region in shards gives the full run's results: the logs restricted to each shard's municipalities
row for row, the merged log in canonical order, the KPI and payment tables bit for bit, on every executor."""
import copy
import sys
from pathlib import Path

import numpy as np
from simulation.config.scenario import load_scenario, scenario_from_dict
from simulation.core import entry
from simulation.core.steady_cache import SteadyStateCache
from simulation.experiment.executors import DaskExecutor
from simulation.experiment.runner import simulate
from simulation.experiment.shards.combine import canonical_log, read_parquet_log, simulate_sharded
from simulation.experiment.shards.plan import ShardPlan
from simulation.experiment.shards.run import STAGES, log_name
from simulation.experiment.shards.synthetic import replicate
from simulation.funding.payments import compute_payments

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))
from golden.cases import scenario_cases  # noqa: E402


def _full(scenario, replications):
    result = simulate(scenario, seed=1, replications=replications)
    return result, compute_payments(scenario, events=result.events)


def _same_tables(full, fund, sharded):
    assert full.kpis.reset_index(drop=True).equals(sharded.kpis)
    for name in ("payments", "finals", "plekken"):
        a, b = getattr(fund, name).reset_index(drop=True), getattr(sharded, name)
        assert a.equals(b) or (len(a) == 0 and len(b) == 0), name
    assert full.state_at_horizon == sharded.state_at_horizon


def test_every_payment_rule_in_eight_shards():
    """The golden case with one contract variant per municipality (less instroom, a short warm-up from empty): 8 shards, 2 replications."""
    raw, replications = scenario_cases()["every-variant"]
    raw = copy.deepcopy(raw)
    raw["segments"]["S3"]["instroom"]["per_year"] = 250
    raw["warmup"] = {"initial_caseload": False, "days": 120}   # the steady state costs seconds per shard
    scenario = scenario_from_dict(copy.deepcopy(raw), source="every-variant")
    plan = ShardPlan(scenario)
    assert [s.municipalities for s in plan.shards] == [(m,) for m in scenario.municipalities]
    full, fund = _full(scenario, replications)
    sharded = simulate_sharded(scenario, seed=1, replications=replications, keep_events=True, plan=plan)
    assert canonical_log(full.events).equals(sharded.events)
    assert sharded.rows == len(full.events)
    assert len(sharded.payments) and len(sharded.plekken) and sharded.payments["contract"].nunique() == 9
    _same_tables(full, fund, sharded)


def test_shard_log_is_the_full_log_of_its_municipalities(tmp_path):
    """Row for row, in the full run's order, ids included; the Parquet files merge to the full log."""
    scenario = load_scenario(ROOT / "tests/data/smoke.yaml")
    plan = ShardPlan(scenario)
    assert len(plan.shards) == 2
    full, fund = _full(scenario, 2)
    sharded = simulate_sharded(scenario, seed=1, replications=2, out=tmp_path, plan=plan)
    for replication in range(2):
        for shard in plan.shards:
            own = read_parquet_log([tmp_path / log_name(replication, shard.index)])
            mask = (full.events["replication"] == replication) & full.events["municipality"].isin(shard.municipalities)
            assert own.equals(full.events[mask.to_numpy()].reset_index(drop=True))
    assert sharded.read_log().equals(canonical_log(full.events))
    _same_tables(full, fund, sharded)


def test_same_results_on_a_dask_cluster(tmp_path):
    """Replications and shards as tasks on a LocalCluster (2 worker processes, which write the logs):
    the local run's tables and log."""
    raw, _ = scenario_cases()["mginf"]   # 3 municipalities, so 3 shards
    scenario = scenario_from_dict(copy.deepcopy(raw), source="mginf")
    local = simulate_sharded(scenario, seed=3, replications=2, out=tmp_path / "local")
    with DaskExecutor(workers=2) as executor:
        remote = simulate_sharded(scenario, seed=3, replications=2, executor=executor, out=tmp_path / "dask")
    assert local.read_log().equals(remote.read_log())
    assert len(local.shards) == 3
    for name in ("kpis", "payments", "finals", "plekken"):
        assert getattr(local, name).equals(getattr(remote, name)), name
    assert local.state_at_horizon == remote.state_at_horizon
    assert np.isfinite(local.kpis["instroom"]).all()


def test_copies_reuse_the_steady_state_and_give_the_uncached_full_run(monkeypatch):
    """Three copies of the smoke region (6 shards, the steady state at the warm-up start): the shards
    reuse copy 0's steady state, and give the tables and log of the full run solved without the cache."""
    scenario = scenario_from_dict(replicate(load_scenario(ROOT / "tests/data/smoke.yaml").model_dump(mode="json"), 3),
                                  source="smoke x3")
    assert scenario.warmup.initial_caseload
    monkeypatch.setattr(entry, "STEADY_STATES", SteadyStateCache(max_municipalities=0, max_grids=0))
    full, fund = _full(scenario, 2)
    cache = SteadyStateCache()
    monkeypatch.setattr(entry, "STEADY_STATES", cache)
    sharded = simulate_sharded(scenario, seed=1, replications=2, keep_events=True)
    assert len(sharded.shards) == 6
    assert cache.misses == 2 and cache.hits == 6 * 2 - 2   # A and B once, then every shard and replication reuses
    assert canonical_log(full.events).equals(sharded.events)
    _same_tables(full, fund, sharded)
    assert set(sharded.stages) == set(STAGES) and sharded.stages["model"] > 0
    assert 0 < sum(sharded.stages.values()) <= sharded.cpu_seconds * 1.01 + 0.01
