"""The scenario compiled into index tables for the hot path (shared by the engine and the cohort).

Municipalities, segments, providers and traject types are numbered by their order in the
scenario; every per-segment, per-type and per-(municipality, segment) fact a client's life
needs is looked up by those numbers, as plain lists and dicts (scalar form) and as numpy
arrays (vector form, for the cohort).
"""
from __future__ import annotations

from bisect import bisect_right
from itertools import accumulate

import numpy as np

from simulation.config.scenario import Outcomes, Scenario
from simulation.core import events as ev

NO = -1   # "none" in the integer arrays (no step-down type, no opschaling target, not chosen yet)


class TrajectType:
    """Pre-computed facts of one traject type for the hot path."""

    __slots__ = ("seg", "sample", "sample_verlenging", "sample_length_biased", "mean",
                 "outcome_cum", "step_down_to", "opschaling_to")


class CompiledScenario:
    """The scenario's numbered tables: names, traject types, segment facts, provider choice."""

    def __init__(self, scenario: Scenario):
        self.mun_names = list(scenario.municipalities)
        self.seg_names = list(scenario.segments)
        self.prov_names = list(scenario.providers)
        self._traject_types(scenario)
        segments = [scenario.segments[s] for s in self.seg_names]
        self.seg_vv = [seg.voorliggend_veld_share for seg in segments]
        self.seg_toegang = [seg.toegang_doorlooptijd.sampler() for seg in segments]
        self.seg_stacking = [seg.stacking_probability for seg in segments]
        self.seg_max_wait = [seg.max_wait_days for seg in segments]
        self.seg_recidive = [(seg.recidive.probability, seg.recidive.delay.sampler()) for seg in segments]
        self._providers(scenario)
        self._maatregelen(scenario)

    def _traject_types(self, scenario: Scenario) -> None:
        seg_index = {s: i for i, s in enumerate(self.seg_names)}
        self.type_names: list[str] = []
        self.types: list[TrajectType] = []
        type_index: dict[tuple[str, str], int] = {}
        for s in self.seg_names:
            for name in scenario.segments[s].traject_types:
                type_index[(s, name)] = len(self.type_names)
                self.type_names.append(name)
        self.seg_types: list[list[int]] = []       # per segment: its traject types' numbers
        self.seg_type_cum: list[list[float]] = []  # per segment: cumulative shares of those types
        for s in self.seg_names:
            segment = scenario.segments[s]
            names = list(segment.traject_types)
            self.seg_types.append([type_index[(s, n)] for n in names])
            self.seg_type_cum.append(list(accumulate(segment.traject_types[n].share for n in names)))
            for name in names:
                spec = segment.traject_types[name]
                traject_type = TrajectType()
                traject_type.seg = seg_index[s]
                traject_type.sample = spec.doorlooptijd.sampler()
                traject_type.sample_verlenging = (spec.verlenging_doorlooptijd or spec.doorlooptijd).sampler()
                traject_type.sample_length_biased = spec.doorlooptijd.ppf_length_biased
                traject_type.mean = spec.doorlooptijd.mean
                # cumulative outcome shares in the order of the Outcomes fields (events.OUTCOMES)
                traject_type.outcome_cum = list(accumulate(getattr(spec.outcomes, route)
                                                           for route in Outcomes.model_fields))
                traject_type.step_down_to = type_index[(s, spec.step_down_to)] if spec.step_down_to else None
                target = spec.opschaling_to
                traject_type.opschaling_to = ((seg_index[target.segment],
                                               type_index[(target.segment, target.traject_type)])
                                              if target else None)
                self.types.append(traject_type)

    def _providers(self, scenario: Scenario) -> None:
        seg_index = {s: i for i, s in enumerate(self.seg_names)}
        # provider choice per (municipality, segment): (providers, cumulative choice shares);
        # funding.flow may replace an entry (extra capacity leaves the ordinary choice)
        self.choice: dict[tuple[int, int], tuple[list[int], list[float]]] = {}
        self.maatwerk: dict[tuple[int, int], float] = {}   # (provider, segment) -> factor
        # open house: a provider with an entry_date has weight 0 before it. ``choice`` holds the choice at
        # the start of the warm-up; ``choice_from[key][k]`` the choice from day ``entry_days[k]`` on
        first, start = -float(scenario.warmup.days), scenario.start_date
        entry = {p: float((scenario.providers[p].entry_date - start).days) for p in self.prov_names
                 if scenario.providers[p].entry_date is not None}
        self.entry_days = sorted({d for d in entry.values() if d > first})
        self.choice_from: dict[tuple[int, int], list[tuple[list[int], list[float]]]] = {}
        for municipality_index, municipality in enumerate(self.mun_names):
            for segment_index, segment in enumerate(self.seg_names):
                names = scenario.providers_for(municipality, segment)
                key = (municipality_index, segment_index)
                self.choice[key] = self._choice(scenario, segment, [p for p in names if entry.get(p, first) <= first])
                if self.entry_days:
                    self.choice_from[key] = [self._choice(scenario, segment, [p for p in names if entry.get(p, first) <= d])
                                             for d in self.entry_days]
        for provider_index, provider in enumerate(self.prov_names):
            for segment, provider_segment in scenario.providers[provider].segments.items():
                self.maatwerk[(provider_index, seg_index[segment])] = provider_segment.maatwerk_factor

    def _choice(self, scenario: Scenario, segment: str, names: list[str]) -> tuple[list[int], list[float]]:
        """(provider numbers, cumulative choice shares) among ``names`` by their weights in ``segment``."""
        providers = [self.prov_names.index(p) for p in names]
        weights = [scenario.providers[p].segments[segment].weight for p in names]
        total = sum(weights)
        return providers, [c / total for c in accumulate(weights)]

    def choice_at(self, municipality: int, segment: int, day: float | None) -> tuple[list[int], list[float]]:
        """The provider choice on ``day`` (None: the start's, e.g. for the initial caseload)."""
        if day is not None and self.entry_days:
            k = bisect_right(self.entry_days, day)
            if k:
                return self.choice_from[(municipality, segment)][k - 1]
        return self.choice[(municipality, segment)]

    def _maatregelen(self, scenario: Scenario) -> None:
        """The measures (scenario.maatregelen) as day-stamped rules per traject type and per segment.

        ``type_factors[type]``: (from day, factor, outcome codes or None) in the scenario's order;
        ``seg_shift[segment]``: (from day, share, type numbers shifted, target segment, target type) or None.
        """
        seg_index = {s: i for i, s in enumerate(self.seg_names)}
        start = scenario.start_date
        self.type_factors: list[list[tuple]] = [[] for _ in self.types]
        self.seg_shift: list[tuple | None] = [None] * len(self.seg_names)
        self.factor_rules: list[tuple] = []   # (from day, factor, types, outcome codes or None), for the vector form
        for m in scenario.maatregelen:
            day = float((m.vanaf - start).days)
            types = [ti for s in m.segments for ti in self.seg_types[seg_index[s]]
                     if m.traject_types is None or self.type_names[ti] in m.traject_types]
            if m.doorlooptijd_factor != 1.0:
                routes = None if m.uitkomsten is None else frozenset(ev.REDENEN.index(r) for r in m.uitkomsten)
                for ti in types:
                    self.type_factors[ti].append((day, m.doorlooptijd_factor, routes))
                self.factor_rules.append((day, m.doorlooptijd_factor, types, routes))
            shift = m.ambulant_in_plaats_van_verblijf
            if shift is not None:
                target_seg = seg_index[shift.to.segment]
                target_type = self.seg_types[target_seg][list(scenario.segments[shift.to.segment].traject_types)
                                                         .index(shift.to.traject_type)]
                for s in m.segments:
                    si = seg_index[s]
                    self.seg_shift[si] = (day, shift.share, frozenset(t for t in types if self.types[t].seg == si),
                                          target_seg, target_type)
        self.has_factors = bool(self.factor_rules)
        self.has_shifts = any(x is not None for x in self.seg_shift)

    def reach(self, segment: int) -> set[int]:
        """The segments a client who starts in ``segment`` can reach: its own and, by opschaling or by a
        measure's ambulant alternative, more."""
        reach, todo = {segment}, [segment]
        while todo:
            current = todo.pop()
            targets = [self.types[t].opschaling_to for t in self.seg_types[current]]
            if self.seg_shift[current] is not None:
                targets.append(self.seg_shift[current][3:])
            for target in targets:
                if target is not None and target[0] not in reach:
                    reach.add(target[0])
                    todo.append(target[0])
        return reach

    def arrays(self) -> "VectorTables":
        """The same tables as numpy arrays (built when needed: funding.flow may change ``choice`` first)."""
        return VectorTables(self)


