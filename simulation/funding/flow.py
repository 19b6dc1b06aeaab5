"""Flow effects of contracts inside the SimPy model (money stays in ``payments``).

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
from simulation.core.pools import PlekPool
from simulation.core.streams import generator
from simulation.config.pricing import for_year
from simulation.funding.variant import rule, rules_of

INF = math.inf


class FlowRules:
    """Per (municipality, provider, segment) index triple: the contracts and their flow effects."""

    @classmethod
    def build(cls, model) -> Optional["FlowRules"]:
        funding = model.sc.funding
        if funding is None or not funding.contracts:
            return None
        return cls(model)

    def __init__(self, model):
        self.m = model
        sc = model.sc
        self.day = model.calendar.day
        self.horizon = model.horizon
        self.contracts: dict[tuple[int, int, int], list] = {}
        for c in sc.funding.contracts:
            key = (model.mun_names.index(c.municipality), model.prov_names.index(c.provider),
                   model.seg_names.index(c.segment))
            lo, hi = (self.day(d) for d in c.period(sc))
            phases = [(self.day(a), self.day(b), mode, count) for a, b, mode, count in c.phases(sc)]
            self.contracts.setdefault(key, []).append((lo, hi, c, phases))
        for lst in self.contracts.values():
            lst.sort(key=lambda x: x[0])
        self.type_names = {ti: (model.seg_names[t.seg], model.type_names[ti]) for ti, t in enumerate(model.types)}
        # plekken pools
        self.pool_keys = [k for k, lst in self.contracts.items()
                          if any(rule(p[2]).has_capacity for x in lst for p in x[3])]
        for key in self.pool_keys:
            model.pools[key] = PlekPool(model.env, self.capacity(key, -model.warmup_days))
        change = {0.0}
        for key in self.pool_keys:
            for _, _, _, phases in self.contracts[key]:
                for a, b, _, _ in phases:
                    change.update((a, b))
        year = model.calendar.year_of(0.0) + 1
        while self.day(dt.date(year, 1, 1)) < self.horizon:
            change.add(self.day(dt.date(year, 1, 1)))
            year += 1
        self.changes = sorted(d for d in change if 0 < d < self.horizon)
        self.committed: dict[tuple, float] = {}
        self.gated = any(rules_of(x[2]).has_ceiling or x[2].behaviour.refusal_probability > 0
                         for lst in self.contracts.values() for x in lst)
        self.slow = {k for k, lst in self.contracts.items() if any(x[2].behaviour.doorlooptijd_factor != 1 for x in lst)}
        # extra capacity outside the raamovereenkomst: providers whose every contract for (mun, seg) is an
        # extra_capacity contract leave the ordinary provider choice and only take clients the framework
        # cannot deliver
        self.extra: dict[tuple[int, int], list[int]] = {}
        for (mi, pi, si), lst in self.contracts.items():
            if all(x[2].extra_capacity for x in lst):
                self.extra.setdefault((mi, si), []).append(pi)
        for (mi, si), extra in self.extra.items():
            provs = [p for p in model.choice[(mi, si)][0] if p not in extra]
            if not provs:
                continue
            weights = [sc.providers[model.prov_names[p]].segments[model.seg_names[si]].weight for p in provs]
            total = sum(weights)
            model.choice[(mi, si)] = (provs, [w / total for w in accumulate(weights)])
        self.spent: dict[tuple, float] = {}           # (extra key, year) -> committed value of extra trajecten
        self.framework_open: dict[tuple, float] = {}  # (mun, seg, year) -> commitments under open-ended contracts
        self.gated = self.gated or bool(self.extra)

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
                return rule(mode).capacity(count, self.m.calendar.year_of(t))
        return INF

    def duration_factor(self, mi: int, pi: int, si: int, t: float) -> float:
        if (mi, pi, si) not in self.slow:
            return 1.0
        c, _ = self.contract((mi, pi, si), t)
        return c.behaviour.doorlooptijd_factor if c is not None else 1.0

    def _ceiling(self, c, year: int) -> float:
        """The year's ceiling, prorated to the days the contract covers (warm-up years: in full)."""
        first = self.m.sc.start_date.year
        ceiling = float(rules_of(c).ceiling(c, year))
        if year < first:
            return ceiling
        start, end = c.period(self.m.sc)
        lo = max(self.day(dt.date(year, 1, 1)), self.day(start), 0.0)
        hi = min(self.day(dt.date(year + 1, 1, 1)), self.day(end), self.horizon)
        return ceiling * max(hi - lo, 0.0) / days_in_year(year)

    def _fits(self, key, ti: int, t: float, commit: bool) -> bool:
        c, _ = self.contract(key, t)
        if c is None or not rules_of(c).has_ceiling:
            return True
        value = self._value(c, ti)
        year = self.m.calendar.year_of(t)
        used = self.committed.get((key, year), 0.0)
        if used + value > self._ceiling(c, year) + 1e-9:
            return False
        if commit:
            self.committed[(key, year)] = used + value
        return True

    def count_continuation(self, mi: int, pi: int, si: int, ti: int, t: float) -> None:
        """A continuation (verlenging, step-down) is a new toewijzing: its commitment counts against
        the ceiling of its start year (and against the extra-capacity cap, or as framework value),
        but it is never stopped (care is not broken off mid-way)."""
        key = (mi, pi, si)
        c, _ = self.contract(key, t)
        if c is not None and rules_of(c).has_ceiling:
            year = self.m.calendar.year_of(t)
            self.committed[(key, year)] = self.committed.get((key, year), 0.0) + self._value(c, ti)
        self._count_extra_or_framework(key, ti, t)

    # -- extra capacity outside the raamovereenkomst ---------------------------------------------
    def _value(self, c, ti: int) -> float:
        """Planned value of one traject under a contract (its variant's ``planned_value``)."""
        seg, tname = self.type_names[ti]
        return rules_of(c).planned_value(c, self.m.sc, seg, tname)

    def _open_ended(self, c, t: float) -> bool:
        """A framework contract without a contracted yearly value at t: its commitments are its value."""
        return rule(self.capacity_mode(c, t)).open_ended   # by phase: a contract may convert

    def capacity_mode(self, c, t: float) -> str:
        t = max(t, 0.0)
        for lo, hi, cc, phases in self.contracts.get((self.m.mun_names.index(c.municipality), self.m.prov_names.index(c.provider),
                                                       self.m.seg_names.index(c.segment)), ()):
            if cc is c:
                for a, b, mode, _ in phases:
                    if a <= t < b:
                        return mode
        return c.variant

    def _count_extra_or_framework(self, key, ti: int, t: float) -> None:
        mi, pi, si = key
        if (mi, si) not in self.extra:
            return
        c, _ = self.contract(key, t)
        if c is None:
            return
        year = self.m.calendar.year_of(t)
        if c.extra_capacity:
            self.spent[(key, year)] = self.spent.get((key, year), 0.0) + self._value(c, ti)
        elif self._open_ended(c, t):
            k = (mi, si, year)
            self.framework_open[k] = self.framework_open.get(k, 0.0) + self._value(c, ti)

    def framework_value(self, mi: int, si: int, year: int) -> float:
        """Contracted value of the framework contracts of (municipality, segment) in a year: ceilings,
        budgets, lump sums, population amounts and plekken x plek-year price, prorated to the days they
        cover; plus the commitments (planned values) taken on under open-ended contracts (pxq, traject,
        output_monthly) in that year so far. Warm-up years use the first year's contracted values."""
        sc, first = self.m.sc, self.m.sc.start_date.year
        y = max(year, first)
        ylo, yhi = self.day(dt.date(y, 1, 1)), self.day(dt.date(y + 1, 1, 1))
        yd = yhi - ylo
        total = self.framework_open.get((mi, si, year), 0.0)
        for (m, p, s), lst in self.contracts.items():
            if m != mi or s != si:
                continue
            for lo, hi, c, phases in lst:
                if c.extra_capacity:
                    continue
                for a, b, mode, count in phases:
                    d = max(min(b, yhi, self.horizon) - max(a, ylo, 0.0), 0.0)
                    if d > 0:
                        total += rule(mode).contracted_value(c, count, y, d, yd, sc)
        return total

    def _has_room(self, key, ti: int, t: float) -> bool:
        pool = self.m.pools.get(key)
        return (pool is None or pool.free) and self._fits(key, ti, t, commit=False)

    def _extra_room(self, mi: int, si: int, ti: int, t: float):
        """First extra provider with room whose extra spend in the year stays within max_extra_share of
        the framework value; commits the traject there. None when there is none."""
        year = self.m.calendar.year_of(t)
        for pe in self.extra[(mi, si)]:
            key = (mi, pe, si)
            c, _ = self.contract(key, t)
            if c is None or not self._has_room(key, ti, t):
                continue
            value = self._value(c, ti)
            if self.spent.get((key, year), 0.0) + value > c.max_extra_share * self.framework_value(mi, si, year) + 1e-9:
                continue
            self._fits(key, ti, t, commit=True)   # an extra provider may itself have a ceiling
            self.spent[(key, year)] = self.spent.get((key, year), 0.0) + value
            return pe
        return None

    def _room(self, mi, si, ti, current, t):
        """First other provider of the segment with a free plek (or no plekken) and room under its ceiling."""
        for p in self.m.choice[(mi, si)][0]:
            if p == current:
                continue
            pool = self.m.pools.get((mi, p, si))
            if (pool is None or pool.free) and self._fits((mi, p, si), ti, t, commit=False):
                return p
        return None

    # -- the admission hook -------------------------------------------------------------------
    def admit(self, c, tid: int, si: int, ti: int, pi: int, place: str):
        """Refusal and budgetplafond at toewijzing; returns the provider that takes the traject.

        ``place``: the traject's place in the client's story (episode, lane, position); the refusal
        draw is keyed by it and by the client's place in its stream, never by ids or event order.
        """
        env, log, model = self.m.env, self.m.log, self.m
        mi = c.mun
        contract, _ = self.contract((mi, pi, si), env.now)
        if contract is not None and contract.behaviour.refusal_probability > 0:
            seg, tname = self.type_names[ti]
            if tname in contract.heavy_types(model.sc):
                u = generator(model.seed, model.replication, "fallback", *c.stream, str(c.id % CLIENTS_PER_STREAM),
                              "weigering", place).random()
                others = [p for p in model.choice[(mi, si)][0] if p != pi]
                if u < contract.behaviour.refusal_probability and others:
                    pi = self._room(mi, si, ti, pi, env.now)
                    pi = others[0] if pi is None else pi
                    if env.now >= 0:
                        log((env.now, ev.TOEWIJZING, c.id, tid, mi, si, ti, pi, ev.WEIGERING, 0.0))
        if (mi, si) in self.extra and not self._has_room((mi, pi, si), ti, env.now) \
                and self._room(mi, si, ti, pi, env.now) is None:
            # no framework provider can deliver now: extra capacity outside the raamovereenkomst
            pe = self._extra_room(mi, si, ti, env.now)
            if pe is not None:
                if env.now >= 0:
                    log((env.now, ev.TOEWIJZING, c.id, tid, mi, si, ti, pe, ev.EXTRA_CAPACITEIT, 0.0))
                return pe
        waiting_logged = False
        while not self._fits((mi, pi, si), ti, env.now, commit=True):
            alt = self._room(mi, si, ti, pi, env.now)
            if alt is not None:
                pi = alt
                if env.now >= 0:
                    log((env.now, ev.TOEWIJZING, c.id, tid, mi, si, ti, pi, ev.OVERSTAP, 0.0))
                continue
            if not waiting_logged:
                model.waiting[tid] = (c.id, mi, si, ti, pi, env.now)
                if env.now >= 0:
                    log((env.now, ev.WACHTLIJST, c.id, tid, mi, si, ti, pi, ev.BUDGETPLAFOND, 0.0))
                waiting_logged = True
            year = model.calendar.year_of(env.now)
            yield env.timeout(self.day(dt.date(year + 1, 1, 1)) - env.now)
        if waiting_logged:
            del model.waiting[tid]
        self._count_extra_or_framework((mi, pi, si), ti, env.now)
        return pi

    # -- capacity changes -----------------------------------------------------------------------
    def start(self) -> None:
        if self.pool_keys and self.changes:
            self.m.env.process(self._schedule())

    def _schedule(self):
        env = self.m.env
        for day in self.changes:
            yield env.timeout(day - env.now)
            for key in self.pool_keys:
                self.m.pools[key].set_capacity(self.capacity(key, day))
