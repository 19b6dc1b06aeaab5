"""Flow effects of contracts inside the SimPy engine (money stays in ``payments``).

What a contract does to the flow is asked of its variant's rules (``simulation.funding.variant``):
``capacity`` of a phase's mode (plek pools), ``ceiling`` (budgetplafond), ``planned_value`` (the
commitment at toewijzing), ``open_ended`` and ``contracted_value`` (the framework value).

- plekken: a plekken contract (or a conversion to plekken) caps the clients of that municipality
  at that provider in that segment, exactly like ``providers.*.plekken``; outside plekken phases
  the pool is unlimited. Capacity changes at phase boundaries and on 1 January.
- budgetplafond: at toewijzing a traject commits its planned value (the realisation pricing at
  the planned doorlooptijd, the variant's ``planned_value``) to the provider's ceiling of that
  calendar year. When it does not fit, the client goes to another provider of the segment with
  room (toewijzing, reden ``overstap``) or else waits (wachtlijst, reden ``budgetplafond``) until
  1 January, when the check is repeated. Continuations (verlenging, step-down) are new
  toewijzingen: their commitment counts (so new admissions stop sooner), but they are never
  refused or delayed: care that runs is not broken off mid-way (``count_continuation``).
- extra capacity (outside the raamovereenkomst): providers with only extra_capacity contracts for a
  (municipality, segment) leave the ordinary provider choice; at toewijzing, when no framework
  provider has room (plekken full or ceiling reached), the client goes to an extra provider
  (toewijzing, reden ``extra_capaciteit``) while its extra commitments of the year stay within
  ``max_extra_share`` x ``framework_value``; otherwise the client waits as before.
- behaviour: ``doorlooptijd_factor`` multiplies the doorlooptijd of trajecten that start under
  the contract; ``refusal_probability`` makes the provider refuse a heavy traject type once (the
  client gets a toewijzing, reden ``weigering``, at the first other provider of the segment with
  room; a provider that is the only one in the segment must accept).

The contract in force on the start date also governs the warm-up. The refusal draw comes from a
per-traject stream (seed, replication, municipality, segment, client's place in that stream,
'weigering', the traject's place in the client's story), so it
does not shift any other draw: common random numbers hold between variants.
"""
from __future__ import annotations

import datetime as dt
import math
from bisect import bisect_right
from itertools import accumulate
from typing import Optional

from simulation.core import events as ev
from simulation.core.calendar import days_in_year
from simulation.core.draws import CLIENTS_PER_STREAM
from simulation.core.hooks import EngineView
from simulation.core.pools import PlekPool
from simulation.core.streams import generator
from simulation.config.pricing import for_year
from simulation.funding.variant import rule, rules_of

INF = math.inf


