"""The steady-state cache gives a fresh SteadyState's values bit for bit, reuses a municipality across
scenarios only when its own inputs match, and stays within its bounds."""
import copy
from pathlib import Path

import numpy as np
from simulation.config.scenario import load_scenario, scenario_from_dict
from simulation.core.compiled import CompiledScenario
from simulation.core.steady_cache import SteadyStateCache, distributions_key
from simulation.core.steady_state import SteadyState
from simulation.experiment.shards.plan import ShardPlan
from simulation.experiment.shards.synthetic import replicate

ROOT = Path(__file__).resolve().parents[2]
T0, YEAR = -365.0, 2024.0


def _raw(copies):
    return replicate(load_scenario(ROOT / "params/noord-limburg.yaml").model_dump(mode="json"), copies)


def _same(a: SteadyState, b: SteadyState, mun_a=None, mun_b=None):
    mun_a = range(len(a.rates)) if mun_a is None else mun_a
    mun_b = range(len(b.rates)) if mun_b is None else mun_b
    for i, j in zip(mun_a, mun_b, strict=True):
        assert a.spaces[i].states == b.spaces[j].states
        for name in ("rates", "caseload", "pending", "entering", "toegang"):
            x, y = getattr(a, name)[i], getattr(b, name)[j]
            assert x.dtype == y.dtype and x.tobytes() == y.tobytes(), name


def test_shards_reuse_the_full_scenarios_municipalities_bit_for_bit():
    full = scenario_from_dict(_raw(2), source="x2")
    cache = SteadyStateCache()
    cached_full = cache.steady_state(full, CompiledScenario(full), T0, YEAR)
    assert cache.hits == 7 and cache.misses == 7   # copy 1 is copy 0's figures again
    plan = ShardPlan(full)
    assert len(plan.shards) == 2
    shard = plan.scenario_of(plan.shards[1])
    tables = CompiledScenario(shard)
    cached = cache.steady_state(shard, tables, T0, YEAR)
    assert cache.misses == 7 and cache.hits == 14
    fresh = SteadyState(shard, tables, T0, YEAR)
    _same(fresh, cached)
    _same(SteadyState(full, CompiledScenario(full), T0, YEAR), cached_full)
    _same(cached_full, cached, range(7, 14), range(7))
    rng = np.random.default_rng(0)
    u = rng.random((50, 3))
    for key in [k for k in fresh._grid if k[0] == "atoms"][:5]:   # the shared grids draw what fresh ones draw
        _, kind, ext, provider, _ = key
        for x, y in zip(fresh.draw_in_care(kind, ext, provider, u, 0.0), cached.draw_in_care(kind, ext, provider, u, 0.0)):
            assert x.tobytes() == y.tobytes()


def test_a_municipality_with_other_figures_is_solved_again():
    raw = _raw(1)
    cache = SteadyStateCache()
    first = scenario_from_dict(copy.deepcopy(raw), source="a")
    cache.steady_state(first, CompiledScenario(first), T0, YEAR)
    segment = next(iter(raw["segments"]))
    per_year = raw["segments"][segment]["instroom"]["per_year"]   # replicate gives one figure per municipality
    venlo = "Venlo"
    raw["segments"][segment]["instroom"]["per_year"] = {m: v * (1.5 if m == venlo else 1.0) for m, v in per_year.items()}
    second = scenario_from_dict(raw, source="b")
    tables = CompiledScenario(second)
    misses = cache.misses
    cached = cache.steady_state(second, tables, T0, YEAR)
    assert cache.misses == misses + 1   # Venlo only; the others' figures are unchanged
    _same(SteadyState(second, tables, T0, YEAR), cached)
    other = cache.steady_state(second, tables, T0 - 1, YEAR)   # another start: solved again
    assert cache.misses == misses + 1 + 7
    _same(SteadyState(second, tables, T0 - 1, YEAR), other)


def test_the_stores_are_bounded():
    scenario = scenario_from_dict(_raw(1), source="x1")
    tables = CompiledScenario(scenario)
    cache = SteadyStateCache(max_municipalities=3, max_grids=1)
    for year in (2024.0, 2025.0):
        cache.steady_state(scenario, tables, T0, year)
    assert len(cache._solved) == 3 and len(cache._grids) == 1 and cache.misses == 14
    none = SteadyStateCache(max_municipalities=0, max_grids=0)
    _same(none.steady_state(scenario, tables, T0, 2024.0), SteadyState(scenario, tables, T0, 2024.0))
    assert not none._solved and not none._grids


def test_segments_in_another_order_are_another_key():
    """Segments and traject types are numbered by their order, so the order is part of the key."""
    raw = _raw(1)
    first = scenario_from_dict(copy.deepcopy(raw), source="a")
    raw["segments"] = dict(reversed(list(raw["segments"].items())))
    second = scenario_from_dict(raw, source="b")
    assert list(second.segments) != list(first.segments)
    assert distributions_key(first, CompiledScenario(first)) != distributions_key(second, CompiledScenario(second))