class VectorTables:
    """Per-segment, per-type and per-provider facts as arrays, for vector lookups in the cohort."""

    def __init__(self, tables: CompiledScenario):
        n_seg, n_mun, n_prov = len(tables.seg_names), len(tables.mun_names), len(tables.prov_names)
        self.vv_share = np.array(tables.seg_vv, dtype=float)
        self.stacking = np.array(tables.seg_stacking, dtype=float)
        self.recidive_p = np.array([p for p, _ in tables.seg_recidive], dtype=float)
        self.recidive_delay = [delay for _, delay in tables.seg_recidive]
        self.toegang = tables.seg_toegang
        width = max(len(c) for c in tables.seg_type_cum)
        self.type_cum = np.full((n_seg, width), np.inf)
        self.type_of = np.zeros((n_seg, width), dtype=np.int64)
        self.n_types = np.array([len(c) for c in tables.seg_type_cum])
        for segment, (cum, types) in enumerate(zip(tables.seg_type_cum, tables.seg_types)):
            self.type_cum[segment, :len(cum)] = cum
            self.type_of[segment, :len(types)] = types
        self.type_total = self.type_cum[np.arange(n_seg), self.n_types - 1]
        types = tables.types
        self.outcome_cum = np.array([t.outcome_cum for t in types], dtype=float)
        self.step_down_to = np.array([NO if t.step_down_to is None else t.step_down_to for t in types])
        self.ops_seg = np.array([NO if t.opschaling_to is None else t.opschaling_to[0] for t in types])
        self.ops_type = np.array([NO if t.opschaling_to is None else t.opschaling_to[1] for t in types])
        self.prov_cum, self.prov_of, self.n_provs = _choice_arrays(tables.choice, n_mun, n_seg)
        # open house: the same per entry day, stacked (period 0 = the start's choice)
        self.entry_days = np.array(tables.entry_days, dtype=float) if tables.entry_days else None
        if self.entry_days is not None:
            periods = [tables.choice] + [{key: lst[k] for key, lst in tables.choice_from.items()}
                                         for k in range(len(tables.entry_days))]
            width = max(len(p) for choice in periods for p, _ in choice.values())
            stacked = [_choice_arrays(choice, n_mun, n_seg, width) for choice in periods]
            self.prov_cum_t, self.prov_of_t, self.n_provs_t = (np.stack(a) for a in zip(*stacked))
        # doorlooptijd samplers by type, then the same types' verlenging samplers
        self.n_type_codes = len(types)
        self.samplers = [t.sample for t in types] + [t.sample_verlenging for t in types]
        self.maatwerk = np.full((n_prov, n_seg), np.nan)
        for (provider, segment), factor in tables.maatwerk.items():
            self.maatwerk[provider, segment] = factor
        # the measures: doorlooptijd factors as (from day, factor, type mask, outcome codes or None), and the
        # shift to an ambulant alternative per segment as (from day, share, type mask, target segment, type)
        n_types = len(types)
        self.has_factors, self.has_shifts = tables.has_factors, tables.has_shifts
        self.factor_rules = [(day, factor, np.isin(np.arange(n_types), list(kinds)),
                              None if routes is None else np.array(sorted(routes)))
                             for day, factor, kinds, routes in tables.factor_rules]
        self.shift_rules = [(segment, day, share, np.isin(np.arange(n_types), list(kinds)), target_seg, target_type)
                            for segment, rule in enumerate(tables.seg_shift) if rule is not None
                            for day, share, kinds, target_seg, target_type in [rule]]


def _choice_arrays(choice: dict, n_mun: int, n_seg: int, width: int | None = None):
    """(cumulative shares, provider numbers, provider counts) per (municipality, segment) as arrays."""
    width = width or max(len(providers) for providers, _ in choice.values())
    prov_cum = np.full((n_mun, n_seg, width), np.inf)
    prov_of = np.zeros((n_mun, n_seg, width), dtype=np.int64)
    n_provs = np.ones((n_mun, n_seg), dtype=np.int64)
    for (municipality, segment), (providers, cum) in choice.items():
        prov_cum[municipality, segment, :len(cum)] = cum
        prov_of[municipality, segment, :len(providers)] = providers
        n_provs[municipality, segment] = len(providers)   # at least one: the scenario checks it
    return prov_cum, prov_of, n_provs