class FlowRules:
    """Per (municipality, provider, segment) index triple: the contracts and their flow effects."""

    @classmethod
    def build(cls, engine: EngineView) -> Optional["FlowRules"]:
        funding = engine.scenario.funding
        if funding is None or not funding.contracts:
            return None
        return cls(engine)

    def __init__(self, engine: EngineView):
        self.engine = engine
        scenario = engine.scenario
        self.day = engine.calendar.day
        self.horizon = engine.horizon
        self.contracts: dict[tuple[int, int, int], list] = {}
        for c in scenario.funding.contracts:
            lo, hi = (self.day(d) for d in c.period(scenario))
            phases = [(self.day(a), self.day(b), mode, count) for a, b, mode, count in c.phases(scenario)]
            for m in c.covered:   # a regional contract acts as the contract of every municipality it covers
                key = (engine.municipality_names.index(m), engine.provider_names.index(c.provider),
                       engine.segment_names.index(c.segment))
                self.contracts.setdefault(key, []).append((lo, hi, c, phases))
        for lst in self.contracts.values():
            lst.sort(key=lambda x: x[0])
        self.type_names = {index: (engine.segment_names[t.seg], engine.type_names[index])
                           for index, t in enumerate(engine.traject_types)}
        # plekken pools
        self.pool_keys = [k for k, lst in self.contracts.items()
                          if any(rule(p[2]).has_capacity for x in lst for p in x[3])]
        for key in self.pool_keys:
            engine.pools[key] = PlekPool(engine.env, self.capacity(key, -engine.warmup_days))
        change = {0.0}
        for key in self.pool_keys:
            for _, _, _, phases in self.contracts[key]:
                for a, b, _, _ in phases:
                    change.update((a, b))
        year = engine.calendar.year_of(0.0) + 1
        while self.day(dt.date(year, 1, 1)) < self.horizon:
            change.add(self.day(dt.date(year, 1, 1)))
            year += 1
        self.changes = sorted(d for d in change if 0 < d < self.horizon)
        self.committed: dict[tuple, float] = {}
        # pure functions of a contract (and a year or type), asked at every toewijzing under a ceiling:
        # computed once per (id(contract), year) and (id(contract), traject type)
        self.ceilings: dict[tuple[int, int], float] = {}
        self.planned_values: dict[tuple[int, int], float] = {}
        self.gated = any(rules_of(x[2]).has_ceiling or x[2].behaviour.refusal_probability > 0
                         for lst in self.contracts.values() for x in lst)
        self.slow = {k for k, lst in self.contracts.items()
                     if any(x[2].behaviour.doorlooptijd_factor != 1 for x in lst)}
        # extra capacity outside the raamovereenkomst: providers whose every contract for (mun, seg) is an
        # extra_capacity contract leave the ordinary provider choice and only take clients the framework
        # cannot deliver
        self.extra: dict[tuple[int, int], list[int]] = {}
        for (municipality, provider, segment), lst in self.contracts.items():
            if all(x[2].extra_capacity for x in lst):
                self.extra.setdefault((municipality, segment), []).append(provider)
        for (municipality, segment), extra in self.extra.items():
            provs = [p for p in engine.choice[(municipality, segment)][0] if p not in extra]
            if not provs:
                continue
            name = engine.segment_names[segment]
            weights = [scenario.providers[engine.provider_names[p]].segments[name].weight for p in provs]
            total = sum(weights)
            engine.choice[(municipality, segment)] = (provs, [w / total for w in accumulate(weights)])
        self.spent: dict[tuple, float] = {}           # (extra key, year) -> committed value of extra trajecten
        self.framework_open: dict[tuple, float] = {}  # (mun, seg, year) -> commitments under open-ended contracts
        self.gated = self.gated or bool(self.extra)
        # the (municipality, provider, segment) keys at which admit or count_continuation can act: a
        # ceiling or a refusal in some contract of the key, or extra capacity for its municipality and
        # segment; elsewhere both return at once without an effect, so the engine skips the calls
        n_providers = len(engine.provider_names)
        self.gated_keys = frozenset(
            [k for k, lst in self.contracts.items()
             if any(rules_of(x[2]).has_ceiling or x[2].behaviour.refusal_probability > 0 for x in lst)]
            + [(m, p, s) for m, s in self.extra for p in range(n_providers)])
        self.acting_keys = frozenset(self.gated_keys | set(self.slow) | set(self.pool_keys))

    # -- lookups ----------------------------------------------------------------------------
    def contract(self, key, t: float):
        """The contract in force at day t (the one in force on day 0 during the warm-up)."""
        t = max(t, 0.0)
        for lo, hi, c, phases in self.contracts.get(key, ()):
            if lo <= t < hi:
                return c, phases
        return None, None

    def capacity(self, key, t: float) -> float:
        c, phases = self.contract(key, t)
        if c is None:
            return INF
        t = max(t, 0.0)
        for a, b, mode, count in phases:
            if a <= t < b:
                return rule(mode).capacity(count, self.engine.calendar.year_of(t))
        return INF

    def duration_factor(self, municipality: int, provider: int, segment: int, t: float) -> float:
        if (municipality, provider, segment) not in self.slow:
            return 1.0
        c, _ = self.contract((municipality, provider, segment), t)
        return c.behaviour.doorlooptijd_factor if c is not None else 1.0

    def _ceiling(self, c, year: int) -> float:
        """The year's ceiling, prorated to the days the contract covers (warm-up years: in full)."""
        ceiling = self.ceilings.get((id(c), year))
        if ceiling is None:
            ceiling = self.ceilings[(id(c), year)] = self._prorated_ceiling(c, year)
        return ceiling

    def _prorated_ceiling(self, c, year: int) -> float:
        first = self.engine.scenario.start_date.year
        ceiling = float(rules_of(c).ceiling(c, year))
        if year < first:
            return ceiling
        start, end = c.period(self.engine.scenario)
        lo = max(self.day(dt.date(year, 1, 1)), self.day(start), 0.0)
        hi = min(self.day(dt.date(year + 1, 1, 1)), self.day(end), self.horizon)
        return ceiling * max(hi - lo, 0.0) / days_in_year(year)

    def _fits(self, key, traject_type: int, t: float, commit: bool) -> bool:
        c, _ = self.contract(key, t)
        if c is None or not rules_of(c).has_ceiling:
            return True
        value = self._value(c, traject_type)
        year = self.engine.calendar.year_of(t)
        used = self.committed.get((key, year), 0.0)
        if used + value > self._ceiling(c, year) + 1e-9:
            return False
        if commit:
            self.committed[(key, year)] = used + value
        return True

    def count_continuation(self, municipality: int, provider: int, segment: int, traject_type: int, t: float) -> None:
        """A continuation (verlenging, step-down) is a new toewijzing: its commitment counts against
        the ceiling of its start year (and against the extra-capacity cap, or as framework value),
        but it is never stopped (care is not broken off mid-way)."""
        key = (municipality, provider, segment)
        c, _ = self.contract(key, t)
        if c is not None and rules_of(c).has_ceiling:
            year = self.engine.calendar.year_of(t)
            self.committed[(key, year)] = self.committed.get((key, year), 0.0) + self._value(c, traject_type)
        self._count_extra_or_framework(key, traject_type, t)

    # -- extra capacity outside the raamovereenkomst ---------------------------------------------
    def _value(self, c, traject_type: int) -> float:
        """Planned value of one traject under a contract (its variant's ``planned_value``)."""
        value = self.planned_values.get((id(c), traject_type))
        if value is None:
            seg, tname = self.type_names[traject_type]
            value = rules_of(c).planned_value(c, self.engine.scenario, seg, tname)
            self.planned_values[(id(c), traject_type)] = value
        return value

    def _open_ended(self, c, t: float) -> bool:
        """A framework contract without a contracted yearly value at t: its commitments are its value."""
        return rule(self.capacity_mode(c, t)).open_ended   # by phase: a contract may convert

    def capacity_mode(self, c, t: float) -> str:
        t = max(t, 0.0)
        engine = self.engine
        key = (engine.municipality_names.index(c.covered[0]), engine.provider_names.index(c.provider),
               engine.segment_names.index(c.segment))
        for lo, hi, cc, phases in self.contracts.get(key, ()):
            if cc is c:
                for a, b, mode, _ in phases:
                    if a <= t < b:
                        return mode
        return c.variant

    def _count_extra_or_framework(self, key, traject_type: int, t: float) -> None:
        municipality, provider, segment = key
        if (municipality, segment) not in self.extra:
            return
        c, _ = self.contract(key, t)
        if c is None:
            return
        year = self.engine.calendar.year_of(t)
        if c.extra_capacity:
            self.spent[(key, year)] = self.spent.get((key, year), 0.0) + self._value(c, traject_type)
        elif self._open_ended(c, t):
            k = (municipality, segment, year)
            self.framework_open[k] = self.framework_open.get(k, 0.0) + self._value(c, traject_type)

    def framework_value(self, municipality: int, segment: int, year: int) -> float:
        """Contracted value of the framework contracts of (municipality, segment) in a year: ceilings,
        budgets, lump sums, population amounts and plekken x plek-year price, prorated to the days they
        cover (a regional budget: the municipality's key share of it); plus the commitments (planned values) taken on under open-ended contracts (pxq, traject,
        output_monthly) in that year so far. Warm-up years use the first year's contracted values."""
        scenario, first = self.engine.scenario, self.engine.scenario.start_date.year
        y = max(year, first)
        ylo, yhi = self.day(dt.date(y, 1, 1)), self.day(dt.date(y + 1, 1, 1))
        yd = yhi - ylo
        total = self.framework_open.get((municipality, segment, year), 0.0)
        for (m, p, s), lst in self.contracts.items():
            if m != municipality or s != segment:
                continue
            for lo, hi, c, phases in lst:
                if c.extra_capacity:
                    continue
                share = c.key_share(scenario, self.engine.municipality_names[municipality])
                for a, b, mode, count in phases:
                    d = max(min(b, yhi, self.horizon) - max(a, ylo, 0.0), 0.0)
                    if d > 0:
                        total += rule(mode).contracted_value(c, count, y, d, yd, scenario) * share
        return total

    def _has_room(self, key, traject_type: int, t: float) -> bool:
        pool = self.engine.pools.get(key)
        return (pool is None or pool.free) and self._fits(key, traject_type, t, commit=False)

    def _extra_room(self, municipality: int, segment: int, traject_type: int, t: float):
        """First extra provider with room whose extra spend in the year stays within max_extra_share of
        the framework value; commits the traject there. None when there is none."""
        year = self.engine.calendar.year_of(t)
        for extra_provider in self.extra[(municipality, segment)]:
            key = (municipality, extra_provider, segment)
            c, _ = self.contract(key, t)
            if c is None or not self._has_room(key, traject_type, t):
                continue
            value = self._value(c, traject_type)
            cap = c.max_extra_share * self.framework_value(municipality, segment, year)
            if self.spent.get((key, year), 0.0) + value > cap + 1e-9:
                continue
            self._fits(key, traject_type, t, commit=True)   # an extra provider may itself have a ceiling
            self.spent[(key, year)] = self.spent.get((key, year), 0.0) + value
            return extra_provider
        return None

    def _room(self, municipality, segment, traject_type, current, t):
        """First other provider of the segment with a free plek (or no plekken) and room under its ceiling."""
        for p in self.engine.choice[(municipality, segment)][0]:
            if p == current:
                continue
            pool = self.engine.pools.get((municipality, p, segment))
            if (pool is None or pool.free) and self._fits((municipality, p, segment), traject_type, t, commit=False):
                return p
        return None

    # -- the admission hook -------------------------------------------------------------------
    def admit(self, client, tid: int, segment: int, traject_type: int, provider: int, place: str):
        """Refusal and budgetplafond at toewijzing; returns the provider that takes the traject.

        ``place``: the traject's place in the client's story (episode, lane, position); the refusal
        draw is keyed by it and by the client's place in its stream, never by ids or event order.
        """
        env, log, engine = self.engine.env, self.engine.log, self.engine
        municipality = client.mun
        contract, _ = self.contract((municipality, provider, segment), env.now)
        if contract is not None and contract.behaviour.refusal_probability > 0:
            seg, tname = self.type_names[traject_type]
            if tname in contract.heavy_types(engine.scenario):
                u = generator(engine.seed, engine.replication, "fallback", *client.stream,
                              str(client.id % CLIENTS_PER_STREAM),
                              "weigering", place).random()
                others = [p for p in engine.choice[(municipality, segment)][0] if p != provider]
                if u < contract.behaviour.refusal_probability and others:
                    provider = self._room(municipality, segment, traject_type, provider, env.now)
                    provider = others[0] if provider is None else provider
                    if env.now >= 0:
                        log((env.now, ev.TOEWIJZING, client.id, tid, municipality, segment, traject_type, provider,
                             ev.WEIGERING, 0.0))
        if (municipality, segment) in self.extra \
                and not self._has_room((municipality, provider, segment), traject_type, env.now) \
                and self._room(municipality, segment, traject_type, provider, env.now) is None:
            # no framework provider can deliver now: extra capacity outside the raamovereenkomst
            extra_provider = self._extra_room(municipality, segment, traject_type, env.now)
            if extra_provider is not None:
                if env.now >= 0:
                    log((env.now, ev.TOEWIJZING, client.id, tid, municipality, segment, traject_type, extra_provider,
                         ev.EXTRA_CAPACITEIT, 0.0))
                return extra_provider
        waiting_logged = False
        while not self._fits((municipality, provider, segment), traject_type, env.now, commit=True):
            alt = self._room(municipality, segment, traject_type, provider, env.now)
            if alt is not None:
                provider = alt
                if env.now >= 0:
                    log((env.now, ev.TOEWIJZING, client.id, tid, municipality, segment, traject_type, provider,
                         ev.OVERSTAP, 0.0))
                continue
            if not waiting_logged:
                engine.waiting[tid] = (client.id, municipality, segment, traject_type, provider, env.now)
                if env.now >= 0:
                    log((env.now, ev.WACHTLIJST, client.id, tid, municipality, segment, traject_type, provider,
                         ev.BUDGETPLAFOND, 0.0))
                waiting_logged = True
            year = engine.calendar.year_of(env.now)
            yield env.timeout(self.day(dt.date(year + 1, 1, 1)) - env.now)
        if waiting_logged:
            del engine.waiting[tid]
        self._count_extra_or_framework((municipality, provider, segment), traject_type, env.now)
        return provider

    # -- capacity changes -----------------------------------------------------------------------
    def start(self) -> None:
        if self.pool_keys and self.changes:
            self.engine.env.process(self._schedule())

    def _schedule(self):
        env = self.engine.env
        for day in self.changes:
            yield env.timeout(day - env.now)
            for key in self.pool_keys:
                self.engine.pools[key].set_capacity(self.capacity(key, day))
