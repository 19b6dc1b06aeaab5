"""The steady state reused: across a scenario's replications and across scenarios that share municipalities.

``SteadyState`` depends on neither seed nor replication, and per municipality only on what its
traffic equations read (``SteadyState.solve_municipality``): the segments (distributions, shares,
recidive, instroom growth and base year; not the instroom's figures of other municipalities), the
providers' maatwerk factors, the municipality's own instroom per segment and provider choice, and
the warm-up start (t0, year fraction). Those are the keys here, so a shard whose municipalities
are copies of another shard's (``shards.synthetic``), or the same municipality in another
shard's scenario, reuses that solution, and the distribution grids are shared by every scenario
with the same segments and maatwerk factors. The values are the ones a fresh ``SteadyState``
computes, bit for bit (tests/unit/test_steady_cache.py). Both stores are bounded (least recently
used out). One process-wide cache (``entry.steady_state``); its solutions are read, never written.
"""
from __future__ import annotations

import json
from collections import OrderedDict

from simulation.config.scenario import Scenario
from simulation.core.compiled import CompiledScenario
from simulation.core.steady_state import SteadyState

MAX_MUNICIPALITIES = 1024   # solutions kept: a few kB each
MAX_GRIDS = 1               # distribution grid sets kept: 130 MB for the default region (its in-care atoms)


def distributions_key(scenario: Scenario, tables: CompiledScenario) -> str:
    """What the grids and the equations read besides a municipality's own figures (in the scenario's
    order: segments and traject types are numbered by it)."""
    segments = [(name, seg.model_dump(mode="json", exclude={"instroom": {"per_year"}}))
                for name, seg in scenario.segments.items()]
    return json.dumps([segments, sorted(tables.maatwerk.items()), len(tables.prov_names)])


def municipality_key(scenario: Scenario, tables: CompiledScenario, municipality: int) -> tuple:
    """A municipality's own inputs: its instroom per segment and its provider choice per segment."""
    name = tables.mun_names[municipality]
    return (tuple(scenario.instroom_per_year(name, s) for s in tables.seg_names),
            tuple((tuple(p), tuple(c)) for p, c in (tables.choice[(municipality, s)]
                                                     for s in range(len(tables.seg_names)))))


class SteadyStateCache:
    """Municipality solutions and distribution grids by content, least recently used out."""

    def __init__(self, max_municipalities: int = MAX_MUNICIPALITIES, max_grids: int = MAX_GRIDS):
        self.max_municipalities, self.max_grids = max_municipalities, max_grids
        self._solved: OrderedDict = OrderedDict()
        self._grids: OrderedDict = OrderedDict()
        self.hits = self.misses = 0

    def clear(self) -> None:
        self._solved.clear()
        self._grids.clear()
        self.hits = self.misses = 0

    def steady_state(self, scenario: Scenario, tables: CompiledScenario, t0: float,
                     year_fraction: float) -> SteadyState:
        """The ``SteadyState`` of the scenario, from the solutions and grids kept where they match."""
        shared = distributions_key(scenario, tables)
        grid = _lookup(self._grids, shared, self.max_grids, dict)

        def solve(steady: SteadyState, municipality: int) -> tuple:
            key = (shared, t0, year_fraction, municipality_key(scenario, tables, municipality))
            solved = self._solved.get(key)
            if solved is None:
                self.misses += 1
                return _lookup(self._solved, key, self.max_municipalities,
                               lambda: SteadyState.solve_municipality(steady, municipality))
            self.hits += 1
            self._solved.move_to_end(key)
            return solved

        return SteadyState(scenario, tables, t0, year_fraction, grid=grid, solve=solve)


def _lookup(store: OrderedDict, key, limit: int, make):
    """``store[key]`` (made by ``make()`` when missing), the store kept to ``limit`` entries."""
    if key in store:
        store.move_to_end(key)
        return store[key]
    value = make()
    if limit > 0:
        store[key] = value
        while len(store) > limit:
            store.popitem(last=False)
    return value
